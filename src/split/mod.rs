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

use crate::model::{DocType, DocumentDraft, DocumentStart, PageKind, Patient};

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
    /// A `document_start` barcode on this content page.
    pub start: Option<DocumentStart>,
    /// OCR text of a content page.
    pub text: Option<String>,
}

/// Pages gathered into one document so far.
struct Group {
    pages: Vec<u32>,
    /// MRN of the patient separator sheet before it.
    mrn: Option<String>,
    /// Weakest boundary evidence.
    confidence: f32,
    /// The `document_start` barcode on its first page.
    start: Option<DocumentStart>,
}

/// Groups content pages into documents, in scan order. A patient separator sets the MRN
/// of the documents after it, until the next one. A `document_start` barcode starts a
/// document on the page carrying it, which stays in it.
pub fn split(scan_sha256: &str, pages: &[SplitPage]) -> Vec<DocumentDraft> {
    let mut groups: Vec<Group> = Vec::new();
    let mut current = Group {
        pages: Vec::new(),
        mrn: None,
        confidence: 1.0,
        start: None,
    };
    let mut mrn: Option<String> = None;
    let mut boundaries = content::BoundaryTracker::default();
    let close = |current: &mut Group, groups: &mut Vec<Group>, mrn: &Option<String>| {
        let next = Group {
            pages: Vec::new(),
            mrn: mrn.clone(),
            confidence: 1.0,
            start: None,
        };
        let done = std::mem::replace(current, next);
        if !done.pages.is_empty() {
            groups.push(done);
        }
    };
    for p in pages {
        match p.kind {
            PageKind::Content => {
                if let Some(start) = &p.start {
                    boundaries.reset();
                    close(&mut current, &mut groups, &mrn);
                    current.start = Some(start.clone());
                    // The page still opens the content tracker's view of this document.
                    let _ = boundaries.judge(p.text.as_deref().unwrap_or(""));
                    current.pages.push(p.page_no);
                    continue;
                }
                let d = boundaries.judge(p.text.as_deref().unwrap_or(""));
                if d.starts && !current.pages.is_empty() {
                    close(&mut current, &mut groups, &mrn);
                }
                if d.starts {
                    current.confidence = d.confidence;
                } else {
                    current.confidence = current.confidence.min(d.confidence);
                }
                current.mrn = mrn.clone();
                current.pages.push(p.page_no);
            }
            PageKind::Separator | PageKind::DocSeparator => {
                boundaries.reset();
                if p.kind == PageKind::Separator {
                    close(&mut current, &mut groups, &mrn);
                    mrn = p.separator_mrn.clone();
                    current.mrn = mrn.clone();
                } else {
                    close(&mut current, &mut groups, &mrn);
                }
            }
            PageKind::Blank => {}
        }
    }
    close(&mut current, &mut groups, &mrn);
    groups
        .into_iter()
        .map(|g| {
            let start = g.start.unwrap_or_default();
            // A code naming another patient than the separator sheet before it: keep the
            // code's MRN (it is on the document itself) and send it to review.
            let conflict = matches!((&start.mrn, &g.mrn), (Some(a), Some(b)) if a != b);
            DocumentDraft {
                doc_id: doc_id(scan_sha256, g.pages[0]),
                pages: g.pages,
                doc_type: start.doc_type.unwrap_or(DocType::Unclassified),
                doc_type_confidence: if start.doc_type.is_some() { 1.0 } else { 0.0 },
                patient: Patient {
                    mrn: start.mrn.or(g.mrn),
                    ..Patient::default()
                },
                service_date: None,
                boundary_confidence: g.confidence,
                review: if conflict {
                    vec![crate::model::ReviewFlag::MrnConflict]
                } else {
                    Vec::new()
                },
                provenance: Vec::new(),
            }
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
            start: None,
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
            start: None,
            text: None,
        };
        assert!(split("abc", &[blank]).is_empty());
    }

    #[test]
    fn a_document_start_code_keeps_its_page_and_sets_type_and_mrn() {
        use PageKind::*;
        let page = |page_no, kind, start: Option<DocumentStart>| SplitPage {
            page_no,
            kind,
            separator_mrn: (kind == Separator).then(|| "00412345".to_string()),
            start,
            text: None,
        };
        let consent = DocumentStart {
            doc_type: Some(DocType::ConsentForm),
            mrn: None,
        };
        let outside = DocumentStart {
            doc_type: None,
            mrn: Some("00999999".into()),
        };
        let pages = [
            page(1, Separator, None),
            page(2, Content, None),
            page(3, Content, Some(consent)),
            page(4, Content, None),
            page(5, Content, Some(outside)),
        ];
        let docs = split("abc", &pages);
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].pages, vec![2]);
        assert_eq!(docs[1].pages, vec![3, 4]);
        assert_eq!(docs[1].doc_type, DocType::ConsentForm);
        assert_eq!(
            docs[2].boundary_confidence, 1.0,
            "the code is sure where it starts"
        );
        assert_eq!(docs[1].patient.mrn.as_deref(), Some("00412345"));
        assert_eq!(docs[2].pages, vec![5]);
        assert_eq!(docs[2].patient.mrn.as_deref(), Some("00999999"));
        assert_eq!(
            docs[2].review,
            vec![crate::model::ReviewFlag::MrnConflict],
            "the code names another patient than the sheet"
        );
        assert!(docs[1].review.is_empty());
        assert_eq!(docs[2].doc_type, DocType::Unclassified);
    }
}
