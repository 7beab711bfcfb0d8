//! Archived documents as read back from the catalog: what export, index and `show` use.

use super::{DocType, Patient};

/// One page of an archived document.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRecord {
    pub page_no: u32,
    pub rotation_deg: u32,
    pub skew_deg: f32,
    pub ocr_confidence: f32,
    pub text: String,
    pub words_blob: Option<String>,
    pub image_blob: Option<String>,
    pub text_source: super::TextSource,
}

/// One archived document with its pages.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRecord {
    pub doc_id: String,
    pub scan_sha256: String,
    pub source_path: String,
    pub doc_type: DocType,
    pub doc_type_confidence: f32,
    pub patient: Patient,
    pub service_date: Option<String>,
    pub pages: Vec<PageRecord>,
    /// Retention decision as last computed (`None` before the first computation).
    pub retention: Option<super::retention::Decision>,
}

impl DocumentRecord {
    /// All page texts, pages separated by a blank line.
    pub fn full_text(&self) -> String {
        self.pages
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    pub fn page_numbers(&self) -> Vec<u32> {
        self.pages.iter().map(|p| p.page_no).collect()
    }
}

/// A document waiting for a person (the QA queue).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewItem {
    pub doc_id: String,
    pub doc_type: super::DocType,
    pub doc_type_confidence: f32,
    pub boundary_confidence: f32,
    pub flags: Vec<super::ReviewFlag>,
    /// The patient and date as read, so a person sees whose document it is.
    pub mrn: Option<String>,
    pub patient_name: Option<String>,
    pub service_date: Option<String>,
    /// The document's first page (its number in the scan) and how many pages it has.
    pub first_page: Option<u32>,
    pub pages: u32,
}
