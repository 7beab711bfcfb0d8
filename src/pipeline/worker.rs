//! Page worker: imaging and OCR for one page at a time, with one warm tesseract engine
//! owned by the thread for its whole life.

use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};

use super::{Event, PageJob};
use crate::config::PipelineConfig;
use crate::imaging::{blank, viewer};
use crate::model::{PageKind, PageResult};
use crate::ocr::{OcrEngine, TesseractEngine};

pub(crate) fn run(config: &PipelineConfig, jobs: Receiver<PageJob>, events: Sender<Event>) {
    let mut engine = match TesseractEngine::new(
        &config.ocr.language,
        config.ocr.page_seg_mode,
        &config.ocr.variables,
    ) {
        Ok(e) => e,
        Err(e) => {
            let _ = events.send(Event::Fatal(e.to_string()));
            return;
        }
    };
    for job in jobs.iter() {
        let result = process_page(config, &mut engine, job.page);
        let event = Event::Page {
            scan_idx: job.scan_idx,
            result,
        };
        if events.send(event).is_err() {
            return;
        }
    }
}

fn process_page(
    config: &PipelineConfig,
    engine: &mut dyn OcrEngine,
    page: crate::model::PageImage,
) -> Result<PageResult, String> {
    let t0 = Instant::now();
    let verdict = blank::detect(&page.image, page.dpi, config.imaging.blank_max_ink_fraction);
    let kind = if verdict.is_blank {
        PageKind::Blank
    } else {
        PageKind::Content
    };
    let viewer_jpeg = viewer::viewer_jpeg(
        &page.image,
        config.imaging.viewer_long_side_px,
        config.imaging.viewer_jpeg_quality,
    );
    let imaging_ms = t0.elapsed().as_millis() as u64;
    let t1 = Instant::now();
    let ocr = match kind {
        PageKind::Content => Some(
            engine
                .recognize(&page.image, page.dpi)
                .map_err(|e| format!("page {}: {e}", page.page_no))?,
        ),
        _ => None,
    };
    let ocr_ms = t1.elapsed().as_millis() as u64;
    let (w, h) = page.image.dimensions();
    Ok(PageResult {
        page_no: page.page_no,
        kind,
        dpi: page.dpi,
        width_px: w,
        height_px: h,
        rotation_deg: 0,
        skew_deg: 0.0,
        barcode: None,
        ocr,
        viewer_jpeg,
        imaging_ms,
        ocr_ms,
    })
}
