//! What the service's purge operations take and answer (`crate::service::purge`).

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use chrono::NaiveDate;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// The date the plan is made as of (today when absent; a later date makes a forecast).
    pub as_of: Option<NaiveDate>,
    /// Only to be refused clearly: the number of approvals is the facility's policy (the
    /// retention schedule's `purge_approvals`), never a plan's choice.
    pub approvals: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub job_id: String,
    /// `planned`, or `forecast` for a plan as of a later date.
    pub state: &'static str,
    pub forecast: bool,
    /// Items in the manifest: documents and quarantined scans.
    pub documents: usize,
    /// Of `documents`, quarantined scans (files that could not be read).
    pub quarantined_scans: usize,
    pub excluded: BTreeMap<String, usize>,
    pub manifest_sha256: String,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    pub required_approvals: u32,
    pub earliest_retain_through: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Approved {
    pub job_id: String,
    pub approvals: usize,
    pub required: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub doc_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Executed {
    pub job_id: String,
    pub approved: usize,
    pub destroyed: usize,
    pub skipped: Vec<Skipped>,
    pub verified: bool,
    pub certificate_id: Option<String>,
}

/// A job as the lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct JobSummary {
    pub id: String,
    pub state: String,
    pub as_of: String,
    pub schedule: String,
    pub created_by: String,
    pub created_at: String,
    pub documents: usize,
    pub earliest_retain_through: Option<NaiveDate>,
    pub forecast: bool,
    pub excluded: serde_json::Value,
    pub manifest_sha256: String,
    pub required_approvals: u32,
    pub approvals_expire: String,
    pub executed_by: Option<String>,
    pub finished_at: Option<String>,
    pub verification: Option<serde_json::Value>,
    pub certificate_id: Option<String>,
    /// The approvals that count (what execution will count).
    pub approved_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApprovalView {
    pub user: String,
    pub at: String,
    /// Bound to the job's manifest as it is now.
    pub valid: bool,
}

/// One document of a job's manifest, with its patient for the review.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestRow {
    pub doc_id: String,
    pub class: String,
    pub doc_type: String,
    pub patient_name: Option<String>,
    pub mrn: Option<String>,
    pub service_date: Option<String>,
    pub retain_through: Option<NaiveDate>,
    /// Destroyed by this job, or by another one since (a forecast's list).
    pub destroyed: bool,
    /// `pending`, `destroyed`, `skipped` or `destroyed_by_another_job`.
    pub state: String,
    pub skip_reason: Option<String>,
    /// For a quarantined scan (`doc_type` `quarantined_scan`): the file it came from and
    /// why it could not be read, so reviewers can judge a file whose patient is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarantine_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemCounts {
    pub destroyed: usize,
    pub skipped: usize,
    pub pending: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobDetail {
    #[serde(flatten)]
    pub summary: JobSummary,
    pub approvals: Vec<ApprovalView>,
    /// The review list (patients named: audited); empty unless asked for.
    pub manifest: Vec<ManifestRow>,
    /// The review list stops at [`MAX_REVIEW_ROWS`] on the web: the rest is not shown
    /// (`documents` is the manifest's size; the command line lists every row).
    pub manifest_truncated: bool,
    pub items: ItemCounts,
}
