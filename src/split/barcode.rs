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
    /// Every format, every few rows (1-D codes also on the page turned 90 degrees): 15 to
    /// 60 ms a page at 150 DPI; reads small, skewed and 2-D codes the quick read misses.
    /// Measured and left: the 2-D search without "try harder" costs a quarter as much on
    /// text pages (0.85 s vs 3.6 s over the dev corpus's 178 content pages) but misses
    /// half-inch QR labels skewed 3 degrees and half-inch Data Matrix labels (tests below).
    Thorough,
}

/// The text of every barcode found on a page already reduced for it (see
/// [`reduced_for_barcodes`]), in the order found, without repeats.
pub fn read_barcodes_at(img: &GrayImage, effort: Effort) -> Vec<String> {
    let (w, h) = img.dimensions();
    let found = match effort {
        Effort::Quick => {
            let mut hints = DecodeHints {
                TryHarder: Some(false),
                PossibleFormats: Some(HashSet::from(ONE_D)),
                ..Default::default()
            };
            rxing::helpers::detect_multiple_in_luma_with_hints(
                img.as_raw().clone(),
                w,
                h,
                &mut hints,
            )
            .unwrap_or_default()
        }
        Effort::Thorough => read_thoroughly(img),
    };
    let mut out: Vec<String> = Vec::new();
    for r in found {
        let text = r.getText().trim().to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

const ONE_D: [BarcodeFormat; 2] = [BarcodeFormat::CODE_128, BarcodeFormat::CODE_39];

/// Every format searched with "try harder", one reader per kind on one binarized page:
/// 1-D codes (also turned 90 degrees), QR, Data Matrix.
///
/// rxing's combined reader, given the same formats, also runs its older QR detector after
/// the newer one finds nothing, i.e. on every page without a QR code: a third of the QR
/// cost for nothing, since the newer one alone reads the codes the tests below print
/// (measured on the dev corpus's content pages: QR search 1.36 s with both, 0.79 s alone).
fn read_thoroughly(img: &GrayImage) -> Vec<rxing::RXingResult> {
    use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
    let (w, h) = img.dimensions();
    let Ok(source) = rxing::Luma8LuminanceSource::new(img.as_raw().clone(), w, h) else {
        return Vec::new();
    };
    let mut bitmap = rxing::BinaryBitmap::new(rxing::common::HybridBinarizer::new(source));
    let hints = |formats: &[BarcodeFormat]| DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(formats.iter().copied().collect()),
        ..Default::default()
    };
    let one_d_hints = hints(&ONE_D);
    let mut found =
        GenericMultipleBarcodeReader::new(rxing::oned::MultiFormatOneDReader::new(&one_d_hints))
            .decode_multiple_with_hints(&mut bitmap, &one_d_hints)
            .unwrap_or_default();
    found.extend(
        GenericMultipleBarcodeReader::new(rxing::qrcode::cpp_port::QrReader)
            .decode_multiple_with_hints(&mut bitmap, &hints(&[BarcodeFormat::QR_CODE]))
            .unwrap_or_default(),
    );
    found.extend(
        GenericMultipleBarcodeReader::new(rxing::datamatrix::DataMatrixReader)
            .decode_multiple_with_hints(&mut bitmap, &hints(&[BarcodeFormat::DATA_MATRIX]))
            .unwrap_or_default(),
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::Writer;

    /// A 150 DPI letter page: lines of word-like marks (the clutter of a printed page) and one
    /// `format` code of `text`, `size_px` wide, near the top right; then the whole page
    /// turned by `deg` (a skewed scan), by 90 degrees (a sideways one) or 180 (upside down).
    fn page_with_code(format: BarcodeFormat, text: &str, size_px: i32, deg: f32) -> GrayImage {
        let (w, h) = (1275u32, 1650u32);
        let mut page = GrayImage::from_pixel(w, h, image::Luma([235]));
        let mut seed = 7u32;
        for line in 0..40u32 {
            let y = 450 + line * 28;
            let mut x = 110u32;
            while x < 1150 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let word = 20 + (seed >> 16) % 70;
                for yy in y..y + 12 {
                    for xx in x..(x + word).min(1160) {
                        if (xx / 3 + yy / 4) % 3 != 0 {
                            page.put_pixel(xx, yy, image::Luma([30]));
                        }
                    }
                }
                x += word + 14;
            }
        }
        let code = rxing::MultiFormatWriter
            .encode(text, &format, size_px, size_px)
            .unwrap();
        let (cw, ch) = (code.getWidth(), code.getHeight());
        for y in 0..ch {
            for x in 0..cw {
                if code.get(x, y) {
                    page.put_pixel(900 + x, 120 + y, image::Luma([20]));
                }
            }
        }
        if deg == 90.0 {
            return image::imageops::rotate90(&page);
        }
        if deg == 180.0 {
            return image::imageops::rotate180(&page);
        }
        crate::imaging::deskew::deskew(&page, deg).unwrap_or(page)
    }

    #[test]
    fn the_thorough_read_finds_small_two_d_codes_on_a_busy_page() {
        for format in [BarcodeFormat::QR_CODE, BarcodeFormat::DATA_MATRIX] {
            for deg in [0.0, 2.5, -3.0, 90.0, 180.0] {
                // Half an inch and an inch at 150 DPI: a label and a separator sheet's code.
                for size in [75, 150] {
                    let page = page_with_code(format, "MRN00412345", size, deg);
                    let found = read_barcodes_at(&page, Effort::Thorough);
                    assert!(
                        found.contains(&"MRN00412345".to_string()),
                        "{format:?} {size} px at {deg} degrees: {found:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_thorough_read_finds_a_small_code_128_on_a_busy_page() {
        for deg in [0.0, 2.5, -3.0, 90.0, 180.0] {
            let page = page_with_code(BarcodeFormat::CODE_128, "ACCT123456789", 260, deg);
            let found = read_barcodes_at(&page, Effort::Thorough);
            assert!(
                found.contains(&"ACCT123456789".to_string()),
                "{deg} degrees: {found:?}"
            );
        }
    }
}
