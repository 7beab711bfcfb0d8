//! The page image kept for the viewer: reduced resolution, JPEG.

use image::GrayImage;
use jpeg_encoder::{ColorType, Encoder};

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
    let (w, h) = img.dimensions();
    let encoded = match (u16::try_from(w), u16::try_from(h)) {
        (Ok(w16), Ok(h16)) => Encoder::new(&mut out, quality)
            .encode(img.as_raw(), w16, h16, ColorType::Luma)
            .is_ok(),
        _ => false,
    };
    // Encoding an in-memory grayscale buffer fails only when a side is over 65,535 px
    // (a viewer image never is; the page limit is 100 Mpx): an empty image then.
    if !encoded {
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

    #[test]
    fn the_viewer_image_is_a_jpeg_of_the_reduced_page() {
        let page = GrayImage::from_fn(2550, 3300, |x, y| {
            image::Luma([((x / 40 + y / 40) % 2 * 200) as u8])
        });
        let jpeg = viewer_jpeg(&page, 1650, 70);
        let back = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
            .unwrap()
            .to_luma8();
        assert_eq!(back.dimensions(), (1275, 1650));
        let half = crate::imaging::reduce::box_reduce(&page, 2);
        let off = back
            .pixels()
            .zip(half.pixels())
            .filter(|(a, b)| a.0[0].abs_diff(b.0[0]) > 40)
            .count();
        assert!(off * 100 < half.len(), "{off} pixels far off");
    }
}
