//! A person turns a page the archive stored the wrong way round: the page is taken again
//! from the scan's original file (full resolution, never the reduced viewer copy), levelled
//! as before, turned as the person says, and read again. The new reading replaces the old
//! one (text, word boxes, viewer image), the document is re-indexed, and the change is
//! audited with both readings' confidences.

use super::{Archive, ArchiveError};
use crate::config::PipelineConfig;
use crate::imaging::decode::{DecodeLimits, ScanDecoder};
use crate::keys::doc_key_id;
use crate::ocr::{OcrEngine, TesseractEngine};

/// What turning a page did.
#[derive(Debug, Clone, PartialEq)]
pub struct PageTurned {
    pub page_no: u32,
    /// Clockwise degrees the stored page is now turned from the scan as it was fed.
    pub rotation_deg: u32,
    pub confidence_before: f32,
    pub confidence_after: f32,
    pub words: usize,
}

impl Archive {
    /// Turns page `page_no` (its number in the scan) of a live document clockwise by
    /// `turn_deg` (90, 180 or 270) as a person sees it, and reads it again.
    pub fn turn_page(
        &mut self,
        config: &PipelineConfig,
        doc_id: &str,
        page_no: u32,
        turn_deg: u32,
        user: &str,
    ) -> Result<PageTurned, ArchiveError> {
        if ![90, 180, 270].contains(&turn_deg) {
            return Err(ArchiveError::Refused(format!(
                "a page turns by 90, 180 or 270 degrees, not {turn_deg}"
            )));
        }
        let doc = self
            .catalog
            .document(doc_id)?
            .ok_or_else(|| ArchiveError::Refused(format!("no document {doc_id}")))?;
        let page = doc
            .pages
            .iter()
            .find(|p| p.page_no == page_no)
            .cloned()
            .ok_or_else(|| {
                ArchiveError::Refused(format!("page {page_no} is not a page of {doc_id}"))
            })?;
        let files = self.catalog.scan_files(&doc.scan_sha256)?;
        let mut originals = Vec::with_capacity(files.len());
        for (_, blob) in &files {
            if !self.store.contains(blob) {
                return Err(ArchiveError::Refused(format!(
                    "the original scan of {doc_id} is no longer kept: the page cannot be read again"
                )));
            }
            originals.push(self.store.get(blob)?);
        }
        let limits = DecodeLimits {
            max_page_pixels: config.limits.max_page_pixels,
            max_pages: config.limits.max_pages_per_scan,
        };
        let unreadable = |e: crate::imaging::decode::DecodeError| {
            ArchiveError::Refused(format!(
                "the original of {doc_id} cannot be read again: {e}"
            ))
        };
        let mut decoder = if originals.len() == 1 {
            ScanDecoder::open(originals.remove(0), limits)
        } else {
            ScanDecoder::open_images(originals, limits)
        }
        .map_err(unreadable)?;
        let mut image = decoder.decode_page(page_no, limits).map_err(unreadable)?;
        // As at ingest: dark on light, levelled by the skew measured then, turned as stored,
        // then as the person says.
        if crate::imaging::blank::mostly_dark(&image.image) {
            image::imageops::invert(&mut image.image);
        }
        if page.skew_deg != 0.0 {
            if let Some(level) = crate::imaging::deskew::deskew(&image.image, page.skew_deg) {
                image.image = level;
            }
        }
        let rotation_deg = (page.rotation_deg + 360 - turn_deg) % 360;
        if let Some(turned) = crate::imaging::orientation::make_upright(&image.image, rotation_deg)
        {
            image.image = turned;
        }
        let mut engine = TesseractEngine::new(
            &config.ocr.language,
            config.ocr.page_seg_mode,
            &config.ocr.variables,
        )
        .map_err(|e| ArchiveError::Setup(format!("OCR engine: {e}")))?;
        let thick = crate::imaging::thicken::for_ocr(
            &image.image,
            image.dpi,
            config.imaging.thicken_below_stroke_px,
            config.imaging.thicken_min_dpi,
        );
        let reading = engine
            .recognize(thick.as_ref().unwrap_or(&image.image), image.dpi)
            .map_err(|e| ArchiveError::Setup(format!("page {page_no}: {e}")))?;
        let viewer = crate::imaging::viewer::viewer_jpeg(
            &image.image,
            config.imaging.viewer_long_side_px,
            config.imaging.viewer_jpeg_quality,
        );
        let key = doc_key_id(doc_id);
        let words_json = serde_json::to_vec(&reading.words)
            .map_err(|e| ArchiveError::Setup(format!("page {page_no} words: {e}")))?;
        let words_blob = self.store.put(&words_json, &key)?;
        let image_blob = self.store.put(&viewer, &key)?;
        let (width_px, height_px) = image.image.dimensions();
        let turned = PageTurned {
            page_no,
            rotation_deg,
            confidence_before: page.ocr_confidence,
            confidence_after: reading.confidence,
            words: reading.words.len(),
        };
        self.catalog
            .replace_page_reading(&crate::catalog::PageReading {
                doc_id,
                page_no,
                rotation_deg,
                width_px,
                height_px,
                ocr_confidence: reading.confidence,
                text: &reading.text,
                words_blob: &words_blob,
                image_blob: &image_blob,
                user,
                detail: serde_json::json!({
                    "page": page_no,
                    "turned_deg": turn_deg,
                    "confidence_before": turned.confidence_before,
                    "confidence_after": turned.confidence_after,
                }),
            })?;
        self.sync_index()?;
        Ok(turned)
    }
}
