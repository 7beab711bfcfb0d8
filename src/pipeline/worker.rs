//! Page worker: imaging and OCR for one page at a time, with one warm tesseract engine
//! owned by the thread for its whole life.

use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};

use super::{Event, PageJob};
use crate::config::{OrientationMethod, PipelineConfig};
use crate::imaging::orientation::OsdEngine;
use crate::imaging::prepare::prepare_for_ocr;
use crate::imaging::{blank, viewer};
use crate::model::{PageKind, PageResult};
use crate::ocr::{OcrEngine, TesseractEngine};
use crate::split::barcode::reduced_for_barcodes;
use crate::split::separator::SeparatorPolicy;

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
    let mut osd = match config.imaging.orientation {
        OrientationMethod::Off | OrientationMethod::Layout => None,
        OrientationMethod::Osd => match OsdEngine::new() {
            Ok(o) => Some(o),
            Err(e) => {
                let _ = events.send(Event::Fatal(e.to_string()));
                return;
            }
        },
    };
    let policy = match SeparatorPolicy::new(&config.barcodes) {
        Ok(p) => p,
        Err(e) => {
            let _ = events.send(Event::Fatal(e.to_string()));
            return;
        }
    };
    for job in jobs.iter() {
        let result = process_page(config, &policy, &mut engine, osd.as_mut(), job.page);
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
    policy: &SeparatorPolicy,
    engine: &mut dyn OcrEngine,
    osd: Option<&mut OsdEngine>,
    mut page: crate::model::PageImage,
) -> Result<PageResult, String> {
    let t0 = Instant::now();
    let verdict = blank::detect(&page.image, page.dpi, config.imaging.blank_max_ink_fraction);
    let blank_ms = t0.elapsed().as_millis() as u64;
    let tb = Instant::now();
    let mut barcode_copy = None;
    let barcode_verdict = if verdict.is_blank {
        None
    } else {
        barcode_copy = reduced_for_barcodes(&page.image, page.dpi);
        Some(policy.judge_page(barcode_copy.as_ref().unwrap_or(&page.image)))
    };
    let barcode_ms = tb.elapsed().as_millis() as u64;
    let t0 = Instant::now();
    let kind = match &barcode_verdict {
        None => PageKind::Blank,
        Some(v) => v.kind,
    };
    let prepared = if kind == PageKind::Content {
        // The page is levelled and turned: its barcode copy no longer shows it.
        barcode_copy = None;
        Some(prepare_for_ocr(config, osd, &mut page))
    } else {
        None
    };
    let mut rotation_deg = prepared.map_or(0, |p| p.rotation_deg);
    let skew_deg = prepared.map_or(0.0, |p| p.skew_deg);
    // Clear up/down evidence from the layout: a poor reading is a faint page, not an
    // upside-down one, and reading it turned would be wasted.
    let skip = config.imaging.recheck_skip_at_rotation_confidence;
    let surely_upright = skip > 0.0
        && prepared
            .and_then(|p| p.up_down_confidence)
            .is_some_and(|c| c >= skip);
    // Thin strokes are read thickened (OCR only; the viewer keeps the levelled scan).
    let thick = if kind == PageKind::Content {
        crate::imaging::thicken::for_ocr(
            &page.image,
            page.dpi,
            config.imaging.thicken_below_stroke_px,
            config.imaging.thicken_min_dpi,
        )
    } else {
        None
    };
    let mut imaging_ms = blank_ms + t0.elapsed().as_millis() as u64;
    let t1 = Instant::now();
    let mut ocr_readings = 0;
    let mut ocr = None;
    if kind == PageKind::Content {
        let mut read = |img: &image::GrayImage| {
            ocr_readings += 1;
            engine
                .recognize(img, page.dpi)
                .map_err(|e| format!("page {}: {e}", page.page_no))
        };
        let thickened = thick.is_some();
        let first = thick.as_ref().unwrap_or(&page.image);
        let mut best = read(first)?;
        // A poor reading may be an upside-down page the layout call missed: read it turned
        // 180 degrees and keep the better reading.
        if best.confidence < config.imaging.recheck_below_ocr_confidence && !surely_upright {
            let second = read(&image::imageops::rotate180(first))?;
            if second.confidence > best.confidence {
                page.image = image::imageops::rotate180(&page.image);
                rotation_deg = (rotation_deg + 180) % 360;
                best = second;
            }
        }
        // Read as scanned and still poor: faint or broken strokes the stroke test let pass
        // (or a resolution too low to thicken up front). Read it thickened, keep the better.
        if !thickened && best.confidence < config.imaging.thicken_below_ocr_confidence {
            let second = read(&crate::imaging::thicken::thicken(&page.image))?;
            if second.confidence > best.confidence {
                best = second;
            }
        }
        ocr = Some(best);
    }
    let ocr_ms = t1.elapsed().as_millis() as u64;
    let t2 = Instant::now();
    let viewer_jpeg = viewer::viewer_jpeg_reusing(
        &page.image,
        barcode_copy.as_ref(),
        config.imaging.viewer_long_side_px,
        config.imaging.viewer_jpeg_quality,
    );
    imaging_ms += t2.elapsed().as_millis() as u64;
    let (w, h) = page.image.dimensions();
    Ok(PageResult {
        page_no: page.page_no,
        kind,
        dpi: page.dpi,
        width_px: w,
        height_px: h,
        rotation_deg,
        skew_deg,
        barcode: barcode_verdict.as_ref().and_then(|v| v.barcode.clone()),
        separator_mrn: barcode_verdict.and_then(|v| v.mrn),
        ocr,
        viewer_jpeg,
        imaging_ms,
        barcode_ms,
        ocr_ms,
        ocr_readings,
    })
}
