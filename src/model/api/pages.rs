//! What the service's pages operations take and answer (`crate::service::pages`).

use serde::Serialize;

use crate::model::OcrWord;

/// One page as the viewer shows it: size, text, word boxes, and which words are hits.
#[derive(Debug, Clone, Serialize)]
pub struct PageShown {
    pub doc_id: String,
    pub page_no: u32,
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: u32,
    pub ocr_confidence: f32,
    pub text: String,
    pub words: Vec<OcrWord>,
    /// Indexes into `words` of the words that match the query's terms.
    pub hits: Vec<usize>,
}

/// A person's turn of a page: how it reads now.
#[derive(Debug, Clone, Serialize)]
pub struct TurnedPage {
    pub doc_id: String,
    pub page_no: u32,
    pub rotation_deg: u32,
    pub confidence_before: f32,
    pub confidence_after: f32,
    pub words: usize,
}

/// How far to turn a page, clockwise as a person sees it: 90, 180 or 270.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnPage {
    pub turn: u32,
}

/// One file of the scan a document came from.
#[derive(Debug, Clone)]
pub struct Original {
    pub doc_id: String,
    /// The file's name as it was ingested.
    pub name: String,
    pub bytes: Vec<u8>,
}
