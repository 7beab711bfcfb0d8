//! Fixing a split by hand (the QA queue): split a document so that a page starts a new one,
//! or merge a document into the one before it in the same scan.
//!
//! Pages are sealed under their document's key (crypto-shredding), so a page that changes
//! document is re-sealed under the new document's key: its text, OCR words and viewer image.
//! The fields are read again from the new page groups (name, DOB, date of service, type);
//! the MRN stays what the separator sheet or the page text gave the document. Refused for
//! documents on legal hold, released ones, and ones in an unfinished purge job.
//!
//! Order, so a crash leaves either the old grouping or the new one: new blobs are written
//! first; the touched documents are marked for re-indexing (and a merged-away document is
//! taken out of the index) before the one catalog transaction; after it, the superseded
//! blobs are deleted and the index is brought up to date. A merged-away document's key is
//! kept (it no longer seals anything live), so a backup taken before the merge still
//! restores whole.

use chrono::NaiveDate;

use super::{Archive, ArchiveError};
use crate::catalog::{DocumentRewrite, PageMove, Regrouping};
use crate::config::PipelineConfig;
use crate::describe::PageText;
use crate::keys::doc_key_id;
pub use crate::model::document::Regroup;
use crate::model::{FieldSource, Patient, ReviewFlag};
use crate::retention::{RetentionStatus, Schedule};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regrouped {
    /// The documents as they are now (the first is the one the person fixed, or the one
    /// it was merged into).
    pub documents: Vec<String>,
    /// The document that no longer exists (merged into the one before it).
    pub removed: Option<String>,
}

fn refused(m: String) -> ArchiveError {
    ArchiveError::Refused(m)
}

impl Archive {
    pub fn regroup(
        &mut self,
        config: &PipelineConfig,
        schedule: &Schedule,
        doc_id: &str,
        how: Regroup,
        user: &str,
        today: NaiveDate,
    ) -> Result<Regrouped, ArchiveError> {
        let layout = self
            .catalog
            .scan_layout(doc_id)?
            .ok_or_else(|| refused(format!("no document with id {doc_id}")))?;
        let index_of = |id: &str| layout.documents.iter().position(|(d, _)| d == id);
        let at =
            index_of(doc_id).ok_or_else(|| refused(format!("document {doc_id} has no pages")))?;
        // (kept document, its pages) and (other document, its pages) after the change.
        let (keep, other, removed) = match &how {
            Regroup::SplitAt(page) => {
                let page = *page;
                let pages = &layout.documents[at].1;
                if !pages.contains(&page) {
                    return Err(ArchiveError::Setup(format!(
                        "page {page} is not a page of document {doc_id} (its pages: {pages:?})"
                    )));
                }
                if pages[0] == page {
                    return Err(ArchiveError::Setup(format!(
                        "page {page} already starts document {doc_id}"
                    )));
                }
                let new_id = crate::split::doc_id(&layout.scan_sha256, page);
                if self.catalog.document(&new_id)?.is_some()
                    || self.catalog.tombstone(&new_id)?.is_some()
                {
                    return Err(refused(format!(
                        "a document {new_id} starting at page {page} exists already"
                    )));
                }
                let (before, after): (Vec<u32>, Vec<u32>) = pages.iter().partition(|p| **p < page);
                ((doc_id.to_string(), before), (new_id, after), None)
            }
            Regroup::MergeIntoPrevious => {
                if at == 0 {
                    return Err(refused(format!(
                        "document {doc_id} is the first of its scan; there is none before it to merge into"
                    )));
                }
                let (prev, prev_pages) = &layout.documents[at - 1];
                let mut pages = prev_pages.clone();
                pages.extend(&layout.documents[at].1);
                (
                    (prev.clone(), pages),
                    (doc_id.to_string(), Vec::new()),
                    Some(doc_id.to_string()),
                )
            }
            Regroup::MovePage { page, to } => {
                let pages = &layout.documents[at].1;
                if !pages.contains(page) {
                    return Err(ArchiveError::Setup(format!(
                        "page {page} is not a page of document {doc_id} (its pages: {pages:?})"
                    )));
                }
                if to == doc_id {
                    return Err(ArchiveError::Setup(format!(
                        "page {page} is already in document {doc_id}"
                    )));
                }
                let target = index_of(to).ok_or_else(|| {
                    refused(format!(
                        "document {to} is not a document of the same scan; a page moves only \
                         between documents scanned together"
                    ))
                })?;
                let mut into = layout.documents[target].1.clone();
                into.push(*page);
                into.sort_unstable();
                let rest: Vec<u32> = pages.iter().copied().filter(|p| p != page).collect();
                // The last page leaving a document: the document is merged away.
                let removed = rest.is_empty().then(|| doc_id.to_string());
                ((to.clone(), into), (doc_id.to_string(), rest), removed)
            }
        };
        let touched: Vec<String> = [keep.0.clone(), doc_id.to_string()]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for id in &touched {
            if let Some(why) = self.catalog.regroup_refusal(id)? {
                return Err(refused(why));
            }
            let on_hold = self
                .decisions(schedule, today, Some(std::slice::from_ref(id)))?
                .iter()
                .any(|(_, d)| d.status == RetentionStatus::OnHold);
            if on_hold {
                return Err(refused(format!(
                    "document {id} is on legal hold; its pages cannot be regrouped until the hold is released"
                )));
            }
        }

        // Everything the pages hold, in the clear, from the documents they are in now.
        let mut views = Vec::new();
        for id in &touched {
            for v in self.catalog.page_views(id)? {
                views.push((id.clone(), v));
            }
        }
        let page = |n: u32| views.iter().find(|(_, v)| v.page_no == n);
        let old = |id: &str| self.catalog.document(id);
        let source_doc =
            old(doc_id)?.ok_or_else(|| refused(format!("no document with id {doc_id}")))?;
        let keep_doc =
            old(&keep.0)?.ok_or_else(|| refused(format!("no document with id {}", keep.0)))?;

        // Re-seal the pages that change document.
        let mut groups = vec![keep.clone()];
        if !other.1.is_empty() {
            groups.push(other.clone());
            self.keys.ensure(&[doc_key_id(&other.0)])?;
        }
        let mut moves = Vec::new();
        let mut superseded = Vec::new();
        for (id, pages) in &groups {
            let key = doc_key_id(id);
            for n in pages {
                let Some((from, v)) = page(*n) else { continue };
                if from == id {
                    continue;
                }
                let mut reseal = |blob: &Option<String>| -> Result<Option<String>, ArchiveError> {
                    match blob {
                        Some(b) => {
                            let bytes = self.store.get(b)?;
                            superseded.push(b.clone());
                            Ok(Some(self.store.put(&bytes, &key)?))
                        }
                        None => Ok(None),
                    }
                };
                let words_blob = reseal(&v.words_blob)?;
                let image_blob = reseal(&v.image_blob)?;
                moves.push(PageMove {
                    page_no: *n,
                    doc_id: id.clone(),
                    text: Some(v.text.clone()),
                    words_blob,
                    image_blob,
                });
            }
        }

        // The fields of each group, read again from its pages (as at ingest).
        let classifier = self.classifier(config)?;
        let mut rewrites = Vec::new();
        for (id, pages) in &groups {
            let texts: Vec<PageText> = pages
                .iter()
                .filter_map(|n| page(*n))
                .map(|(_, v)| PageText {
                    page_no: v.page_no,
                    text: v.text.as_str(),
                    ocr_confidence: Some(v.ocr_confidence),
                    doubts: &v.doubts,
                })
                .collect();
            // A grouping a person made is certain (boundary confidence 1).
            let d =
                crate::describe::describe(&texts, None, 1.0, &classifier, &config.review, today);
            let base = if *id == keep_doc.doc_id {
                &keep_doc
            } else {
                &source_doc
            };
            // The MRN is not re-read: its source stays the one recorded for it.
            let mut provenance: Vec<FieldSource> = self
                .catalog
                .provenance(&base.doc_id)?
                .into_iter()
                .filter(|f| f.field == "mrn")
                .collect();
            provenance.extend(d.provenance);
            let mut review = Vec::new();
            let mrn = base.patient.mrn.clone();
            if let (Some(a), Some(b)) = (&mrn, &source_doc.patient.mrn) {
                if a != b {
                    review.push(ReviewFlag::MrnConflict);
                }
            }
            if d.mrn_conflict
                || d.text_mrn
                    .as_ref()
                    .is_some_and(|(m, _)| Some(m) != mrn.as_ref())
            {
                review.push(ReviewFlag::MrnConflict);
            }
            review.dedup();
            review.extend(d.review);
            rewrites.push(DocumentRewrite {
                doc_id: id.clone(),
                doc_type: d.doc_type,
                doc_type_confidence: d.doc_type_confidence,
                patient: Patient {
                    mrn,
                    name: d.name.or_else(|| base.patient.name.clone()),
                    dob: d.dob.or_else(|| base.patient.dob.clone()),
                },
                service_date: d.service_date,
                review,
                provenance,
            });
        }

        let detail = serde_json::json!({
            "scan": layout.scan_sha256,
            "how": match &how {
                Regroup::SplitAt(p) => format!("split at page {p}"),
                Regroup::MergeIntoPrevious => "merge into previous".into(),
                Regroup::MovePage { page, to } => format!("page {page} moved to {to}"),
            },
            "documents": groups.iter().map(|(id, pages)| serde_json::json!({"doc_id": id, "pages": pages})).collect::<Vec<_>>(),
            "removed": removed,
        });
        // Re-index marks first; a merged-away document leaves the index before the catalog.
        self.catalog.mark_indexed(&touched, false)?;
        if let Some(gone) = &removed {
            self.index.delete_doc(gone)?;
            self.index.commit()?;
        }
        let action = match &how {
            Regroup::SplitAt(_) => "split_document",
            Regroup::MergeIntoPrevious => "merge_documents",
            Regroup::MovePage { .. } => "move_page",
        };
        self.catalog.apply_regroup(
            &Regrouping {
                scan: &layout.scan_sha256,
                documents: &rewrites,
                moves: &moves,
                removed: removed.as_deref(),
                action,
                detail: &detail,
            },
            user,
        )?;
        for b in superseded {
            self.store.remove(&b)?;
        }
        let ids: Vec<String> = groups.iter().map(|(id, _)| id.clone()).collect();
        self.recompute_retention(schedule, today, Some(&ids))?;
        self.sync_index()?;
        Ok(Regrouped {
            documents: ids,
            removed,
        })
    }
}
