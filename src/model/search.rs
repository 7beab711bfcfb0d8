//! Searches as data: the query a front door asks, and the hits, totals and facet counts
//! the index answers. The index itself lives in `crate::index`.

use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub mrn: Option<String>,
    pub doc_type: Option<String>,
    /// Inclusive service-date bounds, `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: usize,
    pub offset: usize,
    /// Retention status as last computed (`on_hold`, `eligible`, ...).
    pub retention_status: Option<String>,
    /// Only documents whose eligible-on date is before this `YYYY-MM-DD`.
    pub eligible_before: Option<String>,
    /// Also match words one edit away from the query's words (OCR slips, typos).
    pub fuzzy: bool,
    /// Count the matching documents by type, year of service and retention status.
    pub facets: bool,
    pub sort: SortOrder,
    /// Only documents whose patient name holds every word of this (any order, any case).
    pub patient_name: Option<String>,
    /// Only documents whose date of birth is this `YYYY-MM-DD`.
    pub dob: Option<String>,
}

/// Order of the hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Latest date of service first.
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Present when the query asked for facets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub doc_id: String,
    pub score: f32,
    pub doc_type: String,
    pub source_path: String,
    pub pages: Vec<u32>,
    pub mrn: Option<String>,
    pub patient_name: Option<String>,
    pub dob: Option<String>,
    pub service_date: Option<String>,
    /// A fragment of the text around the best match.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<(usize, usize)>,
}

/// Counts of the matching documents, most frequent first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub doc_type: Vec<(String, u64)>,
    /// Year of service (documents without a date of service are not counted).
    pub year: Vec<(i64, u64)>,
    pub retention_status: Vec<(String, u64)>,
}
