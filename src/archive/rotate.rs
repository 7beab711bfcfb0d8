//! A person turns a page the archive stored the wrong way round: the page is taken again
//! from the scan's original file (full resolution, never the reduced viewer copy), levelled
//! as before, turned as the person says, brought to the resolution OCR reads at, and read
//! again. Reading happens on a reader handle, outside the writer ([`Archive::read_turned_page`]);
//! the writer only stores the new reading ([`Archive::store_turned_page`]), re-checking that
//! the page is as it was read and that the document may still change (not on legal hold,
//! not released, not in an unfinished purge job). The new reading replaces the old one
//! (text, word boxes, viewer image, size, resolution), the document is re-indexed, and the
//! change is audited with both readings' confidences.

use super::{Archive, ArchiveError};
use crate::config::PipelineConfig;
use crate::imaging::decode::{DecodeLimits, ScanDecoder};
use crate::keys::doc_key_id;
use crate::model::retention::RetentionStatus;
use crate::model::OcrPage;
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

/// A page read again, turned, not yet stored.
#[derive(Debug, Clone)]
pub struct TurnedReading {
    doc_id: String,
    page_no: u32,
    turn_deg: u32,
    /// The rotation the page had when it was read (the store refuses if it changed since).
    rotation_before: u32,
    rotation_deg: u32,
    width_px: u32,
    height_px: u32,
    dpi: u32,
    confidence_before: f32,
    reading: OcrPage,
    viewer: Vec<u8>,
}

impl TurnedReading {
    pub fn doc_id(&self) -> &str {
        &self.doc_id
    }
}

impl Archive {
    /// Why a document's pages may not change now, if they may not: released, in an
    /// unfinished purge job, or on legal hold.
    fn page_change_refusal(
        &self,
        schedule: &crate::retention::Schedule,
        doc_id: &str,
    ) -> Result<Option<String>, ArchiveError> {
        if let Some(why) = self.catalog.regroup_refusal(doc_id)? {
            return Ok(Some(why));
        }
        let on_hold = self
            .decisions(schedule, crate::clock::today(), Some(&[doc_id.to_string()]))?
            .iter()
            .any(|(_, d)| d.status == RetentionStatus::OnHold);
        Ok(on_hold.then(|| {
            format!(
                "document {doc_id} is on legal hold; its pages cannot change until the hold is released"
            )
        }))
    }

    /// Reads page `page_no` (its number in the scan) of a live document again from the
    /// original scan, turned clockwise by `turn_deg` (90, 180 or 270) as a person sees it.
    /// Writes nothing.
    pub fn read_turned_page(
        &self,
        config: &PipelineConfig,
        schedule: &crate::retention::Schedule,
        doc_id: &str,
        page_no: u32,
        turn_deg: u32,
    ) -> Result<TurnedReading, ArchiveError> {
        if ![90, 180, 270].contains(&turn_deg) {
            return Err(ArchiveError::Refused(format!(
                "a page turns by 90, 180 or 270 degrees, not {turn_deg}"
            )));
        }
        if let Some(why) = self.page_change_refusal(schedule, doc_id)? {
            return Err(ArchiveError::Refused(why));
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
        // then as the person says, then at the resolution OCR reads at.
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
        let cap = config.imaging.downsample_above_dpi;
        if cap > 0 && image.dpi > cap {
            crate::imaging::prepare::rescale(&mut image, cap);
        }
        if image.dpi > 0 && image.dpi < config.imaging.upsample_below_dpi {
            crate::imaging::prepare::rescale(&mut image, 300);
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
        let (width_px, height_px) = image.image.dimensions();
        Ok(TurnedReading {
            doc_id: doc_id.to_string(),
            page_no,
            turn_deg,
            rotation_before: page.rotation_deg,
            rotation_deg,
            width_px,
            height_px,
            dpi: image.dpi,
            confidence_before: page.ocr_confidence,
            reading,
            viewer,
        })
    }

    /// Stores a page read again ([`Archive::read_turned_page`]): refused when the page was
    /// turned by someone else meanwhile, or the document may no longer change.
    pub fn store_turned_page(
        &mut self,
        schedule: &crate::retention::Schedule,
        t: &TurnedReading,
        user: &str,
    ) -> Result<PageTurned, ArchiveError> {
        if let Some(why) = self.page_change_refusal(schedule, &t.doc_id)? {
            return Err(ArchiveError::Refused(why));
        }
        let now = self
            .catalog
            .document(&t.doc_id)?
            .and_then(|d| d.pages.into_iter().find(|p| p.page_no == t.page_no))
            .ok_or_else(|| {
                ArchiveError::Refused(format!(
                    "page {} of {} is gone (the document changed)",
                    t.page_no, t.doc_id
                ))
            })?;
        if now.rotation_deg != t.rotation_before {
            return Err(ArchiveError::Refused(format!(
                "page {} of {} was turned by someone else meanwhile: look at it again",
                t.page_no, t.doc_id
            )));
        }
        let key = doc_key_id(&t.doc_id);
        let words_json = serde_json::to_vec(&t.reading.words)
            .map_err(|e| ArchiveError::Setup(format!("page {} words: {e}", t.page_no)))?;
        let words_blob = self.store.put(&words_json, &key)?;
        let image_blob = self.store.put(&t.viewer, &key)?;
        let turned = PageTurned {
            page_no: t.page_no,
            rotation_deg: t.rotation_deg,
            confidence_before: t.confidence_before,
            confidence_after: t.reading.confidence,
            words: t.reading.words.len(),
        };
        self.catalog
            .replace_page_reading(&crate::catalog::PageReading {
                doc_id: &t.doc_id,
                page_no: t.page_no,
                rotation_deg: t.rotation_deg,
                width_px: t.width_px,
                height_px: t.height_px,
                dpi: t.dpi,
                ocr_confidence: t.reading.confidence,
                text: &t.reading.text,
                words_blob: &words_blob,
                image_blob: &image_blob,
                user,
                detail: serde_json::json!({
                    "page": t.page_no,
                    "turned_deg": t.turn_deg,
                    "confidence_before": turned.confidence_before,
                    "confidence_after": turned.confidence_after,
                }),
            })?;
        self.sync_index()?;
        Ok(turned)
    }
}
