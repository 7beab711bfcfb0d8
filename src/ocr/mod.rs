//! OCR: page pixels to words with boxes and confidences.
//!
//! Input: an upright grayscale page and its DPI. Output: [`OcrPage`]. Each worker thread
//! owns one warm [`TesseractEngine`] (the model is loaded once, not per page). Failure
//! policy: an engine error fails the page with a message; the engine is rebuilt.

mod order;
pub mod reread;
mod tesseract_engine;
mod tsv;

pub use tesseract_engine::TesseractEngine;
pub use tsv::parse_tsv;

use crate::model::OcrPage;
use image::GrayImage;
use std::path::Path;

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

/// Path of the libtesseract this process loaded (from `/proc/self/maps`): the optimised
/// build from `tools/build-tesseract.sh` or the system's. Benchmarks print it, since OCR
/// speed depends on it. `None` when it cannot be told (not Linux, statically linked).
pub fn loaded_library() -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .find(|path| {
            Path::new(path)
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libtesseract.so"))
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_loaded_libtesseract_is_found() {
        // A warm engine: the library is mapped once something calls into it.
        let _engine = super::TesseractEngine::new("eng", 3, &Default::default()).unwrap();
        let lib = super::loaded_library().expect("libtesseract in /proc/self/maps");
        assert!(lib.contains("libtesseract.so"), "{lib}");
    }
}
