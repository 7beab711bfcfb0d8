//! Retention outcomes as data: a document's status and decision, and what a legal hold
//! covers. The rules that produce them live in `crate::retention`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionStatus {
    Retained,
    Eligible,
    OnHold,
    Indeterminate,
    Permanent,
    Destroyed,
}

impl RetentionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionStatus::Retained => "retained",
            RetentionStatus::Eligible => "eligible",
            RetentionStatus::OnHold => "on_hold",
            RetentionStatus::Indeterminate => "indeterminate",
            RetentionStatus::Permanent => "permanent",
            RetentionStatus::Destroyed => "destroyed",
        }
    }

    pub fn parse(s: &str) -> Option<RetentionStatus> {
        [
            RetentionStatus::Retained,
            RetentionStatus::Eligible,
            RetentionStatus::OnHold,
            RetentionStatus::Indeterminate,
            RetentionStatus::Permanent,
            RetentionStatus::Destroyed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One term's date, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// e.g. `patient_last_service + 10y`, `minor: dob + 28y`.
    pub rule: String,
    pub trigger_date: NaiveDate,
    pub retain_through: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub class: String,
    pub status: RetentionStatus,
    pub retain_through: Option<NaiveDate>,
    /// First day destruction is permitted (for `on_hold`: the day it would be).
    pub eligible_on: Option<NaiveDate>,
    pub binding_rule: Option<String>,
    pub candidates: Vec<Candidate>,
    /// Inputs whose absence makes the status `indeterminate`.
    pub missing: Vec<String>,
    /// Matching hold ids (or the evaluation error) for `on_hold`.
    pub holds: Vec<String>,
    pub schedule: String,
    pub schedule_hash: String,
    pub as_of: NaiveDate,
}

/// The retention class a quarantined scan falls in maps this name (in place of a document
/// type): a scan that could not be read has no type, patient or dates of its own.
pub const QUARANTINED_SCAN: &str = "quarantined_scan";

/// How one quarantine of a scan is named in a purge job (beside document ids): the scan's
/// SHA-256 and when it was quarantined, so that the same file quarantined again after its
/// destruction is a new item (its own tombstone, untouched by the old job).
pub fn quarantine_item_id(sha256: &str, quarantined_at: &str) -> String {
    let at: String = quarantined_at
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    format!("quarantine:{sha256}:{at}")
}

/// The scan a purge item names, when it is a quarantined scan.
pub fn quarantined_scan_of(item_id: &str) -> Option<&str> {
    let rest = item_id.strip_prefix("quarantine:")?;
    Some(rest.split(':').next().unwrap_or(rest))
}

/// What a hold covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HoldScope {
    /// Every document of a patient, including ones ingested later.
    Mrn { mrn: String },
    /// One document.
    Document { doc_id: String },
    /// A saved search, re-run at every check; the ids matched at placement are kept too.
    Query {
        text: String,
        #[serde(default)]
        doc_type: Option<String>,
        #[serde(default)]
        from: Option<NaiveDate>,
        #[serde(default)]
        to: Option<NaiveDate>,
    },
    /// A retention class and a range of service dates.
    Class {
        class: String,
        from: NaiveDate,
        to: NaiveDate,
    },
}

impl HoldScope {
    pub fn kind(&self) -> &'static str {
        match self {
            HoldScope::Mrn { .. } => "mrn",
            HoldScope::Document { .. } => "document",
            HoldScope::Query { .. } => "query",
            HoldScope::Class { .. } => "class",
        }
    }

    /// A description without patient data (for lists shown to people without PHI access
    /// and for the audit log).
    pub fn redacted(&self) -> String {
        match self {
            HoldScope::Mrn { .. } => "patient (MRN)".into(),
            HoldScope::Document { doc_id } => format!("document {doc_id}"),
            HoldScope::Query { .. } => "saved query".into(),
            HoldScope::Class { class, from, to } => format!("class {class}, service {from}..{to}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub id: String,
    pub matter: String,
    pub reason: String,
    pub scope: HoldScope,
    /// Query holds: document ids matched when the hold was placed.
    pub snapshot: Vec<String>,
    pub placed_by: String,
    pub placed_at: String,
    pub released_by: Option<String>,
    pub released_at: Option<String>,
    pub release_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub doc_id: String,
    /// SHA-256 over the document's page texts and blob ids when planned.
    pub content_hash: String,
    pub class: String,
    pub doc_type: String,
    pub service_year: Option<i32>,
    pub pages: u32,
    /// Which of the plan's patients it belongs to; none for a quarantined scan (its patient
    /// cannot be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_slot: Option<u32>,
    /// The document's retain-through date when planned (absent in older manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_through: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: String,
    pub state: String,
    pub as_of: String,
    pub created_by: String,
    pub created_at: String,
    pub schedule_label: String,
    pub schedule_hash: String,
    pub manifest: Vec<ManifestEntry>,
    /// SHA-256 of the manifest JSON as stored.
    pub manifest_hash: String,
    pub manifest_json: String,
    pub excluded: serde_json::Value,
    pub required_approvals: u32,
    pub approvals_expire: String,
    pub executed_by: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub verification: Option<serde_json::Value>,
    pub certificate_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tombstone {
    pub doc_id: String,
    pub class: String,
    pub doc_type: String,
    pub schedule_hash: String,
    pub service_year: Option<i32>,
    pub page_count: u32,
    pub bytes: u64,
    pub original_sha256: String,
    pub job_id: String,
    pub certificate_id: String,
    pub destroyed_at: String,
}

/// Document counts by class, status and year of service, and the next dates on which
/// documents become eligible (what `retention report` and the retention desk show).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RetentionReport {
    pub as_of: String,
    pub schedule: String,
    pub counts: Vec<ReportRow>,
    pub next_eligible: Vec<NextEligible>,
    /// Every class of the schedule with its description, in the schedule's order.
    pub classes: Vec<ClassInfo>,
}

/// A retention class as a person reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClassInfo {
    pub id: String,
    pub description: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportRow {
    pub class: String,
    pub status: String,
    pub service_year: String,
    pub documents: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct NextEligible {
    pub eligible_on: String,
    pub documents: usize,
}
