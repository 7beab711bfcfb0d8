//! Retention in the catalog: per-document decisions, the inputs they need, legal holds.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};

use super::{now, Catalog, CatalogError};
use crate::model::DocType;
use crate::retention::{Decision, Hold, HoldScope, RetentionFacts};

/// A document's retention inputs plus what hold scopes look at.
#[derive(Debug, Clone)]
pub struct RetentionRow {
    pub doc_id: String,
    /// Keyed hash of the MRN ([`crate::keys::KeyStore::mrn_tag`]): what MRN holds match.
    pub mrn: Option<String>,
    pub facts: RetentionFacts,
}

fn is_tag(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

impl Catalog {
    /// Retention inputs of documents (all live documents when `ids` is `None`).
    pub fn retention_rows(
        &self,
        ids: Option<&[String]>,
    ) -> Result<Vec<RetentionRow>, CatalogError> {
        let sql = "SELECT d.doc_id, d.doc_type, d.service_date, d.dob, d.mrn_tag, d.created_at,
                          (SELECT MAX(o.service_date) FROM documents o
                           WHERE o.mrn_tag = d.mrn_tag
                             AND COALESCE(o.retention_status, '') <> 'destroyed')
                   FROM documents d
                   WHERE COALESCE(d.retention_status, '') <> 'destroyed'";
        // The sealed DOB is opened after the row is read (the key store is not SQL).
        let map = |r: &rusqlite::Row| -> rusqlite::Result<(RetentionRow, Option<String>)> {
            let mrn: Option<String> = r.get(4)?;
            let created: String = r.get(5)?;
            Ok((
                RetentionRow {
                    doc_id: r.get(0)?,
                    facts: RetentionFacts {
                        doc_type: DocType::parse(&r.get::<_, String>(1)?)
                            .unwrap_or(DocType::Unclassified),
                        service_date: date(r.get(2)?),
                        dob: None,
                        has_mrn: mrn.is_some(),
                        patient_last_service: date(r.get(6)?),
                        ingested_at: date(Some(created.chars().take(10).collect()))
                            .unwrap_or(NaiveDate::MIN),
                    },
                    mrn,
                },
                r.get(3)?,
            ))
        };
        let open = |rows: Vec<(RetentionRow, Option<String>)>| {
            rows.into_iter()
                .map(|(mut row, dob)| {
                    let key = crate::keys::doc_key_id(&row.doc_id);
                    row.facts.dob = date(self.keys.open_text(&key, dob)?);
                    Ok(row)
                })
                .collect::<Result<Vec<_>, CatalogError>>()
        };
        match ids {
            None => {
                let mut stmt = self.conn.prepare(&format!("{sql} ORDER BY d.doc_id"))?;
                let rows = stmt.query_map([], map)?;
                open(rows.collect::<Result<Vec<_>, _>>()?)
            }
            Some(ids) => {
                let mut stmt = self
                    .conn
                    .prepare_cached(&format!("{sql} AND d.doc_id = ?1"))?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(row) = stmt.query_row([id], map).optional()? {
                        out.push(row);
                    }
                }
                open(out)
            }
        }
    }

    /// Ids of the live documents of these patients.
    pub fn doc_ids_of_mrns(&self, mrns: &[String]) -> Result<Vec<String>, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc_id FROM documents WHERE mrn_tag = ?1
             AND COALESCE(retention_status, '') <> 'destroyed' ORDER BY doc_id",
        )?;
        let mut out = Vec::new();
        for m in mrns {
            for id in stmt.query_map([self.keys.mrn_tag(m)], |r| r.get::<_, String>(0))? {
                out.push(id?);
            }
        }
        Ok(out)
    }

    /// The latest date of service among a patient's live documents (by MRN).
    pub fn last_service(&self, mrn: &str) -> Result<Option<NaiveDate>, CatalogError> {
        let max: Option<String> = self.conn.query_row(
            "SELECT MAX(service_date) FROM documents WHERE mrn_tag = ?1
             AND COALESCE(retention_status, '') <> 'destroyed'",
            [self.keys.mrn_tag(mrn)],
            |r| r.get(0),
        )?;
        Ok(date(max))
    }

    /// Stores decisions; documents whose class, status or date changed are marked for
    /// re-indexing. Returns how many changed.
    pub fn set_retention(
        &mut self,
        decisions: &[(String, Decision)],
    ) -> Result<usize, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut changed = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE documents SET retention_class = ?2, retention_status = ?3,
                   eligible_on = ?4, retention = ?5,
                   indexed = CASE WHEN COALESCE(retention_class, '') = ?2
                                   AND COALESCE(retention_status, '') = ?3
                                   AND COALESCE(eligible_on, '') = COALESCE(?4, '')
                                  THEN indexed ELSE 0 END
                 WHERE doc_id = ?1 AND COALESCE(retention_status, '') <> 'destroyed'",
            )?;
            let mut before = tx.prepare_cached(
                "SELECT COALESCE(retention_class, ''), COALESCE(retention_status, ''),
                        COALESCE(eligible_on, '') FROM documents WHERE doc_id = ?1",
            )?;
            for (id, d) in decisions {
                let old: Option<(String, String, String)> = before
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                let eligible = d.eligible_on.map(|e| e.to_string());
                let new = (
                    d.class.clone(),
                    d.status.as_str().to_string(),
                    eligible.clone().unwrap_or_default(),
                );
                if old.as_ref() != Some(&new) {
                    changed += 1;
                }
                stmt.execute(params![
                    id,
                    d.class,
                    d.status.as_str(),
                    eligible,
                    serde_json::to_string(d).unwrap_or_default()
                ])?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// The stored retention decision of a document.
    pub fn retention_of(&self, doc_id: &str) -> Result<Option<Decision>, CatalogError> {
        let json: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT retention FROM documents WHERE doc_id = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?;
        super::json::retention(json.flatten().as_deref(), doc_id)
    }

    /// An MRN scope with the MRN replaced by its keyed hash (as stored; holds placed before
    /// MRNs were hashed are converted as they are read).
    fn tagged(&self, scope: &HoldScope) -> HoldScope {
        match scope {
            HoldScope::Mrn { mrn } if !is_tag(mrn) => HoldScope::Mrn {
                mrn: self.keys.mrn_tag(mrn),
            },
            other => other.clone(),
        }
    }

    /// Places a hold (audited); returns its id.
    pub fn place_hold(
        &mut self,
        matter: &str,
        reason: &str,
        scope: &HoldScope,
        snapshot: &[String],
        user: &str,
    ) -> Result<String, CatalogError> {
        // An MRN hold keeps the MRN's keyed hash, which is what documents are matched on.
        let scope = &self.tagged(scope);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n: i64 = tx.query_row("SELECT COUNT(*) FROM holds", [], |r| r.get(0))?;
        let id = format!("H-{:04}", n + 1);

        tx.execute(
            "INSERT INTO holds(id, matter, reason, scope_kind, scope, snapshot, placed_by, placed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                matter,
                reason,
                scope.kind(),
                serde_json::to_string(scope).unwrap_or_default(),
                serde_json::to_string(snapshot).unwrap_or_default(),
                user,
                now()
            ],
        )?;
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "hold_place",
            &id,
            &serde_json::json!({"scope": scope.redacted(), "snapshot_documents": snapshot.len()}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(id)
    }

    /// Releases an active hold (audited). `false` when there is no such active hold.
    pub fn release_hold(
        &mut self,
        id: &str,
        user: &str,
        reason: &str,
    ) -> Result<bool, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE holds SET released_by = ?2, released_at = ?3, release_reason = ?4
             WHERE id = ?1 AND released_at IS NULL",
            params![id, user, now(), reason],
        )?;
        if n == 0 {
            return Ok(false);
        }
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "hold_release",
            id,
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(true)
    }

    pub fn holds(&self, active_only: bool) -> Result<Vec<Hold>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, matter, reason, scope, snapshot, placed_by, placed_at, released_by,
                    released_at, release_reason
             FROM holds WHERE (?1 = 0 OR released_at IS NULL) ORDER BY id",
        )?;
        let rows = stmt.query_map([active_only as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, matter, reason, scope, snapshot, placed_by, placed_at, rb, ra, rr) = row?;
            let scope: HoldScope = serde_json::from_str(&scope)
                .map_err(|e| CatalogError::Corrupt(format!("hold {id}: unreadable scope: {e}")))?;
            let scope = self.tagged(&scope);
            let snapshot = super::json::parse(&snapshot, &format!("hold {id} snapshot"))?;
            out.push(Hold {
                id,
                matter,
                reason,
                scope,
                snapshot,
                placed_by,
                placed_at,
                released_by: rb,
                released_at: ra,
                release_reason: rr,
            });
        }
        Ok(out)
    }
}
