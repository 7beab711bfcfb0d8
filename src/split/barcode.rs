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
    match reduced_for_barcodes(image, dpi) {
        Some(small) => read_barcodes_at(&small),
        None => read_barcodes_at(image),
    }
}

/// The copy of a page that barcodes are read from (about 150 DPI), or `None` when the page
/// is read as it is. The page worker keeps it: for a page it does not level or turn, it is
/// also the viewer's image when the sizes agree (a 300 DPI page halved).
pub fn reduced_for_barcodes(image: &GrayImage, dpi: u32) -> Option<GrayImage> {
    let factor = (dpi / BARCODE_DPI).max(1);
    (factor > 1).then(|| crate::imaging::reduce::box_reduce(image, factor))
}

/// [`read_barcodes`] on an image already reduced for it.
pub fn read_barcodes_at(img: &GrayImage) -> Vec<String> {
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
