//! Reading barcodes (Code 128, Code 39, QR, Data Matrix) from a page, before OCR.
//!
//! Works on a copy reduced to about 150 DPI: separator-sheet barcodes are large, and the
//! reduction keeps the read fast. Rows are scanned in both directions, so upside-down sheets
//! read too; skew of a few degrees does not stop a 1-D read.

use std::collections::HashSet;

use image::GrayImage;
use rxing::{BarcodeFormat, DecodeHints};

const BARCODE_DPI: u32 = 150;

/// The text of every barcode found on the page, in the order found, without repeats.
pub fn read_barcodes(image: &GrayImage, dpi: u32) -> Vec<String> {
    let factor = (dpi / BARCODE_DPI).max(1);
    let small;
    let img = if factor > 1 {
        small = crate::imaging::reduce::box_reduce(image, factor);
        &small
    } else {
        image
    };
    let (w, h) = img.dimensions();
    let mut hints = DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(HashSet::from([
            BarcodeFormat::CODE_128,
            BarcodeFormat::CODE_39,
            BarcodeFormat::QR_CODE,
            BarcodeFormat::DATA_MATRIX,
        ])),
        ..Default::default()
    };
    let found =
        rxing::helpers::detect_multiple_in_luma_with_hints(img.as_raw().clone(), w, h, &mut hints)
            .unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for r in found {
        let text = r.getText().trim().to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push(text);
        }
    }
    out
}
