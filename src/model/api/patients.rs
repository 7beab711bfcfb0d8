//! What the service's patients operations take and answer (`crate::service::patients`).

use serde::{Deserialize, Serialize};

use crate::model::SearchHit;

#[derive(Debug, Clone, Serialize)]
pub struct PatientDocuments {
    pub mrn: String,
    /// The name read on the newest document that has one.
    pub name: Option<String>,
    /// The date of birth read on the newest document that has one.
    pub dob: Option<String>,
    pub total: usize,
    pub documents: Vec<SearchHit>,
}

/// A lookup of patients by name and/or date of birth.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientLookup {
    /// Words of the name, any order (`smith john`, `SMITH, JOHN`).
    pub name: Option<String>,
    /// `YYYY-MM-DD`.
    pub dob: Option<String>,
}

/// A patient the lookup found: one per MRN.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PatientMatch {
    pub mrn: String,
    pub name: Option<String>,
    pub dob: Option<String>,
    /// Live documents of the patient that match.
    pub documents: usize,
    /// The latest date of service among them.
    pub last_service: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PatientMatches {
    pub patients: Vec<PatientMatch>,
    /// True when more documents matched than were looked at ([`MAX_LOOKUP_DOCUMENTS`]):
    /// the list may miss patients; narrow the lookup.
    pub truncated: bool,
}

/// The most matching documents a lookup reads.
pub const MAX_LOOKUP_DOCUMENTS: usize = 2000;
