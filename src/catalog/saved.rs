//! A user's saved searches. The query (the search page's parameters) is sealed under its
//! own key: search words may name a patient.

use rusqlite::params;

use super::{now, Catalog, CatalogError};
use crate::model::api::search::SavedSearch;

const KEY_ID: &str = "saved-searches";

impl Catalog {
    /// Saves (or replaces) `username`'s search called `name`. Returns its id.
    pub fn save_search(
        &mut self,
        username: &str,
        name: &str,
        query: &str,
    ) -> Result<i64, CatalogError> {
        self.keys.ensure(&[KEY_ID.to_string()])?;
        let sealed = self.keys.seal_text(KEY_ID, Some(query))?;
        self.conn.execute(
            "INSERT INTO saved_searches(username, name, query, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(username, name) DO UPDATE SET query = ?3, created_at = ?4",
            params![username, name, sealed, now()],
        )?;
        Ok(self.conn.query_row(
            "SELECT id FROM saved_searches WHERE username = ?1 AND name = ?2",
            params![username, name],
            |r| r.get(0),
        )?)
    }

    pub fn saved_searches(&self, username: &str) -> Result<Vec<SavedSearch>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, query, created_at FROM saved_searches WHERE username = ?1
             ORDER BY name",
        )?;
        let rows = stmt
            .query_map([username], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, sealed, created_at) in rows {
            out.push(SavedSearch {
                id,
                name,
                query: self
                    .keys
                    .open_text(KEY_ID, Some(sealed))?
                    .unwrap_or_default(),
                created_at,
            });
        }
        Ok(out)
    }

    /// Deletes one of `username`'s saved searches. Returns false when they have none by
    /// that id.
    pub fn delete_saved_search(&mut self, username: &str, id: i64) -> Result<bool, CatalogError> {
        Ok(self.conn.execute(
            "DELETE FROM saved_searches WHERE username = ?1 AND id = ?2",
            params![username, id],
        )? == 1)
    }
}
