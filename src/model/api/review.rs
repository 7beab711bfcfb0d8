//! What the service's review operations take and answer (`crate::service::review`).

use serde::{Deserialize, Serialize};

use crate::model::{DocType, ReviewFlag};

/// Patient fields as a person corrects them; an empty value clears the field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientFix {
    pub mrn: Option<String>,
    pub name: Option<String>,
    pub dob: Option<String>,
}

/// A QA fix of one document: any of a new type, patient fields, "checked".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentFix {
    pub doc_type: Option<String>,
    pub patient: Option<PatientFix>,
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FixOutcome {
    pub doc_id: String,
    /// What changed: `doc_type`, `patient`, `review`.
    pub changed: Vec<&'static str>,
    /// The type before the fix, when the type was set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_doc_type: Option<DocType>,
    pub review_flags: Vec<ReviewFlag>,
}

/// One document after a split or merge.
#[derive(Debug, Clone, Serialize)]
pub struct RegroupedDocument {
    pub doc_id: String,
    pub doc_type: DocType,
    pub pages: Vec<u32>,
    pub review_flags: Vec<ReviewFlag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegroupOutcome {
    pub documents: Vec<RegroupedDocument>,
    /// The document merged away.
    pub removed: Option<String>,
}
