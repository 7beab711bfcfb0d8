//! libtesseract through the `tesseract` crate, one warm engine per worker.

use std::collections::BTreeMap;

use image::GrayImage;
use tesseract::{PageSegMode, Tesseract};

use super::{parse_tsv, OcrEngine, OcrError};
use crate::model::OcrPage;

/// Leptonica's `L_SEVERITY_NONE`: print nothing.
const LEPTONICA_SEVERITY_NONE: i32 = 6;

pub struct TesseractEngine {
    language: String,
    page_seg_mode: u32,
    variables: BTreeMap<String, String>,
    /// `None` only between a failed call and the rebuild that follows it.
    api: Option<Tesseract>,
}

impl TesseractEngine {
    pub fn new(
        language: &str,
        page_seg_mode: u32,
        variables: &BTreeMap<String, String>,
    ) -> Result<TesseractEngine, OcrError> {
        let api = Self::build(language, page_seg_mode, variables)?;
        Ok(TesseractEngine {
            language: language.to_string(),
            page_seg_mode,
            variables: variables.clone(),
            api: Some(api),
        })
    }

    fn build(
        language: &str,
        page_seg_mode: u32,
        variables: &BTreeMap<String, String>,
    ) -> Result<Tesseract, OcrError> {
        let init = |message: String| OcrError::Init {
            language: language.to_string(),
            message,
        };
        // Leptonica, under tesseract, prints its own notes to stderr (e.g. "Error in
        // boxClipToRectangle: box outside rectangle" on some pages read thickened); the
        // recognition goes on and the clerk's terminal is no place for them.
        // SAFETY: sets one process-wide integer in leptonica; no pointers involved.
        unsafe { leptonica_sys::setMsgSeverity(LEPTONICA_SEVERITY_NONE) };
        let mut api = Tesseract::new(None, Some(language)).map_err(|e| init(e.to_string()))?;
        api.set_page_seg_mode(seg_mode(page_seg_mode));
        // Keep tesseract's own warnings (which can quote page text) off the terminal.
        let mut api = api
            .set_variable("debug_file", "/dev/null")
            .map_err(|e| init(e.to_string()))?;
        for (name, value) in variables {
            api = api
                .set_variable(name, value)
                .map_err(|e| init(format!("variable {name}: {e}")))?;
        }
        Ok(api)
    }
}

fn seg_mode(n: u32) -> PageSegMode {
    match n {
        0 => PageSegMode::PsmOsdOnly,
        1 => PageSegMode::PsmAutoOsd,
        2 => PageSegMode::PsmAutoOnly,
        4 => PageSegMode::PsmSingleColumn,
        5 => PageSegMode::PsmSingleBlockVertText,
        6 => PageSegMode::PsmSingleBlock,
        7 => PageSegMode::PsmSingleLine,
        8 => PageSegMode::PsmSingleWord,
        9 => PageSegMode::PsmCircleWord,
        10 => PageSegMode::PsmSingleChar,
        11 => PageSegMode::PsmSparseText,
        12 => PageSegMode::PsmSparseTextOsd,
        13 => PageSegMode::PsmRawLine,
        _ => PageSegMode::PsmAuto,
    }
}

impl OcrEngine for TesseractEngine {
    fn recognize(&mut self, image: &GrayImage, dpi: u32) -> Result<OcrPage, OcrError> {
        let api = match self.api.take() {
            Some(api) => api,
            None => Self::build(&self.language, self.page_seg_mode, &self.variables)?,
        };
        let (w, h) = image.dimensions();
        let api = api
            .set_frame(image.as_raw(), w as i32, h as i32, 1, w as i32)
            .map_err(|e| OcrError::Recognize(e.to_string()))?
            .set_source_resolution(dpi as i32)
            .recognize()
            .map_err(|e| OcrError::Recognize(e.to_string()))?;
        let mut api = api;
        let tsv = api
            .get_tsv_text(0)
            .map_err(|e| OcrError::Recognize(e.to_string()));
        let mean_conf = api.mean_text_conf();
        self.api = Some(api);
        let mut page = parse_tsv(&tsv?);
        // Lines tesseract put in blocks side by side are read row by row (see order.rs).
        super::order::in_rows(&mut page);
        // Tesseract reports a high mean confidence for a reading with no words at all; a
        // page with ink on it that reads as nothing is the least plausible reading there is.
        if !page.words.is_empty() {
            page.confidence = mean_conf.clamp(0, 100) as f32;
        }
        Ok(page)
    }
}
