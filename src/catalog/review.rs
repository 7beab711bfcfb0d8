//! Review queue, hand corrections and model versions in the catalog.

use rusqlite::{params, OptionalExtension};

use super::{now, Catalog, CatalogError};
use crate::classify::Example;
use crate::model::{DocType, ReviewFlag};

pub use crate::model::ReviewItem;

/// A stored model version.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    pub version: i64,
    pub file: String,
    pub sha256: String,
    pub trained_on: String,
    pub examples: i64,
    pub created_at: String,
}

impl Catalog {
    /// Documents with at least one review flag, oldest first.
    pub fn review_queue(&self) -> Result<Vec<ReviewItem>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.doc_id, d.doc_type, d.doc_type_confidence, d.boundary_confidence,
                    d.review_flags, d.mrn, d.patient_name, d.service_date,
                    (SELECT MIN(page_no) FROM pages p WHERE p.doc_id = d.doc_id),
                    (SELECT COUNT(*) FROM pages p WHERE p.doc_id = d.doc_id)
             FROM documents d WHERE d.review_flags <> '[]' ORDER BY d.created_at, d.seq",
        )?;
        type Sealed = (Option<String>, Option<String>);
        let rows = stmt.query_map([], |r| {
            let doc_id: String = r.get(0)?;
            let flags = super::json::column(r, 4, &format!("document {doc_id} review flags"))?;
            let sealed: Sealed = (r.get(5)?, r.get(6)?);
            Ok((
                ReviewItem {
                    doc_id,
                    doc_type: DocType::parse(&r.get::<_, String>(1)?)
                        .unwrap_or(DocType::Unclassified),
                    doc_type_confidence: r.get::<_, f64>(2)? as f32,
                    boundary_confidence: r.get::<_, f64>(3)? as f32,
                    flags,
                    mrn: None,
                    patient_name: None,
                    service_date: r.get(7)?,
                    first_page: r.get(8)?,
                    pages: r.get::<_, i64>(9)? as u32,
                },
                sealed,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut item, (mrn, name)) = row?;
            let key = crate::keys::doc_key_id(&item.doc_id);
            item.mrn = self.keys.open_text(&key, mrn)?;
            item.patient_name = self.keys.open_text(&key, name)?;
            out.push(item);
        }
        Ok(out)
    }

    pub fn review_flags(&self, doc_id: &str) -> Result<Option<Vec<ReviewFlag>>, CatalogError> {
        let flags: Option<String> = self
            .conn
            .query_row(
                "SELECT review_flags FROM documents WHERE doc_id = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?;
        super::json::parse_opt(flags.as_deref(), &format!("document {doc_id} review flags"))
    }

    /// Sets a document's type by hand: recorded in `doc_corrections`, the document leaves
    /// the review queue for `unclassified`, and it is re-indexed. Returns the old type, or
    /// `None` when there is no such document.
    pub fn set_doc_type(
        &mut self,
        doc_id: &str,
        doc_type: DocType,
        user: &str,
    ) -> Result<Option<DocType>, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(String, String)> = tx
            .query_row(
                "SELECT doc_type, review_flags FROM documents WHERE doc_id = ?1",
                [doc_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((old, flags)) = row else {
            return Ok(None);
        };
        let mut flags: Vec<ReviewFlag> =
            super::json::parse(&flags, &format!("document {doc_id} review flags"))?;
        flags.retain(|f| *f != ReviewFlag::Unclassified);
        tx.execute(
            "UPDATE documents SET doc_type = ?2, doc_type_confidence = 1.0,
               doc_type_source = 'reviewer', review_flags = ?3, indexed = 0
             WHERE doc_id = ?1",
            params![
                doc_id,
                doc_type.as_str(),
                serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into())
            ],
        )?;
        tx.execute(
            "INSERT INTO doc_corrections(doc_id, field, old_value, new_value, user, at)
             VALUES (?1, 'doc_type', ?2, ?3, ?4, ?5)",
            params![doc_id, old, doc_type.as_str(), user, now()],
        )?;
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "reclassify",
            doc_id,
            &serde_json::json!({"from": old, "to": doc_type.as_str()}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(Some(DocType::parse(&old).unwrap_or(DocType::Unclassified)))
    }

    /// Clears the review flags of a document a person checked (recorded).
    pub fn confirm_review(&mut self, doc_id: &str, user: &str) -> Result<bool, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let old: Option<String> = tx
            .query_row(
                "SELECT review_flags FROM documents WHERE doc_id = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(old) = old else {
            return Ok(false);
        };
        tx.execute(
            "UPDATE documents SET review_flags = '[]',
               doc_type_source = CASE doc_type WHEN 'unclassified' THEN doc_type_source
                                 ELSE 'reviewer' END
             WHERE doc_id = ?1",
            [doc_id],
        )?;
        tx.execute(
            "INSERT INTO doc_corrections(doc_id, field, old_value, new_value, user, at)
             VALUES (?1, 'review_flags', ?2, '[]', ?3, ?4)",
            params![doc_id, old, user, now()],
        )?;
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "review_confirm",
            doc_id,
            &serde_json::json!({"cleared": super::json::parse::<serde_json::Value>(&old, &format!("document {doc_id} review flags"))?}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(true)
    }

    /// Hand corrections of a document, oldest first: (field, old, new, user, at).
    #[allow(clippy::type_complexity)]
    pub fn corrections(
        &self,
        doc_id: &str,
    ) -> Result<Vec<(String, Option<String>, Option<String>, String, String)>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT field, old_value, new_value, user, at FROM doc_corrections
             WHERE doc_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([doc_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?;
        let key = crate::keys::doc_key_id(doc_id);
        let mut out = Vec::new();
        for row in rows {
            let (field, old, new, user, at) = row?;
            if field.starts_with("patient.") {
                let old = self.keys.open_text(&key, old)?;
                let new = self.keys.open_text(&key, new)?;
                out.push((field, old, new, user, at));
            } else {
                out.push((field, old, new, user, at));
            }
        }
        Ok(out)
    }

    /// Corrects a document's patient fields by hand (`Some("")` clears a field): sealed
    /// under the document's key, recorded (sealed) in `doc_corrections`, audited without
    /// the values, and the document is marked for re-indexing. Returns false when there is
    /// no such document.
    pub fn set_patient(
        &mut self,
        doc_id: &str,
        fields: &[(&str, Option<&str>)],
        user: &str,
    ) -> Result<bool, CatalogError> {
        let Some(current) = self.document(doc_id)? else {
            return Ok(false);
        };
        let key = crate::keys::doc_key_id(doc_id);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut changed = Vec::new();
        for (field, value) in fields {
            let Some(value) = value else { continue };
            let new = Some(value.trim()).filter(|v| !v.is_empty());
            let (column, old) = match *field {
                "mrn" => ("mrn", current.patient.mrn.as_deref()),
                "name" => ("patient_name", current.patient.name.as_deref()),
                "dob" => ("dob", current.patient.dob.as_deref()),
                _ => continue,
            };
            if old == new {
                continue;
            }
            let sealed = self.keys.seal_text(&key, new)?;
            tx.execute(
                &format!("UPDATE documents SET {column} = ?2, indexed = 0 WHERE doc_id = ?1"),
                params![doc_id, sealed],
            )?;
            if column == "mrn" {
                tx.execute(
                    "UPDATE documents SET mrn_tag = ?2 WHERE doc_id = ?1",
                    params![doc_id, new.map(|m| self.keys.mrn_tag(m))],
                )?;
            }
            tx.execute(
                "INSERT INTO doc_corrections(doc_id, field, old_value, new_value, user, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    doc_id,
                    format!("patient.{field}"),
                    self.keys.seal_text(&key, old)?,
                    sealed,
                    user,
                    now()
                ],
            )?;
            changed.push(*field);
        }
        if changed.is_empty() {
            return Ok(true);
        }
        let mut flags: Vec<ReviewFlag> = review_flags_tx(&tx, doc_id)?.unwrap_or_default();
        flags.retain(|f| !matches!(f, ReviewFlag::MrnConflict | ReviewFlag::FieldConflict));
        tx.execute(
            "UPDATE documents SET review_flags = ?2 WHERE doc_id = ?1",
            params![
                doc_id,
                serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into())
            ],
        )?;
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "correct_patient",
            doc_id,
            &serde_json::json!({"fields": changed}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(true)
    }

    /// Texts of documents whose type a person set or confirmed: training data.
    pub fn reviewed_examples(&self) -> Result<Vec<Example>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.doc_id, d.doc_type, p.text FROM documents d
             JOIN pages p ON p.doc_id = d.doc_id
             WHERE d.doc_type_source = 'reviewer' AND d.doc_type <> 'unclassified'
               AND p.text IS NOT NULL
             ORDER BY d.doc_id, p.page_no",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut out: Vec<(String, Example)> = Vec::new();
        for row in rows {
            let (id, t, text) = row?;
            let Some(doc_type) = DocType::parse(&t) else {
                continue;
            };
            let text = self
                .keys
                .open_text(&crate::keys::doc_key_id(&id), text)?
                .unwrap_or_default();
            match out.last_mut() {
                Some((last, ex)) if *last == id => {
                    ex.text.push('\n');
                    ex.text.push_str(&text);
                }
                _ => out.push((id, Example { text, doc_type })),
            }
        }
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }

    pub fn add_model(
        &mut self,
        file: &str,
        sha256: &str,
        trained_on: &str,
        examples: usize,
    ) -> Result<i64, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM models",
            [],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO models(version, kind, file, sha256, trained_on, examples, created_at)
             VALUES (?1, 'doctype', ?2, ?3, ?4, ?5, ?6)",
            params![
                version,
                file.replace("{version}", &version.to_string()),
                sha256,
                trained_on,
                examples as i64,
                now()
            ],
        )?;
        tx.commit()?;
        Ok(version)
    }

    /// The newest stored document-type model, if any.
    pub fn latest_model(&self) -> Result<Option<ModelRow>, CatalogError> {
        Ok(self
            .conn
            .query_row(
                "SELECT version, file, sha256, trained_on, examples, created_at FROM models
                 WHERE kind = 'doctype' ORDER BY version DESC LIMIT 1",
                [],
                |r| {
                    Ok(ModelRow {
                        version: r.get(0)?,
                        file: r.get(1)?,
                        sha256: r.get(2)?,
                        trained_on: r.get(3)?,
                        examples: r.get(4)?,
                        created_at: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }
}

fn review_flags_tx(
    tx: &rusqlite::Transaction,
    doc_id: &str,
) -> Result<Option<Vec<ReviewFlag>>, CatalogError> {
    let flags: Option<String> = tx
        .query_row(
            "SELECT review_flags FROM documents WHERE doc_id = ?1",
            [doc_id],
            |r| r.get(0),
        )
        .optional()?;
    super::json::parse_opt(flags.as_deref(), &format!("document {doc_id} review flags"))
}

/// A page's new reading after a person turned it ([`Catalog::replace_page_reading`]).
pub struct PageReading<'a> {
    pub doc_id: &'a str,
    pub page_no: u32,
    pub rotation_deg: u32,
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: u32,
    pub ocr_confidence: f32,
    pub text: &'a str,
    pub words_blob: &'a str,
    pub image_blob: &'a str,
    pub user: &'a str,
    /// The audit entry's detail (page, turn, both confidences).
    pub detail: serde_json::Value,
}

impl Catalog {
    /// Replaces a page's reading (text sealed under its document's key, word boxes, viewer
    /// image, size and rotation), marks the document for re-indexing, and audits it as
    /// `rotate_page`: one transaction.
    pub fn replace_page_reading(&mut self, r: &PageReading) -> Result<(), CatalogError> {
        let key = crate::keys::doc_key_id(r.doc_id);
        let sealed = self.keys.seal_text(&key, Some(r.text))?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE pages SET rotation_deg = ?3, width_px = ?4, height_px = ?5,
                    ocr_confidence = ?6, text = ?7, words_blob = ?8, image_blob = ?9,
                    text_source = 'ocr', dpi = ?10
             WHERE doc_id = ?1 AND page_no = ?2",
            rusqlite::params![
                r.doc_id,
                r.page_no,
                r.rotation_deg,
                r.width_px,
                r.height_px,
                r.ocr_confidence,
                sealed,
                r.words_blob,
                r.image_blob,
                r.dpi
            ],
        )?;
        if n != 1 {
            return Err(CatalogError::Corrupt(format!(
                "page {} of document {} is not in the catalog",
                r.page_no, r.doc_id
            )));
        }
        tx.execute(
            "UPDATE documents SET indexed = 0 WHERE doc_id = ?1",
            [r.doc_id],
        )?;
        let (seq, hash) =
            super::audit::append_tx(&tx, &self.keys, r.user, "rotate_page", r.doc_id, &r.detail)?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(())
    }
}
