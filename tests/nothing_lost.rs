//! No page with content is dropped: a page with a few faint lines (name line at the top
//! edge, a footer at the bottom edge) is kept as content and flagged, not taken for a
//! blank back; a page of content carrying a separator's barcode stays content (flagged);
//! a duplex back with mirrored show-through is still blank, and a real separator sheet is
//! still a separator.

mod common;
use common::*;

use image::{GrayImage, Luma};
use std::path::Path;

fn sample() -> GrayImage {
    image::open(samples().join("scans/discharge_summary.png"))
        .unwrap()
        .into_luma8()
}

/// Row bands holding ink (text lines) of a page, top to bottom.
fn text_bands(page: &GrayImage) -> Vec<(u32, u32)> {
    let (w, h) = page.dimensions();
    let inked: Vec<bool> = (0..h)
        .map(|y| (0..w).filter(|&x| page.get_pixel(x, y).0[0] < 128).count() > 2)
        .collect();
    let mut bands = Vec::new();
    let mut start = None;
    for (y, ink) in inked.iter().enumerate() {
        match (ink, start) {
            (true, None) => start = Some(y as u32),
            (false, Some(s)) => {
                if y as u32 - s > 8 {
                    bands.push((s.saturating_sub(3), y as u32 + 3));
                }
                start = None;
            }
            _ => {}
        }
    }
    bands
}

/// A page holding a few of the sample's lines, printed faint: the name line at the top
/// edge, two lines mid-page, the last line at the bottom edge.
fn faint_short_page(page: &GrayImage) -> GrayImage {
    let bands = text_bands(page);
    assert!(bands.len() >= 5, "{bands:?}");
    let (w, h) = page.dimensions();
    let mut out = GrayImage::from_pixel(w, h, Luma([247]));
    let places = [
        (bands[1], 45),
        (bands[2], h / 2),
        (bands[3], h / 2 + 60),
        (bands[bands.len() - 1], h - 100),
    ];
    for ((y0, y1), to) in places {
        for y in y0..y1 {
            for x in 0..w {
                let v = page.get_pixel(x, y).0[0] as f32;
                // Light grey print: black becomes 145 on paper of 247.
                let faint = 247.0 - (247.0 - v).max(0.0) * 0.42;
                let ty = to + (y - y0);
                if ty < h {
                    out.put_pixel(x, ty, Luma([faint as u8]));
                }
            }
        }
    }
    out
}

/// The back of a sheet: the sample page mirrored, showing through faintly.
fn show_through_back(page: &GrayImage) -> GrayImage {
    let mirrored = image::imageops::flip_horizontal(page);
    let mut out = GrayImage::from_pixel(page.width(), page.height(), Luma([246]));
    for (x, y, p) in mirrored.enumerate_pixels() {
        let v = 246.0 - (246.0 - p.0[0] as f32).max(0.0) * 0.12;
        out.put_pixel(x, y, Luma([v as u8]));
    }
    out
}

/// The sample page, its text printed twice (a full page of content), with a big
/// separator code (`MRN00412345`) printed over its top.
fn content_with_separator_code(page: &GrayImage) -> GrayImage {
    use rxing::Writer;
    let mut out = page.clone();
    let bands = text_bands(page);
    let (first, last) = (bands[0].0, bands[bands.len() - 1].1);
    let shift = last - first + 40;
    for y in first..last {
        if y + shift < page.height() - 60 {
            for x in 0..page.width() {
                out.put_pixel(x, y + shift, *page.get_pixel(x, y));
            }
        }
    }
    let code = rxing::MultiFormatWriter
        .encode("MRN00412345", &rxing::BarcodeFormat::CODE_128, 1000, 160)
        .unwrap();
    for y in 0..code.getHeight() {
        for x in 0..code.getWidth() {
            let v = if code.get(x, y) { 10 } else { 255 };
            out.put_pixel(350 + x, 8 + y, Luma([v]));
        }
    }
    out
}

fn ingest(dir: &Path, pages: &[(&str, GrayImage)]) -> Vec<serde_json::Value> {
    let inbox = dir.join("batch");
    std::fs::create_dir_all(&inbox).unwrap();
    for (name, page) in pages {
        page.save(inbox.join(name)).unwrap();
    }
    let archive = dir.join("archive");
    let o = run(&archive, &["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    export(&archive)
}

#[test]
fn a_faint_short_page_is_kept_and_show_through_is_blank() {
    let dir = tempfile::tempdir().unwrap();
    let page = sample();
    let lines = ingest(
        dir.path(),
        &[
            ("p1.png", page.clone()),
            ("p2.png", faint_short_page(&page)),
            ("p3.png", show_through_back(&page)),
        ],
    );
    let scan = of_kind(&lines, "scan")[0].clone();
    assert_eq!(scan["blank_pages"], serde_json::json!([3]), "{scan}");
    let kept: Vec<(u64, String)> = of_kind(&lines, "document")
        .iter()
        .flat_map(|d| d["pages"].as_array().unwrap().clone())
        .map(|p| {
            (
                p["source_page"].as_u64().unwrap(),
                p["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let faint = kept.iter().find(|(n, _)| *n == 2);
    let text = &faint.expect("the faint page is in a document").1;
    assert!(text.contains("TESTPATIENT"), "{text}");
}

#[test]
fn a_content_page_with_a_separator_code_stays_content() {
    let dir = tempfile::tempdir().unwrap();
    let page = sample();
    let lines = ingest(
        dir.path(),
        &[
            ("p1.png", page.clone()),
            ("p2.png", content_with_separator_code(&page)),
        ],
    );
    let scan = of_kind(&lines, "scan")[0].clone();
    assert_eq!(scan["separator_pages"], serde_json::json!([]), "{scan}");
    let in_documents: Vec<u64> = of_kind(&lines, "document")
        .iter()
        .flat_map(|d| d["pages"].as_array().unwrap().clone())
        .map(|p| p["source_page"].as_u64().unwrap())
        .collect();
    assert!(in_documents.contains(&2), "{in_documents:?}");
    let review = run(&dir.path().join("archive"), &["review", "list"]);
    assert!(
        stdout(&review).contains("separator_code_on_content"),
        "{}",
        stdout(&review)
    );
}

#[test]
fn the_sample_separator_sheets_are_still_separators() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let o = run(
        &archive,
        &[
            "ingest",
            "--quiet",
            samples()
                .join("scans/chart_with_separators.tif")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = export(&archive);
    let scan = of_kind(&lines, "scan")[0].clone();
    assert_eq!(scan["separator_pages"], serde_json::json!([1, 3]), "{scan}");
}
