//! The page image kept for the viewer: reduced resolution, JPEG.

use image::codecs::jpeg::JpegEncoder;
use image::GrayImage;

/// Scales the page so its long side is at most `long_side_px` and encodes it as JPEG.
pub fn viewer_jpeg(image: &GrayImage, long_side_px: u32, quality: u8) -> Vec<u8> {
    let (w, h) = image.dimensions();
    let long = w.max(h);
    let scaled;
    let img = if long > long_side_px {
        let nw = ((w as u64 * long_side_px as u64) / long as u64).max(1) as u32;
        let nh = ((h as u64 * long_side_px as u64) / long as u64).max(1) as u32;
        scaled = super::reduce::shrink(image, nw, nh);
        &scaled
    } else {
        image
    };
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, quality);
    // Encoding an in-memory grayscale buffer cannot fail short of allocation failure.
    if img.write_with_encoder(encoder).is_err() {
        out.clear();
    }
    out
}
