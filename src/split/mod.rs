//! Splitting a scan's pages into documents.
//!
//! Input: the page kinds of one scan. Output: [`DocumentDraft`]s. Blank and separator pages
//! belong to no document. A document separator starts a new document; without separators a
//! scan's content pages form one document (content-based boundaries come with the
//! splitting issue). Document ids are derived from the scan hash and the first page, so
//! replays and rebuilds give the same ids.

use sha2::{Digest, Sha256};

use crate::model::{DocType, DocumentDraft, PageKind, Patient};

pub fn doc_id(scan_sha256: &str, first_page: u32) -> String {
    let h = Sha256::digest(format!("{scan_sha256}:{first_page}").as_bytes());
    format!("d{}", &hex::encode(h)[..23])
}

/// Groups content pages into documents; `pages` is (page number, kind) in scan order.
pub fn split(scan_sha256: &str, pages: &[(u32, PageKind)]) -> Vec<DocumentDraft> {
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    for &(page_no, kind) in pages {
        match kind {
            PageKind::Content => current.push(page_no),
            PageKind::Separator | PageKind::DocSeparator => {
                if !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
            }
            PageKind::Blank => {}
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
        .into_iter()
        .map(|pages| DocumentDraft {
            doc_id: doc_id(scan_sha256, pages[0]),
            pages,
            doc_type: DocType::Unclassified,
            doc_type_confidence: 0.0,
            patient: Patient::default(),
            service_date: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_split_and_blanks_are_skipped() {
        use PageKind::*;
        let pages = [
            (1, Separator),
            (2, Content),
            (3, Blank),
            (4, Content),
            (5, DocSeparator),
            (6, Content),
        ];
        let docs = split("abc", &pages);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].pages, vec![2, 4]);
        assert_eq!(docs[1].pages, vec![6]);
        assert_eq!(docs[0].doc_id, doc_id("abc", 2));
        assert_ne!(docs[0].doc_id, docs[1].doc_id);
    }

    #[test]
    fn all_blank_scan_has_no_documents() {
        assert!(split("abc", &[(1, PageKind::Blank)]).is_empty());
    }
}
