//! What the service's audit operations take and answer (`crate::service::audit`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// The latest N entries that pass the filters (100 when absent).
    pub limit: Option<usize>,
    pub user: Option<String>,
    pub action: Option<String>,
    /// A patient's Medical Record Number: entries about the patient, any of their documents
    /// (live or destroyed), searches that listed one, releases that held one.
    pub mrn: Option<String>,
    /// First and last day (`YYYY-MM-DD`, UTC) of the entries.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only entries older than this sequence number (the next page back).
    pub before: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    pub seq: i64,
    pub at: String,
    pub user: String,
    pub action: String,
    pub subject: String,
    /// The subject in words: the patient a `mrn:` tag stands for, the document an id names
    /// (type, date of service, patient); absent when the subject is neither or unknown.
    pub subject_label: Option<String>,
    /// The entry's detail as written (JSON).
    pub detail: serde_json::Value,
    pub hash: String,
}

/// One page of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditView>,
    /// The `before` that reads the next page back; absent on the oldest page.
    pub older: Option<i64>,
}
