//! Reading barcodes (Code 128, Code 39, QR, Data Matrix) from a page, before OCR.
//!
//! Works on a copy reduced to about 150 DPI: separator-sheet barcodes are large, and the
//! reduction keeps the read fast. Rows are scanned in both directions, so upside-down sheets
//! read too; skew of a few degrees does not stop a 1-D read.

use std::collections::HashSet;

use image::GrayImage;
use rxing::{BarcodeFormat, DecodeHints};

const BARCODE_DPI: u32 = 150;

/// The copy of a page that barcodes are read from (about 150 DPI), or `None` when the page
/// is read as it is. The page worker keeps it: for a page it does not level or turn, it is
/// also the viewer's image when the sizes agree (a 300 DPI page halved).
pub fn reduced_for_barcodes(image: &GrayImage, dpi: u32) -> Option<GrayImage> {
    let factor = (dpi / BARCODE_DPI).max(1);
    (factor > 1).then(|| crate::imaging::reduce::box_reduce(image, factor))
}

/// How hard a read looks for barcodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// 1-D codes only, a few rows of the page: well under a millisecond at 150 DPI, and it
    /// reads the large, level codes of separator sheets.
    Quick,
    /// Every format, every few rows, the page also turned 90 degrees: 15 to 75 ms a page
    /// at 150 DPI; reads small, skewed and 2-D codes the quick read misses.
    Thorough,
}

/// The text of every barcode found on a page already reduced for it (see
/// [`reduced_for_barcodes`]), in the order found, without repeats.
pub fn read_barcodes_at(img: &GrayImage, effort: Effort) -> Vec<String> {
    let (w, h) = img.dimensions();
    let one_d = [BarcodeFormat::CODE_128, BarcodeFormat::CODE_39];
    let two_d = [BarcodeFormat::QR_CODE, BarcodeFormat::DATA_MATRIX];
    let mut hints = match effort {
        Effort::Quick => DecodeHints {
            TryHarder: Some(false),
            PossibleFormats: Some(HashSet::from(one_d)),
            ..Default::default()
        },
        Effort::Thorough => DecodeHints {
            TryHarder: Some(true),
            PossibleFormats: Some(one_d.into_iter().chain(two_d).collect()),
            ..Default::default()
        },
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
