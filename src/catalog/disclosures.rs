//! Releases of information (disclosures) and the page data the viewer and releases read.
//!
//! A disclosure keeps, per document, its type, date of service and the MRN's keyed tag, so
//! a patient's accounting of disclosures (HIPAA 164.528) still lists a release after the
//! released documents were destroyed under the retention schedule.

use rusqlite::{params, OptionalExtension};

use super::{now, Catalog, CatalogError};
use crate::keys::doc_key_id;
pub use crate::model::release::{DisclosedDocument, Disclosure};
use crate::model::PageView;

impl Catalog {
    /// How many documents (live or destroyed) came from this scan.
    pub fn documents_in_scan(&self, scan_sha256: &str) -> Result<u64, CatalogError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM documents WHERE scan_sha256 = ?1",
            [scan_sha256],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The pages of a document with their sizes and blobs, in page order.
    pub fn page_views(&self, doc_id: &str) -> Result<Vec<PageView>, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT page_no, width_px, height_px, dpi, ocr_confidence, text, words_blob,
                    image_blob, doubts
             FROM pages WHERE doc_id = ?1 ORDER BY page_no",
        )?;
        let rows = stmt
            .query_map([doc_id], |r| {
                Ok((
                    PageView {
                        page_no: r.get(0)?,
                        width_px: r.get(1)?,
                        height_px: r.get(2)?,
                        dpi: r.get(3)?,
                        ocr_confidence: r.get::<_, Option<f64>>(4)?.unwrap_or(0.0) as f32,
                        text: String::new(),
                        words_blob: r.get(6)?,
                        image_blob: r.get(7)?,
                        doubts: super::json::column(r, 8, "page doubts")?,
                    },
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let key = doc_key_id(doc_id);
        let mut pages = Vec::with_capacity(rows.len());
        for (mut p, text) in rows {
            p.text = self.keys.open_text(&key, text)?.unwrap_or_default();
            pages.push(p);
        }
        Ok(pages)
    }

    /// Records a release of information and audits it (one transaction).
    #[allow(clippy::too_many_arguments)]
    pub fn record_disclosure(
        &mut self,
        id: &str,
        user: &str,
        recipient: &str,
        purpose: &str,
        pages: u32,
        pdf_sha256: &str,
        documents: &[(DisclosedDocument, Option<String>)],
    ) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO disclosures(id, at, user, recipient, purpose, pages, pdf_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, now(), user, recipient, purpose, pages, pdf_sha256],
        )?;
        for (d, mrn) in documents {
            tx.execute(
                "INSERT INTO disclosure_docs(disclosure_id, doc_id, doc_type, service_date, mrn_tag)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    d.doc_id,
                    d.doc_type,
                    d.service_date,
                    mrn.as_deref().map(|m| self.keys.mrn_tag(m))
                ],
            )?;
        }
        let ids: Vec<&str> = documents.iter().map(|(d, _)| d.doc_id.as_str()).collect();
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "release",
            id,
            &serde_json::json!({"documents": ids, "pages": pages, "pdf_sha256": pdf_sha256}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(())
    }

    pub fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, CatalogError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, at, user, recipient, purpose, pages, pdf_sha256
                 FROM disclosures WHERE id = ?1",
                [id],
                disclosure_row,
            )
            .optional()?;
        match row {
            Some(mut d) => {
                d.documents = self.disclosed_documents(&d.id, None)?;
                Ok(Some(d))
            }
            None => Ok(None),
        }
    }

    /// Every release that carried a document of this patient, oldest first, listing only
    /// that patient's documents.
    pub fn disclosures_for_mrn(&self, mrn: &str) -> Result<Vec<Disclosure>, CatalogError> {
        let tag = self.keys.mrn_tag(mrn);
        let mut stmt = self.conn.prepare(
            "SELECT id, at, user, recipient, purpose, pages, pdf_sha256 FROM disclosures
             WHERE id IN (SELECT disclosure_id FROM disclosure_docs WHERE mrn_tag = ?1)
             ORDER BY at, id",
        )?;
        let mut list = stmt
            .query_map([&tag], disclosure_row)?
            .collect::<Result<Vec<_>, _>>()?;
        for d in &mut list {
            d.documents = self.disclosed_documents(&d.id, Some(&tag))?;
        }
        Ok(list)
    }

    fn disclosed_documents(
        &self,
        id: &str,
        mrn_tag: Option<&str>,
    ) -> Result<Vec<DisclosedDocument>, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc_id, doc_type, service_date FROM disclosure_docs
             WHERE disclosure_id = ?1 AND (?2 IS NULL OR mrn_tag = ?2) ORDER BY doc_id",
        )?;
        let rows = stmt.query_map(params![id, mrn_tag], |r| {
            Ok(DisclosedDocument {
                doc_id: r.get(0)?,
                doc_type: r.get(1)?,
                service_date: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn disclosure_row(r: &rusqlite::Row) -> rusqlite::Result<Disclosure> {
    Ok(Disclosure {
        id: r.get(0)?,
        at: r.get(1)?,
        user: r.get(2)?,
        recipient: r.get(3)?,
        purpose: r.get(4)?,
        pages: r.get(5)?,
        pdf_sha256: r.get(6)?,
        documents: vec![],
    })
}
