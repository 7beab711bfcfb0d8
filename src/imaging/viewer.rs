//! The page image kept for the viewer: reduced resolution, JPEG.

use image::codecs::jpeg::JpegEncoder;
use image::GrayImage;

/// Scales the page so its long side is at most `long_side_px` and encodes it as JPEG.
pub fn viewer_jpeg(image: &GrayImage, long_side_px: u32, quality: u8) -> Vec<u8> {
    viewer_jpeg_reusing(image, None, long_side_px, quality)
}

/// [`viewer_jpeg`], given a reduced copy of the same page pixels made earlier (for barcodes):
/// when it is exactly the viewer's size it is encoded as it is instead of reducing again.
pub fn viewer_jpeg_reusing(
    image: &GrayImage,
    reduced: Option<&GrayImage>,
    long_side_px: u32,
    quality: u8,
) -> Vec<u8> {
    let (w, h) = image.dimensions();
    let long = w.max(h);
    let scaled;
    let img = if long > long_side_px {
        let nw = ((w as u64 * long_side_px as u64) / long as u64).max(1) as u32;
        let nh = ((h as u64 * long_side_px as u64) / long as u64).max(1) as u32;
        match reduced {
            Some(r) if r.dimensions() == (nw, nh) => r,
            _ => {
                scaled = super::reduce::shrink(image, nw, nh);
                &scaled
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reduced_copy_of_the_viewer_size_gives_the_same_jpeg() {
        let page = GrayImage::from_fn(2550, 3300, |x, y| image::Luma([((x ^ y) & 0xff) as u8]));
        let half = crate::imaging::reduce::box_reduce(&page, 2);
        let direct = viewer_jpeg(&page, 1650, 70);
        assert_eq!(viewer_jpeg_reusing(&page, Some(&half), 1650, 70), direct);
        // A copy of another size is not used.
        let third = crate::imaging::reduce::box_reduce(&page, 3);
        assert_eq!(viewer_jpeg_reusing(&page, Some(&third), 1650, 70), direct);
    }
}
