//! A person's correction of where a scan's documents begin: the catalog half of
//! [`crate::archive::Archive::split_document`] and `merge_document`. The archive re-seals the
//! moved pages under their new document's key and re-reads the fields; this writes it all in
//! one transaction, with a correction row and an audit entry.

use rusqlite::{params, OptionalExtension};

use super::{now, Catalog, CatalogError};
use crate::keys::doc_key_id;
use crate::model::{DocType, FieldSource, Patient, ReviewFlag};

/// One document of the scan as it is after the correction.
#[derive(Debug, Clone)]
pub struct DocumentRewrite {
    pub doc_id: String,
    pub doc_type: DocType,
    pub doc_type_confidence: f32,
    pub patient: Patient,
    pub service_date: Option<String>,
    pub review: Vec<ReviewFlag>,
    /// Where the re-read fields were found (the MRN's source is not re-read).
    pub provenance: Vec<FieldSource>,
}

/// A page that changes document: its text (plain; sealed here under the new document's key)
/// and its blobs, already re-sealed under that key.
#[derive(Debug, Clone)]
pub struct PageMove {
    pub page_no: u32,
    pub doc_id: String,
    pub text: Option<String>,
    pub words_blob: Option<String>,
    pub image_blob: Option<String>,
}

/// A regrouping of one scan's pages, as written by [`Catalog::apply_regroup`].
#[derive(Debug, Clone)]
pub struct Regrouping<'a> {
    pub scan: &'a str,
    pub documents: &'a [DocumentRewrite],
    pub moves: &'a [PageMove],
    /// The document that no longer exists (merged into another).
    pub removed: Option<&'a str>,
    /// The audit action (`split_document`, `merge_documents`) and its detail.
    pub action: &'a str,
    pub detail: &'a serde_json::Value,
}

/// The page numbers of each document of a scan, documents in page order.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanLayout {
    pub scan_sha256: String,
    pub documents: Vec<(String, Vec<u32>)>,
}

impl Catalog {
    /// The documents of the scan holding `doc_id`, with their pages.
    pub fn scan_layout(&self, doc_id: &str) -> Result<Option<ScanLayout>, CatalogError> {
        let scan: Option<String> = self
            .conn
            .query_row(
                "SELECT scan_sha256 FROM documents WHERE doc_id = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(scan) = scan else { return Ok(None) };
        let mut stmt = self.conn.prepare(
            "SELECT doc_id, page_no FROM pages WHERE scan_sha256 = ?1 AND doc_id IS NOT NULL
             ORDER BY page_no",
        )?;
        let mut documents: Vec<(String, Vec<u32>)> = Vec::new();
        for row in stmt.query_map([&scan], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (d, p) = row?;
            match documents.iter_mut().find(|(id, _)| *id == d) {
                Some((_, pages)) => pages.push(p),
                None => documents.push((d, vec![p])),
            }
        }
        Ok(Some(ScanLayout {
            scan_sha256: scan,
            documents,
        }))
    }

    /// Where a document's fields were read, as recorded at ingest or the last regrouping.
    pub fn provenance(&self, doc_id: &str) -> Result<Vec<FieldSource>, CatalogError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT provenance FROM documents WHERE doc_id = ?1",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(
            super::json::parse_opt(json.as_deref(), &format!("document {doc_id} provenance"))?
                .unwrap_or_default(),
        )
    }

    /// Why the document's pages may not be regrouped, if they may not: it was released to
    /// someone (the disclosure names it), or a purge job not yet finished lists it.
    pub fn regroup_refusal(&self, doc_id: &str) -> Result<Option<String>, CatalogError> {
        let released: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM disclosure_docs WHERE doc_id = ?1",
            [doc_id],
            |r| r.get(0),
        )?;
        if released > 0 {
            return Ok(Some(format!(
                "document {doc_id} was released (its disclosure record names it); its pages cannot be regrouped"
            )));
        }
        let job: Option<String> = self
            .conn
            .query_row(
                "SELECT j.id FROM purge_items i JOIN purge_jobs j ON j.id = i.job_id
                 WHERE i.doc_id = ?1 AND j.state IN ('planned', 'approved', 'executing')",
                [doc_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(job.map(|j| {
            format!(
                "document {doc_id} is in purge job {j}; cancel the job before regrouping its pages"
            )
        }))
    }

    /// Writes a regrouping: new or changed documents, moved pages, and the document that
    /// no longer exists (a merge). Marks every touched document for re-indexing.
    pub fn apply_regroup(&mut self, g: &Regrouping, user: &str) -> Result<(), CatalogError> {
        let Regrouping {
            scan,
            documents,
            moves,
            removed,
            action,
            detail,
        } = *g;
        let keys = self.keys().clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now();
        for d in documents {
            let key = doc_key_id(&d.doc_id);
            let seal = |v: &Option<String>| keys.seal_text(&key, v.as_deref());
            let flags = serde_json::to_string(&d.review).unwrap_or_else(|_| "[]".into());
            let tag = d.patient.mrn.as_deref().map(|m| keys.mrn_tag(m));
            let provenance = serde_json::to_string(&d.provenance).unwrap_or_else(|_| "[]".into());
            // One statement for a new document (split off) and a changed one. The type is
            // the model's again: the text changed, so a reviewer's earlier label no longer
            // applies (and must not be learnt from as one).
            tx.execute(
                "INSERT INTO documents(doc_id, scan_sha256, seq, doc_type, doc_type_confidence,
                   mrn, patient_name, dob, service_date, indexed, created_at,
                   boundary_confidence, review_flags, provenance, mrn_tag)
                 VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, 1.0, ?10, ?12, ?11)
                 ON CONFLICT(doc_id) DO UPDATE SET doc_type = excluded.doc_type,
                   doc_type_confidence = excluded.doc_type_confidence, doc_type_source = 'model',
                   mrn = excluded.mrn, patient_name = excluded.patient_name, dob = excluded.dob,
                   service_date = excluded.service_date, review_flags = excluded.review_flags,
                   boundary_confidence = 1.0, mrn_tag = excluded.mrn_tag,
                   provenance = excluded.provenance, indexed = 0",
                params![
                    d.doc_id,
                    scan,
                    d.doc_type.as_str(),
                    d.doc_type_confidence,
                    seal(&d.patient.mrn)?,
                    seal(&d.patient.name)?,
                    seal(&d.patient.dob)?,
                    d.service_date,
                    at,
                    flags,
                    tag,
                    provenance,
                ],
            )?;
        }
        for m in moves {
            let key = doc_key_id(&m.doc_id);
            tx.execute(
                "UPDATE pages SET doc_id = ?3, text = ?4, words_blob = ?5, image_blob = ?6
                 WHERE scan_sha256 = ?1 AND page_no = ?2",
                params![
                    scan,
                    m.page_no,
                    m.doc_id,
                    keys.seal_text(&key, m.text.as_deref())?,
                    m.words_blob,
                    m.image_blob,
                ],
            )?;
        }
        if let Some(gone) = removed {
            // Its hand corrections of patient fields are sealed under its key, which goes.
            tx.execute(
                "DELETE FROM doc_corrections WHERE doc_id = ?1 AND field LIKE 'patient.%'",
                [gone],
            )?;
            tx.execute("DELETE FROM documents WHERE doc_id = ?1", [gone])?;
        }
        // Sequence numbers follow the first page again.
        tx.execute(
            "UPDATE documents SET seq = (
               SELECT COUNT(*) FROM documents d2
               WHERE d2.scan_sha256 = documents.scan_sha256
                 AND (SELECT MIN(page_no) FROM pages WHERE doc_id = d2.doc_id)
                   < (SELECT MIN(page_no) FROM pages WHERE doc_id = documents.doc_id))
             WHERE scan_sha256 = ?1",
            [scan],
        )?;
        for d in documents {
            tx.execute(
                "INSERT INTO doc_corrections(doc_id, field, old_value, new_value, user, at)
                 VALUES (?1, 'split', NULL, ?2, ?3, ?4)",
                params![d.doc_id, detail.to_string(), user, at],
            )?;
        }
        let subject = documents.first().map(|d| d.doc_id.as_str()).unwrap_or(scan);
        let (seq, hash) = super::audit::append_tx(&tx, &self.keys, user, action, subject, detail)?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(())
    }
}
