//! OCR: page pixels to words with boxes and confidences.
//!
//! Input: an upright grayscale page and its DPI. Output: [`OcrPage`]. Each worker thread
//! owns one warm [`TesseractEngine`] (the model is loaded once, not per page). Failure
//! policy: an engine error fails the page with a message; the engine is rebuilt.

mod tesseract_engine;
mod tsv;

pub use tesseract_engine::TesseractEngine;
pub use tsv::parse_tsv;

use crate::model::OcrPage;
use image::GrayImage;

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("cannot start tesseract (language {language}): {message}; is tesseract-ocr-{language} installed?")]
    Init { language: String, message: String },
    #[error("tesseract failed on the page: {0}")]
    Recognize(String),
}

/// A recognizer of page images. The real one is tesseract; the trait keeps the pipeline
/// independent of it.
pub trait OcrEngine: Send {
    fn recognize(&mut self, image: &GrayImage, dpi: u32) -> Result<OcrPage, OcrError>;
}
