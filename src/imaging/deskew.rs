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
    // The same code compiled for AVX2 where the CPU has it: twice the lanes for the walk and
    // the blend. The same f32 operations in the same order (no fused multiply-adds), so
    // the same image to the bit either way.
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { rotate_avx2(image, skew_deg) };
    }
    rotate(image, skew_deg)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rotate_avx2(image: &GrayImage, skew_deg: f32) -> Option<GrayImage> {
    rotate(image, skew_deg)
}

/// The rotation itself, inlined into each entry above so each is compiled for its CPU.
#[inline(always)]
fn rotate(image: &GrayImage, skew_deg: f32) -> Option<GrayImage> {
    let (w, h) = image.dimensions();
    let paper = paper_level(image);
    let (s, c) = skew_deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let src = image.as_raw();
    let stride = w as usize;
    let (wu, hu) = (w as usize, h as usize);
    let mut out = vec![paper; src.len()];
    // Source positions of each output row, accumulated exactly as a per-pixel walk would
    // (the same f32 additions in the same order), so the output does not depend on how
    // the row is then split up. Rows are walked BLOCK at a time, side by side: one row's
    // walk is a chain of dependent additions; several rows' walks are independent lanes.
    const BLOCK: usize = 8;
    let mut xs = vec![0f32; BLOCK * wu];
    let mut ys = vec![0f32; BLOCK * wu];
    let mut scratch = Scratch::new(wu);
    for y0 in (0..hu).step_by(BLOCK) {
        let rows = BLOCK.min(hu - y0);
        // Source position of (0, y) of each row; stepping x adds (c, -s).
        let mut sx = [0f32; BLOCK];
        let mut sy = [0f32; BLOCK];
        for r in 0..rows {
            let dy = (y0 + r) as f32 - cy;
            sx[r] = -cx * c + dy * s + cx;
            sy[r] = cx * s + dy * c + cy;
        }
        for x in 0..wu {
            for r in 0..BLOCK {
                xs[r * wu + x] = sx[r];
                ys[r * wu + x] = sy[r];
                sx[r] += c;
                sy[r] -= s;
            }
        }
        for r in 0..rows {
            let (xs, ys) = (&xs[r * wu..][..wu], &ys[r * wu..][..wu]);
            // The pixels whose 2x2 source block lies inside the page form one run of the
            // row (both coordinates move monotonically along it): find it, then sample it.
            let inside = |x: usize| {
                xs[x] >= 0.0
                    && ys[x] >= 0.0
                    && (xs[x] as usize) + 1 < wu
                    && (ys[x] as usize) + 1 < hu
            };
            let Some(first) = (0..wu).find(|&x| inside(x)) else {
                continue;
            };
            let last = (first..wu).rev().find(|&x| inside(x)).unwrap_or(first);
            let row = &mut out[(y0 + r) * stride..][..wu];
            sample_run(
                src,
                stride,
                &xs[first..=last],
                &ys[first..=last],
                &mut row[first..=last],
                &mut scratch,
            );
        }
    }
    GrayImage::from_raw(w, h, out)
}

/// Whole and fractional parts of a row's source positions.
struct Scratch {
    ix: Vec<i32>,
    iy: Vec<i32>,
    fx: Vec<f32>,
    fy: Vec<f32>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            ix: vec![0; n],
            iy: vec![0; n],
            fx: vec![0.0; n],
            fy: vec![0.0; n],
        }
    }
}

/// Bilinear samples of `src` at the positions (`xs`, `ys`), all of whose 2x2 blocks lie
/// inside the image, into `out`. Each value is computed with the same f32 operations in the
/// same order as a plain per-pixel loop, so the result is the same to the bit.
///
/// At a small angle the source row stays the same for many output pixels, and the source
/// column steps by one with them: the row is cut into such stretches, and each is sampled
/// from two contiguous source rows (plain loads the compiler vectorises, no gathers).
#[inline(always)]
fn sample_run(
    src: &[u8],
    stride: usize,
    xs: &[f32],
    ys: &[f32],
    out: &mut [u8],
    scratch: &mut Scratch,
) {
    let n = out.len();
    let (ix, iy) = (&mut scratch.ix[..n], &mut scratch.iy[..n]);
    let (fx, fy) = (&mut scratch.fx[..n], &mut scratch.fy[..n]);
    for k in 0..n {
        // SAFETY: every position is finite and inside the page (the caller's run holds
        // only pixels whose 2x2 source block is inside), far below 2^24, so the conversion
        // is in range; it truncates as `as usize` would, and vectorises.
        let (x0, y0) = unsafe {
            (
                xs[k].to_int_unchecked::<i32>(),
                ys[k].to_int_unchecked::<i32>(),
            )
        };
        fx[k] = xs[k] - x0 as f32;
        fy[k] = ys[k] - y0 as f32;
        // The column relative to the output position: constant along a stretch.
        ix[k] = x0 - k as i32;
        iy[k] = y0;
    }
    // Along the row the source row only moves one way (a constant step is added) and the
    // relative column only falls (the column step is below one), so the pixels sharing the
    // first pixel's pair form a prefix: its end is found by galloping, not pixel by pixel.
    let mut a = 0;
    while a < n {
        let key = (iy[a], ix[a]);
        let same = |j: usize| (iy[j], ix[j]) == key;
        let mut step = 1;
        while a + step < n && same(a + step) {
            step *= 2;
        }
        // same(lo) holds and the first pixel that differs is in (lo, hi]: bisect.
        let (mut lo, mut hi) = (a + step / 2, (a + step).min(n));
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if same(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let len = hi - a;
        let base = key.0 as usize * stride + (key.1 + a as i32) as usize;
        let top = &src[base..base + len + 1];
        let bottom = &src[base + stride..base + stride + len + 1];
        let (fx, fy) = (&fx[a..a + len], &fy[a..a + len]);
        let pairs = top
            .iter()
            .zip(&top[1..])
            .zip(bottom.iter().zip(&bottom[1..]));
        for ((o, (&fx, &fy)), ((&p, &q), (&r, &t))) in
            out[a..a + len].iter_mut().zip(fx.iter().zip(fy)).zip(pairs)
        {
            let upper = p as f32 * (1.0 - fx) + q as f32 * fx;
            let lower = r as f32 * (1.0 - fx) + t as f32 * fx;
            // In 0.5..=255.5: through i32 (which vectorises), the same value as `as u8`.
            *o = (upper * (1.0 - fy) + lower * fy + 0.5) as i32 as u8;
        }
        a += len;
    }
}

/// The page's paper level: the 90th percentile of a sample of pixels.
pub(crate) fn paper_level(image: &GrayImage) -> u8 {
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

    /// The plain per-pixel loop the stretch sampler must equal to the bit.
    fn reference(image: &GrayImage, skew_deg: f32) -> Option<GrayImage> {
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

    #[test]
    fn the_stretch_sampler_equals_the_per_pixel_loop() {
        let img = GrayImage::from_fn(611, 437, |x, y| {
            image::Luma([((x * 7 + y * 13) % 251) as u8 ^ ((x / 9 + y / 5) % 2 * 90) as u8])
        });
        for a in [-5.0f32, -4.9, -1.3, -0.06, 0.07, 0.4, 1.3, 3.3, 5.0] {
            let want = reference(&img, a);
            // Through the dispatcher (AVX2 where the CPU has it) and the baseline build.
            assert!(deskew(&img, a) == want, "angle {a}");
            assert!(
                want.is_none() || rotate(&img, a) == want,
                "angle {a}, baseline"
            );
        }
    }

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
