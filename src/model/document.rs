//! Documents: runs of content pages that belong together.

use serde::{Deserialize, Serialize};

/// Document types of the export contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    FaceSheet,
    ConsentForm,
    HistoryAndPhysical,
    ProgressNote,
    DischargeSummary,
    OperativeReport,
    RadiologyReport,
    PathologyReport,
    EmergencyReport,
    Correspondence,
    Unclassified,
}

impl DocType {
    pub const ALL: [DocType; 11] = [
        DocType::FaceSheet,
        DocType::ConsentForm,
        DocType::HistoryAndPhysical,
        DocType::ProgressNote,
        DocType::DischargeSummary,
        DocType::OperativeReport,
        DocType::RadiologyReport,
        DocType::PathologyReport,
        DocType::EmergencyReport,
        DocType::Correspondence,
        DocType::Unclassified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocType::FaceSheet => "face_sheet",
            DocType::ConsentForm => "consent_form",
            DocType::HistoryAndPhysical => "history_and_physical",
            DocType::ProgressNote => "progress_note",
            DocType::DischargeSummary => "discharge_summary",
            DocType::OperativeReport => "operative_report",
            DocType::RadiologyReport => "radiology_report",
            DocType::PathologyReport => "pathology_report",
            DocType::EmergencyReport => "emergency_report",
            DocType::Correspondence => "correspondence",
            DocType::Unclassified => "unclassified",
        }
    }

    pub fn parse(s: &str) -> Option<DocType> {
        DocType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Patient fields; `None` when unknown (never guessed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Patient {
    pub mrn: Option<String>,
    pub name: Option<String>,
    /// ISO `YYYY-MM-DD`.
    pub dob: Option<String>,
}

/// A document as split from a scan, before it is archived.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentDraft {
    /// Stable id derived from the scan hash and the page list.
    pub doc_id: String,
    /// 1-based page numbers in the scan, content pages only.
    pub pages: Vec<u32>,
    pub doc_type: DocType,
    pub doc_type_confidence: f32,
    pub patient: Patient,
    /// ISO `YYYY-MM-DD`.
    pub service_date: Option<String>,
}
