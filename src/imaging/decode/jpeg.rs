//! JPEG images decoded straight to grey.
//!
//! The luma plane of a YCbCr (or greyscale) JPEG is the grey page: decoding only it skips
//! chroma upsampling and colour conversion, and a colour scan then costs about what a grey
//! one does (dev corpus, 122 JPEG pages: 3.7 s through RGB, 1.1 s straight to luma; the
//! two greys differ by at most 4 levels, mostly 0 or 1, from BT.601 vs BT.709 weights and
//! rounding). Other colour models (CMYK, YCCK, Adobe RGB-coded) go through RGB.

use image::GrayImage;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// Decodes a JPEG to 8-bit grey, refusing images over `max_pixels` before decoding pixels.
pub fn decode_gray(bytes: &[u8], max_pixels: u64) -> Result<GrayImage, super::DecodeError> {
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::Luma)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder
        .decode_headers()
        .map_err(|e| format!("bad JPEG image: {e}"))?;
    let (w, h) = decoder
        .dimensions()
        .ok_or_else(|| "bad JPEG image: no size".to_string())?;
    complete(bytes)?;
    if (w as u64).saturating_mul(h as u64) > max_pixels {
        return Err(super::DecodeError::from(format!(
            "JPEG image is {w}x{h} pixels, over the limit of {max_pixels} pixels"
        )));
    }
    if !matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::YCbCr | ColorSpace::Luma)
    ) {
        return image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
            .map(|img| img.into_luma8())
            .map_err(|e| format!("bad JPEG image: {e}").into());
    }
    let pixels = decoder
        .decode()
        .map_err(|e| format!("bad JPEG image: {e}"))?;
    GrayImage::from_raw(w as u32, h as u32, pixels)
        .ok_or_else(|| "bad JPEG image: fewer pixels than its size".into())
}

/// A JPEG whose data stops before its end-of-image marker is truncated (libjpeg's
/// "premature end of JPEG file"): decoders fill the missing rows with grey and report
/// nothing, so the page would be archived with its bottom gone. The file is walked forward
/// segment by segment (an EXIF thumbnail inside APP1 is skipped with its segment) and
/// through each scan's entropy-coded data (where 0xFF is always followed by 0x00, a restart
/// marker or fill) to the first end-of-image marker after a scan: whatever follows it (a
/// scanner's padding, a phone's appended video) is not looked at.
fn complete(b: &[u8]) -> Result<(), super::DecodeError> {
    const TRUNCATED: &str = "bad JPEG image: truncated (the data ends before its \
        end-of-image marker; part of the page is missing)";
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return Err(super::DecodeError::from(
            "bad JPEG image: no start-of-image marker",
        ));
    }
    let mut i = 2;
    let mut scanned = false;
    loop {
        // The next marker (tolerating stray bytes and fill before it).
        while i < b.len() && b[i] != 0xFF {
            i += 1;
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = b.get(i) else {
            return Err(super::DecodeError::from(TRUNCATED));
        };
        i += 1;
        match marker {
            0xD9 if scanned => return Ok(()),
            0xD9 => {
                return Err(super::DecodeError::from(
                    "bad JPEG image: no image data before its end",
                ))
            }
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = b
            .get(i..i + 2)
            .map(|l| u16::from_be_bytes([l[0], l[1]]) as usize)
        else {
            return Err(super::DecodeError::from(TRUNCATED));
        };
        if len < 2 {
            return Err(super::DecodeError::from(
                "bad JPEG image: a segment with an impossible length",
            ));
        }
        i += len;
        if i > b.len() {
            return Err(super::DecodeError::from(TRUNCATED));
        }
        if marker == 0xDA {
            scanned = true;
            // Entropy-coded data up to the next marker.
            loop {
                while i < b.len() && b[i] != 0xFF {
                    i += 1;
                }
                match b.get(i + 1) {
                    None => return Err(super::DecodeError::from(TRUNCATED)),
                    Some(0x00) | Some(0xD0..=0xD7) => i += 2,
                    Some(0xFF) => i += 1,
                    Some(_) => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_of(img: image::DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out
    }

    #[test]
    fn a_colour_jpeg_decodes_to_the_grey_the_rgb_route_gives_within_a_few_levels() {
        let rgb = image::RgbImage::from_fn(320, 240, |x, y| {
            // Paper, black print, blue pen, a red stamp.
            match (x / 80, y / 60) {
                (0, _) => image::Rgb([246, 243, 236]),
                (1, _) => image::Rgb([20, 20, 24]),
                (2, _) => image::Rgb([30, 50, 160]),
                _ => image::Rgb([190, 30, 40]),
            }
        });
        let bytes = jpeg_of(image::DynamicImage::ImageRgb8(rgb));
        let direct = decode_gray(&bytes, 1 << 20).unwrap();
        let via_rgb = image::load_from_memory(&bytes).unwrap().into_luma8();
        assert_eq!(direct.dimensions(), (320, 240));
        // Paper and print agree; coloured ink stays ink (weights differ a little).
        for (x, y) in [(40, 100), (120, 100)] {
            let (a, b) = (direct.get_pixel(x, y).0[0], via_rgb.get_pixel(x, y).0[0]);
            assert!(a.abs_diff(b) <= 2, "({x},{y}): {a} vs {b}");
        }
        for (x, y) in [(200, 100), (280, 100)] {
            let (a, b) = (direct.get_pixel(x, y).0[0], via_rgb.get_pixel(x, y).0[0]);
            assert!(a < 120 && a.abs_diff(b) <= 30, "({x},{y}): {a} vs {b}");
        }
    }

    #[test]
    fn a_grey_jpeg_decodes_as_the_image_crate_decodes_it() {
        let grey = GrayImage::from_fn(200, 100, |x, y| image::Luma([((x * 3 + y) % 256) as u8]));
        let bytes = jpeg_of(image::DynamicImage::ImageLuma8(grey));
        let direct = decode_gray(&bytes, 1 << 20).unwrap();
        let crate_grey = image::load_from_memory(&bytes).unwrap().into_luma8();
        assert_eq!(direct, crate_grey);
    }

    #[test]
    fn a_cmyk_jpeg_goes_through_rgb_and_still_decodes_to_grey() {
        // Left half paper (no ink), right half black ink (K = 255), as Adobe CMYK.
        let (w, h) = (64u16, 32u16);
        let mut cmyk = Vec::new();
        for _ in 0..h {
            for x in 0..w {
                cmyk.extend_from_slice(&[0, 0, 0, if x < 32 { 0 } else { 255 }]);
            }
        }
        let mut bytes = Vec::new();
        jpeg_encoder::Encoder::new(&mut bytes, 90)
            .encode(&cmyk, w, h, jpeg_encoder::ColorType::Cmyk)
            .unwrap();
        let grey = decode_gray(&bytes, 1 << 20).unwrap();
        assert_eq!(grey.dimensions(), (64, 32));
        let (paper, ink) = (grey.get_pixel(8, 16).0[0], grey.get_pixel(56, 16).0[0]);
        assert!(paper > 200 && ink < 60, "paper {paper}, ink {ink}");
    }

    #[test]
    fn oversized_and_broken_jpegs_are_refused_with_a_reason() {
        let bytes = jpeg_of(image::DynamicImage::ImageLuma8(GrayImage::new(100, 100)));
        let err = decode_gray(&bytes, 5_000).unwrap_err().to_string();
        assert!(err.contains("over the limit"), "{err}");
        let err = decode_gray(&bytes[..bytes.len() / 3], 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad JPEG"), "{err}");
        let err = decode_gray(b"\xff\xd8\xff\xe0garbage", 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad JPEG"), "{err}");
    }

    #[test]
    fn a_truncated_jpeg_is_refused_not_filled_with_grey() {
        let page = GrayImage::from_fn(400, 600, |x, y| {
            image::Luma([if (x / 7 + y / 11) % 3 == 0 { 20 } else { 240 }])
        });
        let bytes = jpeg_of(image::DynamicImage::ImageLuma8(page));
        assert!(decode_gray(&bytes, 1 << 22).is_ok());
        for cut in [bytes.len() / 2, bytes.len() * 9 / 10, bytes.len() - 2] {
            let err = decode_gray(&bytes[..cut], 1 << 22).unwrap_err().to_string();
            assert!(err.contains("truncated"), "cut at {cut}: {err}");
        }
        // Bytes after the end-of-image marker (some scanners pad files; phones append a
        // video, whose bytes may look like markers) are not looked at.
        let mut padded = bytes.clone();
        padded.extend_from_slice(&[0u8; 64]);
        assert!(decode_gray(&padded, 1 << 22).is_ok());
        let mut appended = bytes.clone();
        appended.extend_from_slice(b"\xff\xda\x00\x08ftypmp42\xff\xd8\x12\x34");
        assert!(decode_gray(&appended, 1 << 22).is_ok());
        // A progressive JPEG (several scans) is complete too, and truncated when cut.
        let rgb =
            image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 90]));
        let mut prog = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut prog, 85);
        encoder.set_progressive(true);
        encoder
            .encode(rgb.as_raw(), 64, 64, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        assert!(complete(&prog).is_ok());
        assert!(complete(&prog[..prog.len() - 3]).is_err());
    }
}
