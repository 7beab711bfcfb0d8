//! What the service's releases operations take and answer (`crate::service::releases`).

/// What a person asks to release, and to whom.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub doc_ids: Vec<String>,
    pub recipient: String,
    pub purpose: String,
}

/// A built release: its disclosure id and the PDF.
#[derive(Debug, Clone)]
pub struct Released {
    pub disclosure_id: String,
    pub pdf: Vec<u8>,
}
