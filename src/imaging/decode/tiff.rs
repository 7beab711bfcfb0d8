//! Multi-page TIFF scans (Group 4, LZW, Deflate, JPEG, uncompressed), and the CCITT
//! decoding shared with PDF.

use std::io::Cursor;

use image::{GrayImage, Luma};
use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::ColorType;

use super::{plausible_dpi, DecodeError, DecodeLimits};
use crate::model::PageImage;

pub struct TiffPages {
    bytes: Vec<u8>,
    num_pages: usize,
}

fn tiff_err(e: tiff::TiffError) -> String {
    let s = e.to_string();
    if s.contains("failed to fill whole buffer") || s.contains("UnexpectedEof") {
        "image data is truncated".to_string()
    } else {
        s
    }
}

impl TiffPages {
    pub fn open(bytes: Vec<u8>) -> Result<TiffPages, DecodeError> {
        let mut decoder = Decoder::new(Cursor::new(&bytes)).map_err(|e| {
            DecodeError::Structure(format!("not a readable TIFF ({})", tiff_err(e)))
        })?;
        let mut num_pages = 1u32;
        while decoder.more_images() {
            decoder
                .next_image()
                .map_err(|e| DecodeError::page(num_pages + 1, tiff_err(e)))?;
            num_pages += 1;
            if num_pages > 100_000 {
                return Err(DecodeError::Structure("TIFF page chain loops".into()));
            }
        }
        Ok(TiffPages {
            bytes,
            num_pages: num_pages as usize,
        })
    }

    pub fn num_pages(&self) -> usize {
        self.num_pages
    }

    pub fn decode_page(
        &mut self,
        page_no: u32,
        limits: DecodeLimits,
    ) -> Result<PageImage, DecodeError> {
        let err = |e: String| DecodeError::page(page_no, e);
        let mut tiff_limits = Limits::default();
        tiff_limits.decoding_buffer_size = (limits.max_page_pixels as usize).saturating_mul(4);
        tiff_limits.intermediate_buffer_size = tiff_limits.decoding_buffer_size;
        let mut decoder = Decoder::new(Cursor::new(&self.bytes))
            .map_err(|e| err(tiff_err(e)))?
            .with_limits(tiff_limits);
        decoder
            .seek_to_image(page_no as usize - 1)
            .map_err(|e| err(tiff_err(e)))?;
        let (w, h) = decoder.dimensions().map_err(|e| err(tiff_err(e)))?;
        limits.check(page_no, w as u64, h as u64)?;
        let color = decoder.colortype().map_err(|e| err(tiff_err(e)))?;
        let photometric: u16 = decoder
            .find_tag_unsigned(Tag::PhotometricInterpretation)
            .ok()
            .flatten()
            .unwrap_or(1);
        let dpi = resolution_dpi(&mut decoder);
        let data = decoder.read_image().map_err(|e| err(tiff_err(e)))?;
        let image = to_gray(data, color, w, h, photometric).map_err(err)?;
        Ok(PageImage {
            page_no,
            dpi: plausible_dpi(dpi, w, h),
            image,
        })
    }
}

fn resolution_dpi<R: std::io::Read + std::io::Seek>(decoder: &mut Decoder<R>) -> Option<f64> {
    let x = decoder.get_tag_f64(Tag::XResolution).ok()?;
    let unit: u16 = decoder
        .find_tag_unsigned(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .unwrap_or(2);
    match unit {
        2 => Some(x),
        3 => Some(x * 2.54),
        _ => None,
    }
}

fn to_gray(
    data: DecodingResult,
    color: ColorType,
    w: u32,
    h: u32,
    photometric: u16,
) -> Result<GrayImage, String> {
    let bytes = match data {
        DecodingResult::U8(b) => b,
        DecodingResult::U16(v) => v.into_iter().map(|x| (x >> 8) as u8).collect(),
        _ => return Err("unsupported TIFF sample format".into()),
    };
    let (wu, hu) = (w as usize, h as usize);
    let mut image = match color {
        ColorType::Gray(1) => {
            super::expand_bits(&bytes, w, h, true).ok_or("image data is truncated")?
        }
        ColorType::Gray(8) | ColorType::Gray(16) => {
            GrayImage::from_raw(w, h, bytes).ok_or("image data is truncated")?
        }
        ColorType::RGB(_) | ColorType::RGBA(_) | ColorType::GrayA(_) | ColorType::YCbCr(_) => {
            let n = bytes.len() / (wu * hu).max(1);
            if n == 0 {
                return Err("image data is truncated".into());
            }
            GrayImage::from_fn(w, h, |x, y| {
                let i = (y as usize * wu + x as usize) * n;
                let v = if n >= 3 {
                    ((bytes[i] as u32 * 299
                        + bytes[i + 1] as u32 * 587
                        + bytes[i + 2] as u32 * 114)
                        / 1000) as u8
                } else {
                    bytes[i]
                };
                Luma([v])
            })
        }
        other => return Err(format!("unsupported TIFF colour type {other:?}")),
    };
    // PhotometricInterpretation 0 = WhiteIsZero: invert to the usual 0 = black.
    if photometric == 0 && matches!(color, ColorType::Gray(_)) {
        image::imageops::invert(&mut image);
    }
    Ok(image)
}

/// Appends one fax line, `width` pixels, from its colour-change positions (starting white):
/// the pixels `fax::decoder::pels` gives, written a run at a time.
fn push_line(pixels: &mut Vec<u8>, transitions: &[u16], width: u16) {
    let end = pixels.len() + width as usize;
    let mut white = true;
    let mut last = 0u16;
    for &p in transitions {
        let run = p.saturating_sub(last) as usize;
        last = p;
        let color = if white { 255 } else { 0 };
        pixels.resize((pixels.len() + run).min(end), color);
        white = !white;
    }
    pixels.resize(end, if white { 255 } else { 0 });
}

/// Decodes CCITT fax data (K < 0: Group 4; K = 0: Group 3 one-dimensional) to gray pixels,
/// black 0 and white 255.
pub(crate) fn decode_ccitt(
    data: &[u8],
    k: i64,
    columns: u32,
    rows: u32,
) -> Result<GrayImage, String> {
    if columns == 0 || columns > u16::MAX as u32 || rows > u16::MAX as u32 {
        return Err(format!(
            "CCITT image size {columns}x{rows} is not supported"
        ));
    }
    let width = columns as u16;
    let mut pixels: Vec<u8> = Vec::with_capacity(columns as usize * rows as usize);
    let mut num_lines = 0u32;
    let mut on_line = |transitions: &[u16]| {
        if rows == 0 || num_lines < rows {
            push_line(&mut pixels, transitions, width);
            num_lines += 1;
        }
    };
    let ok = if k < 0 {
        let height = (rows > 0).then_some(rows as u16);
        fax::decoder::decode_g4(data.iter().copied(), width, height, &mut on_line)
    } else if k == 0 {
        fax::decoder::decode_g3(data.iter().copied(), &mut on_line)
    } else {
        return Err("two-dimensional Group 3 fax images are not supported".into());
    };
    if ok.is_none() && (num_lines == 0 || (rows > 0 && num_lines < rows / 2)) {
        return Err(format!(
            "CCITT fax data is corrupt or truncated after {num_lines} of {rows} lines"
        ));
    }
    let height = if rows > 0 { rows } else { num_lines };
    pixels.resize(columns as usize * height as usize, 255);
    GrayImage::from_raw(columns, height, pixels).ok_or_else(|| "CCITT decode failed".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fax_lines_are_the_pixels_fax_gives() {
        let lines: [&[u16]; 6] = [&[], &[3], &[3, 7], &[0, 5, 5, 9], &[4, 2, 12], &[2, 30, 31]];
        for t in lines {
            let mut ours = Vec::new();
            push_line(&mut ours, t, 10);
            let theirs: Vec<u8> = fax::decoder::pels(t, 10)
                .map(|c| if c == fax::Color::Black { 0 } else { 255 })
                .collect();
            assert_eq!(ours, theirs, "{t:?}");
        }
    }
}
