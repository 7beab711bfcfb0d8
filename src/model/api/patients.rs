//! What the service's patients operations take and answer (`crate::service::patients`).

use serde::Serialize;

use crate::model::SearchHit;

#[derive(Debug, Clone, Serialize)]
pub struct PatientDocuments {
    pub mrn: String,
    /// The name read on the newest document that has one.
    pub name: Option<String>,
    pub total: usize,
    pub documents: Vec<SearchHit>,
}
