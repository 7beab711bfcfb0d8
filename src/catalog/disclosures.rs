//! Releases of information (disclosures) and the page data the viewer and releases read.
//!
//! A disclosure keeps, per document, its type, date of service and the MRN's keyed tag, so
//! a patient's accounting of disclosures (HIPAA 164.528) still lists a release after the
//! released documents were destroyed under the retention schedule.

use rusqlite::{params, OptionalExtension};

use super::{now, Catalog, CatalogError};
use crate::keys::doc_key_id;
pub use crate::model::release::{DisclosedDocument, Disclosure};
use crate::model::{PageView, ReleaseBasis};

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
    pub fn record_disclosure(&mut self, n: &NewDisclosure) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (id, user, pages, pdf_sha256, documents) =
            (n.id, n.user, n.pages, n.pdf_sha256, n.documents);
        // Who asked may be the patient: sealed like patient fields.
        self.keys.ensure(&[REQUESTER_KEY.to_string()])?;
        let requester = self.keys.seal_text(REQUESTER_KEY, Some(n.requester))?;
        tx.execute(
            "INSERT INTO disclosures(id, at, user, recipient, purpose, pages, pdf_sha256,
                    requester, basis, authorization_on_file, authorization_expires,
                    cover_date, facility)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                id,
                now(),
                user,
                n.recipient,
                n.purpose,
                pages,
                pdf_sha256,
                requester,
                n.basis.as_str(),
                n.authorization_on_file,
                n.authorization_expires,
                n.cover_date,
                n.facility
            ],
        )?;
        for (seq, (d, mrn)) in documents.iter().enumerate() {
            tx.execute(
                "INSERT INTO disclosure_docs(disclosure_id, doc_id, doc_type, service_date,
                        mrn_tag, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    d.doc_id,
                    d.doc_type,
                    d.service_date,
                    mrn.as_deref().map(|m| self.keys.mrn_tag(m)),
                    seq as i64
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
            &serde_json::json!({"documents": ids, "pages": pages, "pdf_sha256": pdf_sha256,
                "basis": n.basis.as_str(), "authorization_on_file": n.authorization_on_file}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(())
    }

    pub fn disclosure(&self, id: &str) -> Result<Option<Disclosure>, CatalogError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, at, user, recipient, purpose, pages, pdf_sha256, requester, basis,
                        authorization_on_file, authorization_expires
                 FROM disclosures WHERE id = ?1",
                [id],
                disclosure_row,
            )
            .optional()?;
        match row {
            Some(mut d) => {
                d.documents = self.disclosed_documents(&d.id, None)?;
                d.requester = self.keys.open_text(REQUESTER_KEY, d.requester.take())?;
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
            "SELECT id, at, user, recipient, purpose, pages, pdf_sha256, requester, basis,
                    authorization_on_file, authorization_expires FROM disclosures
             WHERE id IN (SELECT disclosure_id FROM disclosure_docs WHERE mrn_tag = ?1)
             ORDER BY at, id",
        )?;
        let mut list = stmt
            .query_map([&tag], disclosure_row)?
            .collect::<Result<Vec<_>, _>>()?;
        for d in &mut list {
            d.documents = self.disclosed_documents(&d.id, Some(&tag))?;
            d.requester = self.keys.open_text(REQUESTER_KEY, d.requester.take())?;
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
             WHERE disclosure_id = ?1 AND (?2 IS NULL OR mrn_tag = ?2)
             ORDER BY COALESCE(seq, 0), doc_id",
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
        requester: r.get(7)?,
        basis: match r.get::<_, Option<String>>(8)? {
            None => None,
            Some(b) => Some(ReleaseBasis::parse(&b).ok_or_else(|| {
                super::json::conversion(
                    8,
                    CatalogError::Corrupt(format!("disclosure basis {b:?} is not known")),
                )
            })?),
        },
        authorization_on_file: r.get(9)?,
        authorization_expires: r.get(10)?,
        documents: vec![],
    })
}

/// The key a release's requester is sealed under (it may be the patient's own name).
const REQUESTER_KEY: &str = "disclosure-requesters";

/// A release to record ([`Catalog::record_disclosure`]).
pub struct NewDisclosure<'a> {
    pub id: &'a str,
    pub user: &'a str,
    pub requester: &'a str,
    pub recipient: &'a str,
    pub purpose: &'a str,
    pub basis: ReleaseBasis,
    pub authorization_on_file: bool,
    pub authorization_expires: Option<&'a str>,
    /// The date text the cover sheet printed, and the facility it named.
    pub cover_date: &'a str,
    pub facility: &'a str,
    pub pages: u32,
    pub pdf_sha256: &'a str,
    /// In release order, each with its patient's MRN (kept only as a keyed tag).
    pub documents: &'a [(DisclosedDocument, Option<String>)],
}

/// What it takes to build a recorded release's PDF again: the cover sheet's date text and
/// facility, and the documents in release order. `None` for releases recorded before these
/// were kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseReplay {
    pub cover_date: String,
    pub facility: String,
    pub doc_ids: Vec<String>,
}

impl Catalog {
    pub fn release_replay(&self, id: &str) -> Result<Option<ReleaseReplay>, CatalogError> {
        let head: Option<(Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT cover_date, facility FROM disclosures WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((Some(cover_date), Some(facility))) = head else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT doc_id FROM disclosure_docs WHERE disclosure_id = ?1 ORDER BY seq",
        )?;
        let doc_ids = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(Some(ReleaseReplay {
            cover_date,
            facility,
            doc_ids,
        }))
    }
}
