//! What the service's documents operations take and answer (`crate::service::documents`).

use serde::Serialize;

use crate::model::retention::Decision;
use crate::model::{DocumentRecord, PageView, ReviewFlag, Tombstone};

/// A correction a person made to a field.
#[derive(Debug, Clone, Serialize)]
pub struct Correction {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub user: String,
    pub at: String,
}

/// A live document with everything a reader is shown about it.
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub document: DocumentRecord,
    /// The retention decision as of the date asked (today unless given).
    pub retention: Option<Decision>,
    pub review_flags: Vec<ReviewFlag>,
    pub corrections: Vec<Correction>,
    /// Files of the scan the document came from (1, or a folder batch's pages).
    pub files: usize,
    pub other_documents_in_scan: u64,
    /// Page sizes and blobs, in page order.
    pub pages: Vec<PageView>,
    /// The live documents of the same scan with their pages (numbers in the scan), in scan
    /// order: where a page may be moved.
    pub scan_documents: Vec<(String, Vec<u32>)>,
}

/// What `show` finds: the document, or what is kept of a destroyed one.
#[derive(Debug, Clone)]
pub enum Shown {
    Live(Box<DocumentView>),
    Destroyed(Box<Tombstone>),
}
