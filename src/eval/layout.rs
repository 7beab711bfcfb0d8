//! `eval --layout-only`: orientation and skew from pixels alone (no OCR), against the
//! manifest, on every content page. Seconds instead of minutes, for tuning imaging.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::{EvalError, ManifestChart};
use crate::config::PipelineConfig;
use crate::imaging::decode::{DecodeLimits, ScanDecoder};
use crate::imaging::layout;

#[derive(Debug, Clone, Default, Serialize)]
pub struct LayoutReport {
    pub content_pages: usize,
    pub rotation_accuracy: f64,
    /// Wrong orientations as "truth->found": count.
    pub rotation_errors: BTreeMap<String, usize>,
    /// Mean |estimated - true| skew in degrees over pages with a true skew.
    pub mean_skew_error_deg: f64,
    pub max_skew_error_deg: f64,
    pub layout_ms_per_page: f64,
    pub blank_ms_per_page: f64,
    pub deskew_ms_per_page: f64,
    pub viewer_ms_per_page: f64,
}

pub fn run(
    corpus: &Path,
    charts: &[ManifestChart],
    config: &PipelineConfig,
) -> Result<LayoutReport, EvalError> {
    let limits = DecodeLimits {
        max_page_pixels: config.limits.max_page_pixels,
        max_pages: config.limits.max_pages_per_scan,
    };
    let mut r = LayoutReport::default();
    let (mut correct, mut skew_err, mut skew_n) = (0usize, 0.0f64, 0usize);
    let mut ms = 0.0;
    let (mut blank_ms, mut deskew_ms, mut viewer_ms) = (0.0, 0.0, 0.0);
    for c in charts {
        let path = corpus.join(&c.file);
        let input = crate::ingest::discover(std::slice::from_ref(&path));
        let Some(input) = input.into_iter().next() else {
            continue;
        };
        let decoder = match &input.kind {
            crate::model::ScanInputKind::File(p) => std::fs::read(p)
                .ok()
                .and_then(|b| ScanDecoder::open(b, limits).ok()),
            crate::model::ScanInputKind::FolderBatch(files) => files
                .iter()
                .map(std::fs::read)
                .collect::<Result<Vec<_>, _>>()
                .ok()
                .and_then(|b| ScanDecoder::open_images(b, limits).ok()),
            _ => None,
        };
        let Some(mut decoder) = decoder else {
            continue;
        };
        for p in c.pages.iter().filter(|p| p.kind == "content") {
            let Ok(page) = decoder.decode_page(p.page, limits) else {
                continue;
            };
            let t = Instant::now();
            let _ = crate::imaging::blank::detect(&page.image, page.dpi, 0.0002);
            blank_ms += t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let l = layout::analyze(&page.image, page.dpi);
            ms += t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let level = l.and_then(|l| crate::imaging::deskew::deskew(&page.image, l.skew_deg));
            deskew_ms += t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let _ = crate::imaging::viewer::viewer_jpeg(
                level.as_ref().unwrap_or(&page.image),
                config.imaging.viewer_long_side_px,
                config.imaging.viewer_jpeg_quality,
            );
            viewer_ms += t.elapsed().as_secs_f64() * 1000.0;
            r.content_pages += 1;
            let found = l.map(|l| l.rotation_deg).unwrap_or(0);
            if found == p.rotation_deg {
                correct += 1;
            } else {
                *r.rotation_errors
                    .entry(format!("{}->{}", p.rotation_deg, found))
                    .or_default() += 1;
            }
            if let Some(l) = l {
                let e = (l.skew_deg - p.skew_deg).abs() as f64;
                skew_err += e;
                skew_n += 1;
                r.max_skew_error_deg = r.max_skew_error_deg.max(e);
            }
        }
    }
    if r.content_pages > 0 {
        r.rotation_accuracy = correct as f64 / r.content_pages as f64;
        let n = r.content_pages as f64;
        r.layout_ms_per_page = ms / n;
        r.blank_ms_per_page = blank_ms / n;
        r.deskew_ms_per_page = deskew_ms / n;
        r.viewer_ms_per_page = viewer_ms / n;
    }
    if skew_n > 0 {
        r.mean_skew_error_deg = skew_err / skew_n as f64;
    }
    Ok(r)
}
