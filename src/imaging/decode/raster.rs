//! PNG, JPEG, BMP, WebP pages (single images and the files of folder batches) and GIFs
//! (every frame a page). A stored orientation (EXIF, PNG eXIf) is applied, so the page is
//! the way a viewer shows it.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{GrayImage, ImageDecoder, ImageFormat, ImageReader, Luma};

use super::{plausible_dpi, DecodeError, DecodeLimits};
use crate::model::PageImage;

pub fn decode(bytes: &[u8], page: u32, limits: DecodeLimits) -> Result<PageImage, DecodeError> {
    // PNG states its size in the first chunk: refuse a bomb before any decoder allocates.
    if let Some((w, h)) = png_dimensions(bytes) {
        limits.check(page, w as u64, h as u64)?;
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::page(page, e))?;
    let format = reader.format();
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| DecodeError::page(page, e))?;
    let (w, h) = decoder.dimensions();
    limits.check(page, w as u64, h as u64)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // Header read and size checked above, before any pixels.
    if format == Some(ImageFormat::Jpeg) {
        let image = super::jpeg::decode_gray(bytes, limits.max_page_pixels)
            .map_err(|e| DecodeError::page(page, e))?;
        let image = oriented(image, orientation);
        let (w, h) = image.dimensions();
        return Ok(PageImage {
            page_no: page,
            dpi: plausible_dpi(jfif_dpi(bytes), w, h),
            image,
            text_layer: None,
            not_drawn: Vec::new(),
        });
    }
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_page_pixels.saturating_mul(4));
    decoder
        .set_limits(image_limits)
        .map_err(|e| DecodeError::page(page, e))?;
    let meta_dpi = match format {
        Some(ImageFormat::Png) => png_dpi(bytes),
        _ => None,
    };
    let image =
        image::DynamicImage::from_decoder(decoder).map_err(|e| DecodeError::page(page, e))?;
    let image = oriented(on_white(image), orientation);
    let (w, h) = image.dimensions();
    Ok(PageImage {
        page_no: page,
        dpi: plausible_dpi(meta_dpi, w, h),
        image,
        text_layer: None,
        not_drawn: Vec::new(),
    })
}

/// Grey on white paper: transparent pixels are paper, not black.
fn on_white(image: image::DynamicImage) -> GrayImage {
    if !image.color().has_alpha() {
        return image.into_luma8();
    }
    let la = image.into_luma_alpha8();
    let (w, h) = la.dimensions();
    GrayImage::from_fn(w, h, |x, y| {
        let [v, a] = la.get_pixel(x, y).0;
        Luma([super::over_white(v, Some(a))])
    })
}

fn oriented(image: GrayImage, orientation: Orientation) -> GrayImage {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let mut d = image::DynamicImage::ImageLuma8(image);
    d.apply_orientation(orientation);
    d.into_luma8()
}

/// A GIF's frames, each a page, composed as a viewer shows them.
pub struct GifFrames {
    frames: Vec<GrayImage>,
}

impl GifFrames {
    pub fn open(bytes: Vec<u8>, limits: DecodeLimits) -> Result<GifFrames, DecodeError> {
        use image::AnimationDecoder;
        let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(&bytes))
            .map_err(|e| DecodeError::Structure(format!("not a readable GIF ({e})")))?;
        let (w, h) = decoder.dimensions();
        limits.check(1, w as u64, h as u64)?;
        let mut frames = Vec::new();
        // Every frame is composed at the full screen size: the frames together are held
        // to ten pages' worth of pixels (a GIF of many frames is an animation, not a scan).
        let budget = limits.max_page_pixels.saturating_mul(10).min(200_000_000);
        for (i, frame) in decoder.into_frames().enumerate() {
            let page = i as u32 + 1;
            if (page as u64).saturating_mul(w as u64 * h as u64) > budget {
                return Err(DecodeError::Structure(format!(
                    "GIF has more than {} frames of {w}x{h} pixels; ChartVault reads GIFs of \
                     up to ten pages' worth of pixels",
                    page - 1
                )));
            }
            if page > limits.max_pages {
                return Err(DecodeError::TooManyPages {
                    num_pages: page as usize,
                    limit: limits.max_pages,
                });
            }
            let frame = frame.map_err(|e| DecodeError::page(page, e))?;
            let rgba = image::DynamicImage::ImageRgba8(frame.into_buffer());
            frames.push(on_white(rgba));
        }
        Ok(GifFrames { frames })
    }

    pub fn num_pages(&self) -> usize {
        self.frames.len()
    }

    pub fn decode_page(&mut self, page_no: u32) -> Result<PageImage, DecodeError> {
        let image = self
            .frames
            .get(page_no as usize - 1)
            .cloned()
            .ok_or_else(|| DecodeError::page(page_no, "no such page"))?;
        let (w, h) = image.dimensions();
        Ok(PageImage {
            page_no,
            dpi: super::estimate_dpi(w, h),
            image,
            text_layer: None,
            not_drawn: Vec::new(),
        })
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || !bytes.starts_with(b"\x89PNG") || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((w, h))
}

/// DPI from a PNG `pHYs` chunk (pixels per metre), if present.
fn png_dpi(bytes: &[u8]) -> Option<f64> {
    let mut pos = 8;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos + 8 + len)?;
        if kind == b"pHYs" && len >= 9 {
            let ppm = u32::from_be_bytes(data[0..4].try_into().ok()?) as f64;
            return (data[8] == 1).then_some(ppm * 0.0254);
        }
        if kind == b"IDAT" {
            return None;
        }
        pos += 12 + len;
    }
    None
}

/// DPI from a JPEG JFIF APP0 segment, if it states dots per inch or per cm.
fn jfif_dpi(bytes: &[u8]) -> Option<f64> {
    let mut pos = 2;
    while pos + 4 <= bytes.len() && bytes[pos] == 0xFF {
        let marker = bytes[pos + 1];
        let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
        if marker == 0xE0 {
            let seg = bytes.get(pos + 4..pos + 2 + len)?;
            if seg.starts_with(b"JFIF\0") && seg.len() >= 12 {
                let units = seg[7];
                let x = u16::from_be_bytes([seg[8], seg[9]]) as f64;
                return match units {
                    1 => Some(x),
                    2 => Some(x * 2.54),
                    _ => None,
                };
            }
        }
        if marker == 0xDA {
            return None;
        }
        pos += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> DecodeLimits {
        DecodeLimits {
            max_page_pixels: 10_000_000,
            max_pages: 10,
        }
    }

    #[test]
    fn png_roundtrip_keeps_pixels() {
        let mut img = GrayImage::from_pixel(40, 30, Luma([255]));
        img.put_pixel(3, 4, Luma([0]));
        let mut buf = Vec::new();
        img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)
            .unwrap();
        let page = decode(&buf, 1, limits()).unwrap();
        assert_eq!(page.image.dimensions(), (40, 30));
        assert_eq!(page.image.get_pixel(3, 4).0[0], 0);
    }

    #[test]
    fn oversized_png_header_is_refused_before_decoding() {
        // A PNG header declaring 60000 x 60000 with no pixel data.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&60000u32.to_be_bytes());
        ihdr.extend_from_slice(&60000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&ihdr);
        let crc = crc32(b"IHDR", &ihdr);
        png.extend_from_slice(&crc.to_be_bytes());
        let err = decode(&png, 1, limits()).unwrap_err();
        assert!(matches!(err, DecodeError::TooLarge { .. }), "{err}");
    }

    fn crc32(kind: &[u8], data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in kind.iter().chain(data) {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
