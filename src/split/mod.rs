//! Splitting a scan's pages into documents.
//!
//! Input: the page kinds of one scan (separators found from barcodes by [`barcode`] and
//! [`separator`]). Output: [`DocumentDraft`]s. Blank and separator pages belong to no
//! document. A separator starts a new document; a patient separator also sets the MRN of
//! the documents that follow. Between separators, [`content`] finds boundaries from
//! `Page k of n` footers and dates of service. Document ids are derived from the scan hash and the first page, so
//! replays and rebuilds give the same ids.

pub mod barcode;
pub mod content;
pub mod separator;

use sha2::{Digest, Sha256};

use crate::model::{DocType, DocumentDraft, PageKind, Patient};

pub fn doc_id(scan_sha256: &str, first_page: u32) -> String {
    let h = Sha256::digest(format!("{scan_sha256}:{first_page}").as_bytes());
    format!("d{}", &hex::encode(h)[..23])
}

/// One page as split sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPage {
    pub page_no: u32,
    pub kind: PageKind,
    /// For a patient separator: the MRN its barcode carries.
    pub separator_mrn: Option<String>,
    /// OCR text of a content page.
    pub text: Option<String>,
}

/// Groups content pages into documents, in scan order. A patient separator sets the MRN
/// of the documents after it, until the next one.
pub fn split(scan_sha256: &str, pages: &[SplitPage]) -> Vec<DocumentDraft> {
    // (pages, MRN of the sheet, weakest boundary evidence)
    let mut groups: Vec<(Vec<u32>, Option<String>, f32)> = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    let mut confidence = 1.0f32;
    let mut mrn: Option<String> = None;
    let mut boundaries = content::BoundaryTracker::default();
    for p in pages {
        match p.kind {
            PageKind::Content => {
                let d = boundaries.judge(p.text.as_deref().unwrap_or(""));
                if d.starts && !current.is_empty() {
                    groups.push((std::mem::take(&mut current), mrn.clone(), confidence));
                }
                if d.starts {
                    confidence = d.confidence;
                } else {
                    confidence = confidence.min(d.confidence);
                }
                current.push(p.page_no);
            }
            PageKind::Separator | PageKind::DocSeparator => {
                boundaries.reset();
                if !current.is_empty() {
                    groups.push((std::mem::take(&mut current), mrn.clone(), confidence));
                }
                if p.kind == PageKind::Separator {
                    mrn = p.separator_mrn.clone();
                }
            }
            PageKind::Blank => {}
        }
    }
    if !current.is_empty() {
        groups.push((current, mrn, confidence));
    }
    groups
        .into_iter()
        .map(|(pages, mrn, boundary_confidence)| DocumentDraft {
            doc_id: doc_id(scan_sha256, pages[0]),
            pages,
            doc_type: DocType::Unclassified,
            doc_type_confidence: 0.0,
            patient: Patient {
                mrn,
                ..Patient::default()
            },
            service_date: None,
            boundary_confidence,
            review: Vec::new(),
            provenance: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_split_and_blanks_are_skipped() {
        use PageKind::*;
        let page = |page_no, kind| SplitPage {
            page_no,
            kind,
            separator_mrn: (kind == Separator).then(|| "00412345".to_string()),
            text: None,
        };
        let pages = [
            page(1, Separator),
            page(2, Content),
            page(3, Blank),
            page(4, Content),
            page(5, DocSeparator),
            page(6, Content),
        ];
        let docs = split("abc", &pages);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].patient.mrn.as_deref(), Some("00412345"));
        assert_eq!(docs[0].pages, vec![2, 4]);
        assert_eq!(docs[1].pages, vec![6]);
        assert_eq!(docs[0].doc_id, doc_id("abc", 2));
        assert_ne!(docs[0].doc_id, docs[1].doc_id);
    }

    #[test]
    fn all_blank_scan_has_no_documents() {
        let blank = SplitPage {
            page_no: 1,
            kind: PageKind::Blank,
            separator_mrn: None,
            text: None,
        };
        assert!(split("abc", &[blank]).is_empty());
    }
}
