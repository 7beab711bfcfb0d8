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

    /// The name records staff use.
    pub fn label(self) -> &'static str {
        match self {
            DocType::FaceSheet => "Face sheet",
            DocType::ConsentForm => "Consent form",
            DocType::HistoryAndPhysical => "History and physical",
            DocType::ProgressNote => "Progress note",
            DocType::DischargeSummary => "Discharge summary",
            DocType::OperativeReport => "Operative report",
            DocType::RadiologyReport => "Radiology report",
            DocType::PathologyReport => "Pathology report",
            DocType::EmergencyReport => "Emergency department report",
            DocType::Correspondence => "Correspondence",
            DocType::Unclassified => "Unclassified",
        }
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
    /// How sure the split is that this document starts where it does (1.0 after a
    /// separator sheet).
    pub boundary_confidence: f32,
    /// Why a person should look at this document; empty when nothing is doubtful.
    pub review: Vec<ReviewFlag>,
    /// Where each extracted field was read.
    pub provenance: Vec<FieldSource>,
}

/// A reason a document is in the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewFlag {
    /// No document type reached the confidence threshold.
    Unclassified,
    /// The document's start was inferred from weak evidence.
    UncertainBoundary,
    /// Two different MRNs for one document (separator sheet vs page text, or two pages).
    MrnConflict,
    /// Two different values of another patient field (name, DOB) inside the document.
    FieldConflict,
    /// OCR confidence of a page is low: the text may be unreliable.
    LowOcrConfidence,
    /// A page the ink test took for a blank back carries text: kept, worth a look.
    NearlyBlankPage,
    /// A page whose barcode matches a separator rule carries a page of content: kept as
    /// content (never dropped as a separator sheet), worth a look.
    SeparatorCodeOnContent,
    /// A PDF page holds text its drawing does not show (form field values, notes without
    /// an appearance): the text was added to the page's text; the image lacks it.
    ContentNotDrawn,
}

impl ReviewFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewFlag::Unclassified => "unclassified",
            ReviewFlag::UncertainBoundary => "uncertain_boundary",
            ReviewFlag::MrnConflict => "mrn_conflict",
            ReviewFlag::FieldConflict => "field_conflict",
            ReviewFlag::LowOcrConfidence => "low_ocr_confidence",
            ReviewFlag::NearlyBlankPage => "nearly_blank_page",
            ReviewFlag::SeparatorCodeOnContent => "separator_code_on_content",
            ReviewFlag::ContentNotDrawn => "content_not_drawn",
        }
    }
}

/// Provenance of one extracted value: the page of the scan and the byte span of the page
/// text it was read from (or the separator sheet for a barcode MRN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSource {
    /// `mrn`, `name`, `dob`, `service_date` or `doc_type`.
    pub field: String,
    /// 1-based page of the scan.
    pub page: u32,
    /// Byte offsets `[start, end)` in that page's text; `None` for a barcode.
    pub span: Option<(usize, usize)>,
    /// `text`, `barcode`, `rules+model`, or `reviewer`.
    pub method: String,
    pub confidence: f32,
}

/// What a person asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regroup {
    /// This page (its number in the scan) starts a new document.
    SplitAt(u32),
    /// The document belongs to the one before it in the same scan.
    MergeIntoPrevious,
    /// This page (its number in the scan) belongs to another document of the same scan.
    MovePage { page: u32, to: String },
}
