//! Releases of information as data: what was disclosed, to whom, and why.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosedDocument {
    pub doc_id: String,
    pub doc_type: String,
    pub service_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disclosure {
    pub id: String,
    pub at: String,
    pub user: String,
    pub recipient: String,
    pub purpose: String,
    pub pages: u32,
    pub pdf_sha256: String,
    pub documents: Vec<DisclosedDocument>,
}
