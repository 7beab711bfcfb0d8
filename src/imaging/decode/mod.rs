//! Decoding scanner output into 8-bit grayscale pages.
//!
//! Input: the bytes of one scan file (PDF, TIFF, PNG or JPEG, recognized by content, not by
//! name) or the files of a folder batch. Output: [`PageImage`]s, one at a time, so a long
//! scan never holds more than one decoded page here. Every page is checked against the
//! pixel limit *before* its pixels are decoded (decompression bombs). Errors say which page
//! and what is wrong; the caller names the file.

mod ccitt;
mod jpeg;
mod pdf;
mod raster;
mod tiff;

use crate::model::PageImage;

/// What can go wrong decoding a scan. Messages are lowercase and name the page.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("file is empty")]
    Empty,
    #[error("not a PDF, TIFF, PNG, JPEG, BMP, GIF or WebP file (starts with {0:?})")]
    UnknownFormat(String),
    #[error("PDF is encrypted with a password needed to open it; ask the sender for an unprotected copy")]
    Encrypted,
    #[error("no pages")]
    NoPages,
    #[error("{num_pages} pages exceeds the limit of {limit} pages per scan")]
    TooManyPages { num_pages: usize, limit: u32 },
    #[error("page {page} is {width}x{height} pixels, over the limit of {limit} pixels")]
    TooLarge {
        page: u32,
        width: u64,
        height: u64,
        limit: u64,
    },
    #[error("page {page}: {message}")]
    Page { page: u32, message: String },
    #[error("{0}")]
    Structure(String),
    /// Image data that is damaged or in a form this build cannot read (the sentence names it).
    #[error("{0}")]
    Image(String),
}

impl From<&str> for DecodeError {
    fn from(message: &str) -> DecodeError {
        DecodeError::Image(message.to_string())
    }
}

impl From<String> for DecodeError {
    fn from(message: String) -> DecodeError {
        DecodeError::Image(message)
    }
}

impl DecodeError {
    pub(crate) fn page(page: u32, message: impl std::fmt::Display) -> DecodeError {
        DecodeError::Page {
            page,
            message: message.to_string(),
        }
    }
}

/// Limits applied while decoding.
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    pub max_page_pixels: u64,
    pub max_pages: u32,
}

impl DecodeLimits {
    fn check(&self, page: u32, width: u64, height: u64) -> Result<(), DecodeError> {
        if width == 0 || height == 0 {
            return Err(DecodeError::page(page, "image has zero width or height"));
        }
        if width.saturating_mul(height) > self.max_page_pixels {
            return Err(DecodeError::TooLarge {
                page,
                width,
                height,
                limit: self.max_page_pixels,
            });
        }
        Ok(())
    }
}

/// BT.601 luma of an RGB pixel.
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8
}

/// A grey value with its coverage (alpha), laid on white paper.
pub(crate) fn over_white(v: u8, alpha: Option<u8>) -> u8 {
    match alpha {
        Some(a) => ((v as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8,
        None => v,
    }
}

/// File formats recognized from their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Tiff,
    Png,
    Jpeg,
    Bmp,
    Gif,
    WebP,
}

pub fn sniff(bytes: &[u8]) -> Result<Format, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    // PDF allows up to 1024 bytes of junk before the header.
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return Ok(Format::Tiff);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"BM") && bytes.len() > 26 {
        return Ok(Format::Bmp);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Ok(Format::WebP);
    }
    let shown: String = bytes
        .iter()
        .take(8)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    Err(DecodeError::UnknownFormat(shown))
}

/// A scan opened for decoding, one page at a time.
pub enum ScanDecoder {
    Pdf(Box<pdf::PdfPages>),
    Tiff(tiff::TiffPages),
    /// Single images: one per page (a PNG/JPEG/BMP/WebP file, or the files of a folder
    /// batch).
    Images(Vec<Vec<u8>>),
    /// A GIF: every frame is a page.
    Frames(raster::GifFrames),
}

impl ScanDecoder {
    /// Opens the bytes of one scan file.
    pub fn open(bytes: Vec<u8>, limits: DecodeLimits) -> Result<ScanDecoder, DecodeError> {
        let decoder = match sniff(&bytes)? {
            Format::Pdf => ScanDecoder::Pdf(Box::new(pdf::PdfPages::open(&bytes)?)),
            Format::Tiff => ScanDecoder::Tiff(tiff::TiffPages::open(bytes)?),
            Format::Gif => ScanDecoder::Frames(raster::GifFrames::open(bytes, limits)?),
            Format::Png | Format::Jpeg | Format::Bmp | Format::WebP => {
                ScanDecoder::Images(vec![bytes])
            }
        };
        decoder.check_count(limits)?;
        Ok(decoder)
    }

    /// Opens a folder batch: each file is one single-page image, in the given order.
    pub fn open_images(
        files: Vec<Vec<u8>>,
        limits: DecodeLimits,
    ) -> Result<ScanDecoder, DecodeError> {
        for (i, f) in files.iter().enumerate() {
            let page = i as u32 + 1;
            match sniff(f).map_err(|e| DecodeError::page(page, e))? {
                Format::Png | Format::Jpeg | Format::Bmp | Format::WebP => {}
                other => {
                    return Err(DecodeError::page(
                        page,
                        format!("{other:?} file in a folder of page images"),
                    ))
                }
            }
        }
        let decoder = ScanDecoder::Images(files);
        decoder.check_count(limits)?;
        Ok(decoder)
    }

    fn check_count(&self, limits: DecodeLimits) -> Result<(), DecodeError> {
        let n = self.num_pages();
        if n == 0 {
            return Err(DecodeError::NoPages);
        }
        if n > limits.max_pages as usize {
            return Err(DecodeError::TooManyPages {
                num_pages: n,
                limit: limits.max_pages,
            });
        }
        Ok(())
    }

    pub fn num_pages(&self) -> usize {
        match self {
            ScanDecoder::Pdf(p) => p.num_pages(),
            ScanDecoder::Tiff(t) => t.num_pages(),
            ScanDecoder::Images(files) => files.len(),
            ScanDecoder::Frames(f) => f.num_pages(),
        }
    }

    /// Decodes page `page_no` (1-based).
    pub fn decode_page(
        &mut self,
        page_no: u32,
        limits: DecodeLimits,
    ) -> Result<PageImage, DecodeError> {
        match self {
            ScanDecoder::Pdf(p) => p.decode_page(page_no, limits),
            ScanDecoder::Tiff(t) => t.decode_page(page_no, limits),
            ScanDecoder::Images(files) => {
                let bytes = files
                    .get(page_no as usize - 1)
                    .ok_or_else(|| DecodeError::page(page_no, "no such page"))?;
                raster::decode(bytes, page_no, limits)
            }
            ScanDecoder::Frames(f) => f.decode_page(page_no),
        }
    }
}

/// Resolution when a file does not say: a US Letter page is 8.5 inches wide (or 11 inches
/// when stored landscape), so the width tells the DPI; snapped to common scanner settings.
pub fn estimate_dpi(width_px: u32, height_px: u32) -> u32 {
    let short_side = width_px.min(height_px) as f64;
    let dpi = short_side / 8.5;
    [150u32, 200, 240, 300, 400, 600]
        .into_iter()
        .min_by_key(|&d| ((d as f64 - dpi).abs() * 100.0) as u64)
        .unwrap_or(300)
}

/// Accepts a metadata DPI only when plausible for a scanner; else estimates.
pub(crate) fn plausible_dpi(meta: Option<f64>, width_px: u32, height_px: u32) -> u32 {
    match meta {
        Some(d) if (72.0..=1200.0).contains(&d) => d.round() as u32,
        _ => estimate_dpi(width_px, height_px),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_recognizes_formats_by_content() {
        assert_eq!(sniff(b"%PDF-1.4\n").unwrap(), Format::Pdf);
        assert_eq!(sniff(b"II*\0rest").unwrap(), Format::Tiff);
        assert_eq!(sniff(b"MM\0*rest").unwrap(), Format::Tiff);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nxx").unwrap(), Format::Png);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(), Format::Jpeg);
        assert_eq!(sniff(b"GIF89a....").unwrap(), Format::Gif);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), Format::WebP);
        assert!(matches!(sniff(b""), Err(DecodeError::Empty)));
        let err = sniff(b"hello world").unwrap_err().to_string();
        assert!(err.contains("not a PDF"), "{err}");
    }

    #[test]
    fn dpi_is_estimated_from_letter_width() {
        assert_eq!(estimate_dpi(2550, 3300), 300);
        assert_eq!(estimate_dpi(1700, 2200), 200);
        assert_eq!(estimate_dpi(3300, 2550), 300);
        assert_eq!(plausible_dpi(Some(1.0), 1700, 2200), 200);
        assert_eq!(plausible_dpi(Some(300.0), 1700, 2200), 300);
    }
}
