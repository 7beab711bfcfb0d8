//! Multi-page TIFF scans: fax (Group 3 1-D and 2-D, Group 4, either bit order), LZW,
//! Deflate, PackBits, JPEG and uncompressed; grey at 1 to 16 bits, palette, RGB, CMYK,
//! with or without alpha, in strips or tiles.

use std::io::Cursor;

use hayro_ccitt::EncodingMode;
use image::GrayImage;
use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::ColorType;

use super::ccitt::{self, FaxParams};
use super::{luma, over_white, plausible_dpi, DecodeError, DecodeLimits};
use crate::model::PageImage;

pub struct TiffPages {
    bytes: Vec<u8>,
    num_pages: usize,
}

fn tiff_err(e: tiff::TiffError) -> DecodeError {
    let s = e.to_string();
    if s.contains("failed to fill whole buffer") || s.contains("UnexpectedEof") {
        DecodeError::from("image data is truncated")
    } else {
        DecodeError::from(s)
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
        let err = |e: DecodeError| DecodeError::page(page_no, e);
        let mut tiff_limits = Limits::default();
        tiff_limits.decoding_buffer_size = (limits.max_page_pixels as usize).saturating_mul(8);
        tiff_limits.intermediate_buffer_size = tiff_limits.decoding_buffer_size;
        // The tiff crate does not decode palette images: the page's photometric tag is read
        // here and, for a palette page, the indices are decoded as grey samples from a copy
        // whose tag says so, then looked up in the page's colour map.
        let palette_copy = palette_as_gray(&self.bytes, page_no as usize - 1);
        let bytes = palette_copy.as_ref().unwrap_or(&self.bytes);
        let mut decoder = Decoder::new(Cursor::new(bytes))
            .map_err(|e| err(tiff_err(e)))?
            .with_limits(tiff_limits);
        decoder
            .seek_to_image(page_no as usize - 1)
            .map_err(|e| err(tiff_err(e)))?;
        let (w, h) = decoder.dimensions().map_err(|e| err(tiff_err(e)))?;
        limits.check(page_no, w as u64, h as u64)?;
        let tag = |d: &mut Decoder<Cursor<&Vec<u8>>>, t: Tag| -> Option<u64> {
            d.find_tag_unsigned::<u64>(t).ok().flatten()
        };
        let compression = tag(&mut decoder, Tag::Compression).unwrap_or(1);
        let photometric = tag(&mut decoder, Tag::PhotometricInterpretation).unwrap_or(0);
        let lsb_first = tag(&mut decoder, Tag::FillOrder) == Some(2);
        let dpi = resolution_dpi(&mut decoder, Tag::XResolution);
        let ydpi = resolution_dpi(&mut decoder, Tag::YResolution);
        let image = match compression {
            2..=4 => self.fax_page(&mut decoder, compression, photometric, lsb_first, w, h),
            6 => Err(super::DecodeError::from(
                "old-style JPEG compression (TIFF 6.0 compression 6) is not supported; \
                 re-save the file with new-style JPEG (compression 7)",
            )),
            _ => {
                let color = match decoder.colortype().map_err(|e| err(tiff_err(e)))? {
                    ColorType::Gray(b) if palette_copy.is_some() => ColorType::Palette(b),
                    c => c,
                };
                let colormap = match color {
                    ColorType::Palette(_) => decoder.get_tag_u16_vec(Tag::ColorMap).ok(),
                    _ => None,
                };
                let data = decoder.read_image().map_err(|e| err(tiff_err(e)))?;
                let form = Form {
                    color,
                    lsb_first,
                    colormap,
                };
                to_gray(data, &form, w, h)
            }
        }
        .map_err(err)?;
        let image = square_pixels(image, dpi, ydpi);
        let (iw, ih) = image.dimensions();
        Ok(PageImage {
            page_no,
            dpi: plausible_dpi(dpi, iw, ih),
            image,
            text_layer: None,
            not_drawn: Vec::new(),
        })
    }

    /// A CCITT-coded page (compression 2, 3 or 4), strip by strip: every strip is coded on
    /// its own, so a missing or damaged strip is found and named.
    fn fax_page(
        &self,
        decoder: &mut Decoder<Cursor<&Vec<u8>>>,
        compression: u64,
        photometric: u64,
        lsb_first: bool,
        w: u32,
        h: u32,
    ) -> Result<GrayImage, super::DecodeError> {
        let tile = |d: &mut Decoder<Cursor<&Vec<u8>>>, t: Tag| {
            d.find_tag_unsigned::<u64>(t).ok().flatten()
        };
        let tiled = match (
            tile(decoder, Tag::TileWidth),
            tile(decoder, Tag::TileLength),
        ) {
            (Some(tw), Some(tl))
                if tw > 0
                    && tl > 0
                    && tw <= w as u64 * 2 + 16
                    && tl <= h as u64 * 2 + 16
                    && tw * tl <= w as u64 * h as u64 * 4 + 65_536 =>
            {
                Some((tw as u32, tl as u32))
            }
            (None, None) => None,
            _ => {
                return Err(super::DecodeError::from(
                    "tile size is missing or implausible",
                ))
            }
        };
        let (offset_tag, count_tag) = match tiled {
            Some(_) => (Tag::TileOffsets, Tag::TileByteCounts),
            None => (Tag::StripOffsets, Tag::StripByteCounts),
        };
        let offsets = decoder
            .get_tag_u64_vec(offset_tag)
            .map_err(|e| format!("strip offsets unreadable ({})", tiff_err(e)))?;
        let counts = decoder
            .get_tag_u64_vec(count_tag)
            .map_err(|e| format!("strip sizes unreadable ({})", tiff_err(e)))?;
        let rows_per_strip = decoder
            .find_tag_unsigned::<u64>(Tag::RowsPerStrip)
            .ok()
            .flatten()
            .unwrap_or(h as u64)
            .clamp(1, h as u64) as u32;
        let block = |i: usize, n: usize| -> Result<&[u8], super::DecodeError> {
            let start = offsets[i] as usize;
            start
                .checked_add(counts[i] as usize)
                .and_then(|end| self.bytes.get(start..end))
                .ok_or_else(|| {
                    format!(
                        "image data is truncated: part {} of {n} lies past the end of the file",
                        i + 1
                    )
                    .into()
                })
        };
        let options = match compression {
            3 => decoder
                .find_tag_unsigned::<u64>(Tag::Unknown(292))
                .ok()
                .flatten()
                .unwrap_or(0),
            _ => 0,
        };
        let mode = match compression {
            4 => EncodingMode::Group4,
            3 if options & 1 == 1 => EncodingMode::Group3_2D,
            _ => EncodingMode::Group3_1D,
        };
        let params = |columns: u32, rows: u32| FaxParams {
            mode,
            columns,
            rows,
            byte_aligned: compression == 2 || options & 4 == 4,
            end_of_line: compression == 3,
            lsb_first,
        };
        // Photometric 0 (WhiteIsZero, the fax convention) keeps fax white white.
        let white_is_fax_white = photometric == 0;
        if let Some((tw, tl)) = tiled {
            let (across, down) = (w.div_ceil(tw) as usize, h.div_ceil(tl) as usize);
            let n = across * down;
            if offsets.len() < n || counts.len() < n {
                return Err(super::DecodeError::from(format!(
                    "image data is truncated: {} of {n} tiles listed",
                    offsets.len().min(counts.len())
                )));
            }
            let mut out = GrayImage::from_pixel(w, h, image::Luma([255]));
            for i in 0..n {
                let (tx, ty) = ((i % across) as u32 * tw, (i / across) as u32 * tl);
                let (pixels, _) = ccitt::decode(block(i, n)?, params(tw, tl), white_is_fax_white)
                    .map_err(|e| format!("tile {} of {n}: {e}", i + 1))?;
                for y in 0..tl.min(h - ty) {
                    for x in 0..tw.min(w - tx) {
                        let v = pixels[(y * tw + x) as usize];
                        out.put_pixel(tx + x, ty + y, image::Luma([v]));
                    }
                }
            }
            return Ok(out);
        }
        let strips = h.div_ceil(rows_per_strip) as usize;
        if offsets.len() < strips || counts.len() < strips {
            return Err(super::DecodeError::from(format!(
                "image data is truncated: {} of {strips} strips listed",
                offsets.len().min(counts.len())
            )));
        }
        let mut pixels = Vec::with_capacity(w as usize * h as usize);
        for i in 0..strips {
            let rows = rows_per_strip.min(h - i as u32 * rows_per_strip);
            let data = block(i, strips)?;
            let params = params(w, rows);
            let (strip, _) = ccitt::decode(data, params, white_is_fax_white)
                .map_err(|e| format!("strip {} of {strips}: {e}", i + 1))?;
            pixels.extend_from_slice(&strip);
        }
        GrayImage::from_raw(w, h, pixels).ok_or_else(|| "fax image has the wrong size".into())
    }
}

/// A page whose pixels are not square (a fax in normal mode is 204 x 98 DPI: every line
/// twice as tall as a pixel is wide) is stretched to square pixels at its horizontal
/// resolution; read as stored its letters are half height and OCR reads garbage.
fn square_pixels(image: GrayImage, xdpi: Option<f64>, ydpi: Option<f64>) -> GrayImage {
    let (Some(x), Some(y)) = (xdpi, ydpi) else {
        return image;
    };
    if !(x > 0.0 && y > 0.0) || (x / y - 1.0).abs() < 0.1 || !(0.2..=5.0).contains(&(x / y)) {
        return image;
    }
    let (w, h) = image.dimensions();
    let new_h = ((h as f64) * x / y).round().max(1.0) as u32;
    image::imageops::resize(&image, w, new_h, image::imageops::FilterType::Triangle)
}

fn resolution_dpi<R: std::io::Read + std::io::Seek>(
    decoder: &mut Decoder<R>,
    tag: Tag,
) -> Option<f64> {
    // Resolutions are RATIONAL in almost every file (the tiff crate's f64 getter takes
    // only DOUBLE).
    let x = match decoder.get_tag(tag).ok()? {
        tiff::decoder::ifd::Value::Rational(n, d) if d > 0 => n as f64 / d as f64,
        tiff::decoder::ifd::Value::Double(v) => v,
        tiff::decoder::ifd::Value::Float(v) => v as f64,
        tiff::decoder::ifd::Value::Short(v) => v as f64,
        tiff::decoder::ifd::Value::Unsigned(v) => v as f64,
        _ => return None,
    };
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

/// For a palette page (PhotometricInterpretation 3) of a classic TIFF: a copy of the file
/// whose page `index` says BlackIsZero instead, so its indices decode as grey samples.
fn palette_as_gray(bytes: &[u8], index: usize) -> Option<Vec<u8>> {
    let big = match bytes.get(..4)? {
        b"II*\0" => false,
        b"MM\0*" => true,
        _ => return None,
    };
    let u16_at = |o: usize| {
        let b: [u8; 2] = bytes.get(o..o + 2)?.try_into().ok()?;
        Some(if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |o: usize| {
        let b: [u8; 4] = bytes.get(o..o + 4)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let mut ifd = u32_at(4)? as usize;
    for _ in 0..index {
        let n = u16_at(ifd)? as usize;
        ifd = u32_at(ifd + 2 + 12 * n)? as usize;
        if ifd == 0 {
            return None;
        }
    }
    let n = u16_at(ifd)? as usize;
    for e in 0..n {
        let at = ifd + 2 + 12 * e;
        if u16_at(at)? == 262 && u16_at(at + 2)? == 3 && u16_at(at + 8)? == 3 {
            let mut copy = bytes.to_vec();
            let one = if big { [0, 1] } else { [1, 0] };
            copy[at + 8..at + 10].copy_from_slice(&one);
            return Some(copy);
        }
    }
    None
}

/// How a decoded page's samples are laid out.
struct Form {
    color: ColorType,
    lsb_first: bool,
    colormap: Option<Vec<u16>>,
}

/// Samples of `bits` bits (1, 2, 4, 8), rows starting on a byte, as one byte each
/// (values 0 to 2^bits - 1).
fn unpack(bytes: &[u8], per_row: usize, h: usize, bits: u8) -> Option<Vec<u8>> {
    if bits == 8 {
        return bytes.get(..per_row.checked_mul(h)?).map(<[u8]>::to_vec);
    }
    let row_bytes = (per_row * bits as usize).div_ceil(8);
    let rows = bytes.get(..row_bytes.checked_mul(h)?)?;
    let mask = (1u16 << bits) as u8 - 1;
    let mut out = Vec::with_capacity(per_row * h);
    for row in rows.chunks_exact(row_bytes) {
        for i in 0..per_row {
            let bit = i * bits as usize;
            let shift = 8 - bits as usize - bit % 8;
            out.push((row[bit / 8] >> shift) & mask);
        }
    }
    Some(out)
}

/// A decoded TIFF page as 8-bit grey (0 black). The tiff crate has already turned
/// WhiteIsZero samples around, so every form here is "0 is dark".
fn to_gray(
    data: DecodingResult,
    form: &Form,
    w: u32,
    h: u32,
) -> Result<GrayImage, super::DecodeError> {
    let (wu, hu) = (w as usize, h as usize);
    let truncated = || DecodeError::from("image data is truncated");
    let (bits, samples) = match form.color {
        ColorType::Gray(b) | ColorType::Palette(b) => (b, 1),
        ColorType::GrayA(b) => (b, 2),
        ColorType::RGB(b) | ColorType::YCbCr(b) => (b, 3),
        ColorType::RGBA(b) | ColorType::CMYK(b) => (b, 4),
        ColorType::CMYKA(b) => (b, 5),
        ColorType::Multiband {
            bit_depth,
            num_samples,
        } => (bit_depth, num_samples as usize),
        other => {
            return Err(super::DecodeError::from(format!(
                "unsupported TIFF colour type {other:?}"
            )))
        }
    };
    let per_row = wu * samples;
    let values: Vec<u8> = match data {
        DecodingResult::U8(mut b) => {
            if form.lsb_first && bits < 8 {
                b.iter_mut().for_each(|x| *x = x.reverse_bits());
            }
            if !matches!(bits, 1 | 2 | 4 | 8) {
                return Err(super::DecodeError::from(format!(
                    "{bits}-bit TIFF samples are not supported"
                )));
            }
            let mut v = unpack(&b, per_row, hu, bits).ok_or_else(truncated)?;
            if bits < 8 && !matches!(form.color, ColorType::Palette(_)) {
                let max = (1u16 << bits) - 1;
                v.iter_mut()
                    .for_each(|x| *x = (*x as u16 * 255 / max) as u8);
            }
            v
        }
        DecodingResult::U16(v) => {
            if v.len() < per_row * hu {
                return Err(truncated());
            }
            match form.color {
                // A 16-bit palette index stays an index (clamped to the map below).
                ColorType::Palette(_) => v.iter().map(|&x| x.min(255) as u8).collect(),
                _ => v.iter().map(|&x| (x >> 8) as u8).collect(),
            }
        }
        _ => {
            return Err(super::DecodeError::from(
                "unsupported TIFF sample format (floating point or 32-bit)",
            ))
        }
    };
    if values.len() < per_row * hu {
        return Err(truncated());
    }
    let gray: Vec<u8> = match form.color {
        ColorType::Palette(b) => {
            let map = form
                .colormap
                .as_ref()
                .ok_or("palette image without a colour map")?;
            let n = 1usize << b.min(8);
            if map.len() < 3 * n {
                return Err(super::DecodeError::from(
                    "palette image with a short colour map",
                ));
            }
            values
                .iter()
                .map(|&i| {
                    let i = (i as usize).min(n - 1);
                    let c = |k: usize| (map[k * n + i] >> 8) as u8;
                    luma(c(0), c(1), c(2))
                })
                .collect()
        }
        ColorType::CMYK(_) | ColorType::CMYKA(_) => values
            .chunks_exact(samples)
            .map(|p| {
                let k = 255 - p[3] as u32;
                let c = |v: u8| ((255 - v as u32) * k / 255) as u8;
                let g = luma(c(p[0]), c(p[1]), c(p[2]));
                over_white(g, p.get(4).copied())
            })
            .collect(),
        ColorType::YCbCr(_) => values.chunks_exact(3).map(|p| p[0]).collect(),
        _ => values
            .chunks_exact(samples)
            .map(|p| match samples {
                1 => p[0],
                2 => over_white(p[0], Some(p[1])),
                3 => luma(p[0], p[1], p[2]),
                _ => over_white(luma(p[0], p[1], p[2]), Some(p[3])),
            })
            .collect(),
    };
    GrayImage::from_raw(w, h, gray).ok_or_else(truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_samples_unpack_per_row() {
        // Two rows of three 2-bit samples (one byte each, 2 padding bits).
        let v = unpack(&[0b00_01_10_00, 0b11_00_01_00], 3, 2, 2).unwrap();
        assert_eq!(v, [0, 1, 2, 3, 0, 1]);
        assert!(unpack(&[0], 3, 2, 2).is_none());
    }

    #[test]
    fn fax_normal_mode_pixels_are_squared() {
        let img = GrayImage::new(1728, 1100);
        assert_eq!(
            square_pixels(img.clone(), Some(204.0), Some(98.0)).dimensions(),
            (1728, 2290)
        );
        assert_eq!(
            square_pixels(img.clone(), Some(204.0), Some(196.0)).dimensions(),
            (1728, 1100)
        );
        assert_eq!(
            square_pixels(img, Some(200.0), None).dimensions(),
            (1728, 1100)
        );
    }

    #[test]
    fn alpha_lies_on_white_paper() {
        assert_eq!(over_white(0, Some(255)), 0);
        assert_eq!(over_white(0, Some(0)), 255);
        assert_eq!(over_white(0, None), 0);
    }
}
