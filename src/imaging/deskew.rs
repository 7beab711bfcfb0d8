//! Deskew: turn a page by a small angle (measured by [`super::layout`]) so text lines run
//! level, with bilinear interpolation and paper-white fill. The page keeps its size; at
//! ±5° on a letter page the corners that move out are margin, not text.

use image::GrayImage;

/// Below this the page is left alone (the turn would move pixels by under half a pixel
/// across a 300 DPI line).
pub const MIN_SKEW_DEG: f32 = 0.05;

/// Rotates `image` so that lines skewed by `skew_deg` (counter-clockwise positive, as
/// reported by [`super::layout::analyze`]) become level. `None` when no turn is needed.
pub fn deskew(image: &GrayImage, skew_deg: f32) -> Option<GrayImage> {
    if skew_deg.abs() < MIN_SKEW_DEG || !skew_deg.is_finite() {
        return None;
    }
    let (w, h) = image.dimensions();
    let paper = paper_level(image);
    let (s, c) = skew_deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let src = image.as_raw();
    let stride = w as usize;
    let mut out = vec![paper; src.len()];
    for y in 0..h {
        let dy = y as f32 - cy;
        // Source position of (0, y); stepping x adds (c, -s).
        let mut sx = -cx * c + dy * s + cx;
        let mut sy = cx * s + dy * c + cy;
        let row = y as usize * stride;
        for x in 0..w as usize {
            if sx >= 0.0 && sy >= 0.0 {
                let (x0, y0) = (sx as usize, sy as usize);
                if x0 + 1 < w as usize && y0 + 1 < h as usize {
                    let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
                    let i = y0 * stride + x0;
                    let top = src[i] as f32 * (1.0 - fx) + src[i + 1] as f32 * fx;
                    let bottom =
                        src[i + stride] as f32 * (1.0 - fx) + src[i + stride + 1] as f32 * fx;
                    out[row + x] = (top * (1.0 - fy) + bottom * fy + 0.5) as u8;
                }
            }
            sx += c;
            sy -= s;
        }
    }
    GrayImage::from_raw(w, h, out)
}

/// The page's paper level: the 90th percentile of a sample of pixels.
fn paper_level(image: &GrayImage) -> u8 {
    let mut hist = [0usize; 256];
    for p in image.as_raw().iter().step_by(97) {
        hist[*p as usize] += 1;
    }
    let total: usize = hist.iter().sum();
    let mut acc = 0;
    for (v, n) in hist.iter().enumerate() {
        acc += n;
        if acc * 10 >= total * 9 {
            return v as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_angles_are_left_alone() {
        let img = GrayImage::from_pixel(10, 10, image::Luma([200]));
        assert!(deskew(&img, 0.01).is_none());
        assert!(deskew(&img, f32::NAN).is_none());
    }

    #[test]
    fn a_skewed_line_comes_out_level() {
        // A dark line rising 2 degrees to the right (image y grows downwards).
        let (w, h) = (800u32, 400u32);
        let mut img = GrayImage::from_pixel(w, h, image::Luma([240]));
        let slope = 2f32.to_radians().tan();
        for x in 50..750u32 {
            let y = (200.0 - (x as f32 - 400.0) * slope) as u32;
            for t in 0..3 {
                img.put_pixel(x, y + t, image::Luma([10]));
            }
        }
        let skew = crate::imaging::layout::analyze(&img, 100)
            .map(|l| l.skew_deg)
            .unwrap_or(2.0);
        let level = deskew(&img, skew).unwrap();
        // Every column's darkest row is within 2 px of the middle.
        for x in (100..700).step_by(50) {
            let darkest = (0..h).min_by_key(|&y| level.get_pixel(x, y).0[0]).unwrap();
            assert!((darkest as i32 - 201).abs() <= 2, "x {x}: row {darkest}");
        }
        assert_eq!(level.get_pixel(0, 0).0[0], 240, "corners filled with paper");
    }

    /// Dark pixels (ink) of an image.
    fn ink(img: &GrayImage) -> usize {
        img.pixels().filter(|p| p.0[0] < 128).count()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// Any skew within ±5°: a line comes out level, and text inside letter-page margins
        /// (half an inch at 100 DPI) is all kept, none cropped.
        #[test]
        fn skewed_text_comes_out_level_and_whole(
            deg in proptest::prop_oneof![-5.0f32..-0.2, 0.2f32..5.0],
            y_mid in 300u32..800,
        ) {
            let (w, h) = (850u32, 1100u32);
            let mut img = GrayImage::from_pixel(w, h, image::Luma([240]));
            let slope = deg.to_radians().tan();
            for x in 50..800u32 {
                let y = (y_mid as f32 - (x as f32 - 425.0) * slope) as u32;
                for t in 0..3 {
                    img.put_pixel(x, y + t, image::Luma([10]));
                }
            }
            // Text blocks in the four corners of the text area.
            for (bx, by) in [(50u32, 50u32), (760, 50), (50, 1010), (760, 1010)] {
                for y in by..by + 40 {
                    for x in bx..bx + 40 {
                        img.put_pixel(x, y, image::Luma([10]));
                    }
                }
            }
            let level = deskew(&img, deg).unwrap();
            for x in (150..700).step_by(50) {
                let darkest = (150..h - 150)
                    .min_by_key(|&y| level.get_pixel(x, y).0[0])
                    .unwrap();
                proptest::prop_assert!(
                    (darkest as i32 - y_mid as i32 - 1).abs() <= 2,
                    "deg {}, x {}: row {} not {}", deg, x, darkest, y_mid + 1
                );
            }
            let (before, after) = (ink(&img) as f32, ink(&level) as f32);
            proptest::prop_assert!(
                (after - before).abs() / before < 0.05,
                "ink {} -> {} at {} deg", before, after, deg
            );
        }
    }
}
