//! What the service's search operations take and answer (`crate::service::search`).

use serde::{Deserialize, Serialize};

/// A search as a person asks it: every field as typed (the API's query parameters).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchRequest {
    #[serde(default)]
    pub q: String,
    pub mrn: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub year: Option<i32>,
    pub retention_status: Option<String>,
    pub eligible_before: Option<String>,
    #[serde(default)]
    pub fuzzy: bool,
    #[serde(default)]
    pub facets: bool,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    pub sort: Option<String>,
}

/// A search a user kept under a name: the search page's parameters (`q=...&type=...`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    pub query: String,
    pub created_at: String,
}

/// A search to keep.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveSearch {
    pub name: String,
    pub query: String,
}
