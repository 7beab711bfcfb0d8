//! Pages: decoded pixels, what imaging found, and what OCR read.

use image::GrayImage;
use serde::{Deserialize, Serialize};

/// One decoded page, 8-bit grayscale, upright as stored in the scan.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// 1-based position in the scan as fed.
    pub page_no: u32,
    pub image: GrayImage,
    /// Resolution from the file's metadata, or estimated from a US Letter page width.
    pub dpi: u32,
    /// Real text the file itself carries for this page (a born-digital PDF), in pixels of
    /// `image`; `None` when the page must be read by OCR.
    pub text_layer: Option<TextLayer>,
    /// Text the file holds for this page that its drawing does not show (a PDF form
    /// field's value or a note without an appearance): added to the page's text and the
    /// page flagged for review, never lost silently.
    pub not_drawn: Vec<String>,
}

/// A page's own text (not an invisible OCR layer of unknown quality).
#[derive(Debug, Clone, PartialEq)]
pub struct TextLayer {
    /// The words, with boxes in page pixels and confidence 100.
    pub page: OcrPage,
    /// The page also shows pictures large enough to hold text of their own: they are read
    /// by OCR and their words added.
    pub ocr_pictures: bool,
}

/// Where a page's text came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// Read by OCR from the page image.
    #[default]
    Ocr,
    /// Taken from the text the PDF carries (born-digital pages); pictures on such a page
    /// are read by OCR and their words added.
    PdfText,
}

impl TextSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TextSource::Ocr => "ocr",
            TextSource::PdfText => "pdf_text",
        }
    }

    pub fn parse(s: &str) -> Option<TextSource> {
        match s {
            "ocr" => Some(TextSource::Ocr),
            "pdf_text" => Some(TextSource::PdfText),
            _ => None,
        }
    }
}

/// A barcode that starts a document on the page carrying it (the page stays content).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentStart {
    /// The document's type, when the rule (or the code) names one.
    pub doc_type: Option<super::DocType>,
    /// The document's MRN, when the code carries one.
    pub mrn: Option<String>,
}

/// What a page is, decided from pixels before OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    Content,
    Blank,
    Separator,
    DocSeparator,
}

impl PageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Content => "content",
            PageKind::Blank => "blank",
            PageKind::Separator => "separator",
            PageKind::DocSeparator => "doc_separator",
        }
    }

    pub fn parse(s: &str) -> Option<PageKind> {
        match s {
            "content" => Some(PageKind::Content),
            "blank" => Some(PageKind::Blank),
            "separator" => Some(PageKind::Separator),
            "doc_separator" => Some(PageKind::DocSeparator),
            _ => None,
        }
    }
}

/// One recognized word with its box in page pixels (of the image OCR saw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrWord {
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// Tesseract's word confidence, 0 to 100.
    pub conf: f32,
    /// Index of the text line this word belongs to (reading order).
    pub line: u32,
}

/// What OCR read on one page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OcrPage {
    /// Text in reading order, lines separated by `\n`, no empty lines.
    pub text: String,
    pub words: Vec<OcrWord>,
    /// Mean word confidence, 0 to 100.
    pub confidence: f32,
}

/// Everything the page stages produced for one page.
#[derive(Debug, Clone)]
pub struct PageResult {
    pub page_no: u32,
    pub kind: PageKind,
    pub dpi: u32,
    pub width_px: u32,
    pub height_px: u32,
    pub rotation_deg: u32,
    pub skew_deg: f32,
    /// Barcode value read on the page, if any.
    pub barcode: Option<String>,
    /// For a patient separator sheet: the MRN its barcode carries.
    pub separator_mrn: Option<String>,
    /// A barcode on this content page starts a new document here.
    pub start: Option<DocumentStart>,
    /// None for pages that are not OCR'd (blank, separator).
    pub ocr: Option<OcrPage>,
    /// Where `ocr` came from.
    pub text_source: TextSource,
    /// The page image as shown in the viewer (JPEG, reduced resolution).
    pub viewer_jpeg: Vec<u8>,
    /// Milliseconds spent in imaging and in OCR for this page.
    pub imaging_ms: u64,
    /// Barcode reading (split stage), not counted in `imaging_ms`.
    pub barcode_ms: u64,
    pub ocr_ms: u64,
    /// Times tesseract read the page (second readings: turned 180 degrees, thickened).
    pub ocr_readings: u32,
    /// What the page's reading found doubtful (kept as content, for a person to check).
    pub doubts: Vec<crate::model::ReviewFlag>,
}

/// One archived page of a document as the viewer, releases and regrouping read it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageView {
    pub page_no: u32,
    /// Size of the image OCR read (word boxes are in these pixels).
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: u32,
    pub ocr_confidence: f32,
    pub text: String,
    pub words_blob: Option<String>,
    pub image_blob: Option<String>,
    /// What reading the page found doubtful (kept with the page, so a document regrouped
    /// later still carries its pages' doubts to the review queue).
    pub doubts: Vec<crate::model::ReviewFlag>,
}
