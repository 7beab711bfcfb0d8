//! Page layout from ink: skew angle and orientation (0/90/180/270) from the projection
//! profile of text lines, before any OCR.
//!
//! Method: shrink the page to about 100 DPI, take ink pixels (much darker than paper, in
//! the inner page), and for candidate angles project them onto the axis across the lines.
//! Text lines make the profile spiky: the angle (and axis, rows or columns) with the
//! largest sum of squared bin counts is the line direction; rows vs columns tells upright or
//! upside down (0/180) from sideways (90/270). Which way is up: Latin print has far more
//! ink above the x-height band of a line (capitals, b d f h k l t, i-dots) than below it
//! (g j p q y), so ink concentrated on one side of each line's core tells the top.
//!
//! Cost: one shrink plus a few hundred thousand point projections (about 10 ms a page).

use image::GrayImage;

const TARGET_DPI: u32 = 100;
/// Skew search range and steps (degrees).
const MAX_SKEW: f32 = 6.0;
const COARSE_STEP: f32 = 0.25;
const FINE_STEP: f32 = 0.02;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Clockwise angle by which the content appears rotated (export convention).
    pub rotation_deg: u32,
    /// How clear the up/down evidence was: |above - below| / (above + below) of line ink.
    pub rotation_confidence: f32,
    /// How much spikier the chosen axis is than the other (1.0 = no preference).
    pub axis_ratio: f32,
    /// Skew in degrees, counter-clockwise positive, of the text lines in the scan as it
    /// appears (before turning it upright).
    pub skew_deg: f32,
}

/// Ink pixel coordinates of the shrunken page (x and y in separate lists, so projections
/// run eight points at a time), and its size.
struct Ink {
    xs: Vec<f32>,
    ys: Vec<f32>,
    w: u32,
    h: u32,
}

fn ink_points(image: &GrayImage, dpi: u32) -> Ink {
    let factor = (dpi as f32 / TARGET_DPI as f32).max(1.0);
    let (w0, h0) = image.dimensions();
    let (w, h) = (
        ((w0 as f32 / factor) as u32).max(1),
        ((h0 as f32 / factor) as u32).max(1),
    );
    let small = super::reduce::shrink(image, w, h);
    let mut hist = [0usize; 256];
    for p in small.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    let total: usize = hist.iter().sum();
    let mut acc = 0;
    let mut paper = 255u8;
    for (v, n) in hist.iter().enumerate() {
        acc += n;
        if acc * 10 >= total * 9 {
            paper = v as u8;
            break;
        }
    }
    let ink_level = (paper as f32 * 0.6) as u8;
    let (mx, my) = (w / 20, h / 20);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for y in my..h.saturating_sub(my) {
        for x in mx..w.saturating_sub(mx) {
            if small.get_pixel(x, y).0[0] <= ink_level {
                xs.push(x as f32);
                ys.push(y as f32);
            }
        }
    }
    Ink { xs, ys, w, h }
}

/// Profile of the points projected across lines at `angle_deg` (lines running along x
/// when `columns` is false, along y when true).
fn profile(ink: &Ink, angle_deg: f32, columns: bool) -> Vec<u32> {
    let (s, c) = angle_deg.to_radians().sin_cos();
    let len = (ink.w + ink.h) as usize * 2;
    let offset = (ink.w + ink.h) as f32;
    let (along, across) = if columns {
        (&ink.ys, &ink.xs)
    } else {
        (&ink.xs, &ink.ys)
    };
    let mut bins = vec![0u32; len];
    let mut idx = [0i32; 64];
    for (a, b) in along.chunks(64).zip(across.chunks(64)) {
        // Position across the line direction after undoing a rotation by angle, a chunk at a
        // time so it vectorises (negative positions count in bin 0, as they always did).
        for ((i, &a), &b) in idx.iter_mut().zip(a).zip(b) {
            let v = (b * c - a * s + offset).max(0.0).min(i32::MAX as f32 / 2.0);
            // SAFETY: `v` is finite (coordinates and sin/cos are; `max` drops a NaN) and
            // clamped into i32's range, so the truncation is defined and equals `as`.
            *i = unsafe { v.to_int_unchecked::<i32>() };
        }
        for &i in &idx[..a.len()] {
            if let Some(bin) = bins.get_mut(i as usize) {
                *bin += 1;
            }
        }
    }
    bins
}

fn spikiness(bins: &[u32]) -> f64 {
    bins.iter().map(|&n| (n as f64) * (n as f64)).sum()
}

/// Best angle for one axis: (angle, score).
fn best_angle(ink: &Ink, columns: bool) -> (f32, f64) {
    let search = |from: f32, to: f32, step: f32| {
        let mut best = (0.0f32, f64::MIN);
        let mut a = from;
        while a <= to + 1e-6 {
            let s = spikiness(&profile(ink, a, columns));
            if s > best.1 {
                best = (a, s);
            }
            a += step;
        }
        best
    };
    let coarse = search(-MAX_SKEW, MAX_SKEW, COARSE_STEP);
    search(coarse.0 - COARSE_STEP, coarse.0 + COARSE_STEP, FINE_STEP)
}

/// Ink above minus ink below the x-height core of each text line, over the page, and the
/// total of both: positive means the tops of the letters point to smaller coordinates.
fn ascender_balance(bins: &[u32]) -> (f64, f64) {
    let peak = bins.iter().copied().max().unwrap_or(0) as f64;
    if peak == 0.0 {
        return (0.0, 0.0);
    }
    let floor = peak * 0.03;
    let (mut above, mut below) = (0.0, 0.0);
    let mut i = 0;
    while i < bins.len() {
        if (bins[i] as f64) <= floor {
            i += 1;
            continue;
        }
        let start = i;
        while i < bins.len() && (bins[i] as f64) > floor {
            i += 1;
        }
        let line = &bins[start..i];
        if line.len() < 3 {
            continue;
        }
        let line_peak = line.iter().copied().max().unwrap_or(0) as f64;
        let core: Vec<usize> = (0..line.len())
            .filter(|&k| line[k] as f64 >= line_peak * 0.5)
            .collect();
        let (c0, c1) = (core[0], core[core.len() - 1]);
        above += line[..c0].iter().map(|&n| n as f64).sum::<f64>();
        below += line[c1 + 1..].iter().map(|&n| n as f64).sum::<f64>();
    }
    (above - below, above + below)
}

/// Skew and orientation of a page; `None` when there is too little ink to tell.
pub fn analyze(image: &GrayImage, dpi: u32) -> Option<Layout> {
    let ink = ink_points(image, dpi);
    if ink.xs.len() < 200 {
        return None;
    }
    let (row_angle, row_score) = best_angle(&ink, false);
    let (col_angle, col_score) = best_angle(&ink, true);
    let horizontal = row_score >= col_score;
    let (angle, bins) = if horizontal {
        (row_angle, profile(&ink, row_angle, false))
    } else {
        (col_angle, profile(&ink, col_angle, true))
    };
    let axis_ratio = (row_score.max(col_score) / row_score.min(col_score).max(1.0)) as f32;
    let (balance, total) = ascender_balance(&bins);
    let tops_first = balance >= 0.0;
    let rotation_deg = match (horizontal, tops_first) {
        (true, true) => 0,
        (true, false) => 180,
        // Columns: tops toward smaller x means the page was turned counter-clockwise.
        (false, true) => 270,
        (false, false) => 90,
    };
    Some(Layout {
        rotation_deg,
        rotation_confidence: if total > 0.0 {
            (balance.abs() / total) as f32
        } else {
            0.0
        },
        axis_ratio,
        skew_deg: if horizontal { -angle } else { angle },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_counts_every_point_in_the_bin_it_projects_to() {
        let (w, h) = (850u32, 1100u32);
        let mut seed = 1u32;
        let mut next = |m: u32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) % m
        };
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for _ in 0..5_000 {
            xs.push(next(w) as f32);
            ys.push(next(h) as f32);
        }
        let ink = Ink { xs, ys, w, h };
        for angle in [-6.0f32, -2.5, -0.02, 0.0, 0.7, 6.0] {
            for columns in [false, true] {
                let (s, c) = angle.to_radians().sin_cos();
                let len = (w + h) as usize * 2;
                let mut want = vec![0u32; len];
                for (&x, &y) in ink.xs.iter().zip(&ink.ys) {
                    let (a, b) = if columns { (y, x) } else { (x, y) };
                    let i = (b * c - a * s + (w + h) as f32) as usize;
                    if i < len {
                        want[i] += 1;
                    }
                }
                assert_eq!(profile(&ink, angle, columns), want, "{angle} {columns}");
            }
        }
    }

    /// A synthetic page of text-like lines: a core band with ascenders on top.
    fn page() -> GrayImage {
        page_with(30, 100, 0)
    }

    /// Lines every `pitch` pixels inside `margin`; `salt` varies word lengths and strokes.
    fn page_with(pitch: u32, margin: u32, salt: u32) -> GrayImage {
        let (w, h) = (850u32, 1100u32);
        let mut img = GrayImage::from_pixel(w, h, image::Luma([245]));
        let mut y = 20 + margin;
        while y < h - 20 - margin {
            let mut x = margin;
            while x < w - margin {
                let word = 30 + (x * 7 + y * 3 + salt) % 40;
                for xx in x..(x + word).min(w - margin) {
                    // Pseudo-random strokes so columns do not line up across lines.
                    let r = (xx / 3)
                        .wrapping_mul(2_654_435_761)
                        .wrapping_add(y * 40_503)
                        .wrapping_add(salt.wrapping_mul(97))
                        >> 7;
                    for yy in y..y + 10 {
                        if r % 3 != 0 {
                            img.put_pixel(xx, yy, image::Luma([20]));
                        }
                    }
                    // Ascenders on some letters.
                    if r % 5 == 0 {
                        for yy in y - 6..y {
                            img.put_pixel(xx, yy, image::Luma([20]));
                        }
                    }
                }
                x += word + 15;
            }
            y += pitch;
        }
        img
    }

    fn rotate(img: &GrayImage, deg: f32) -> GrayImage {
        // Nearest-neighbour rotation about the centre, counter-clockwise positive.
        let (w, h) = img.dimensions();
        let (s, c) = deg.to_radians().sin_cos();
        let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
        GrayImage::from_fn(w, h, |x, y| {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            // Inverse map: rotate the output point back by -deg (image y points down).
            let sx = c * dx - s * dy + cx;
            let sy = s * dx + c * dy + cy;
            if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
                *img.get_pixel(sx as u32, sy as u32)
            } else {
                image::Luma([245])
            }
        })
    }

    #[test]
    fn upright_page_is_upright_and_straight() {
        let l = analyze(&page(), 100).unwrap();
        assert_eq!(l.rotation_deg, 0);
        assert!(l.skew_deg.abs() < 0.1, "{l:?}");
    }

    #[test]
    fn quarter_turns_are_found() {
        let p = page();
        let cases = [
            (90, image::imageops::rotate90(&p)),
            (180, image::imageops::rotate180(&p)),
            (270, image::imageops::rotate270(&p)),
        ];
        for (deg, img) in cases {
            assert_eq!(analyze(&img, 100).unwrap().rotation_deg, deg);
        }
    }

    #[test]
    fn skew_is_measured_within_a_third_of_a_degree() {
        // Property over a range of known angles.
        let p = page();
        for tenth in (-45..=45).step_by(5) {
            let deg = tenth as f32 / 10.0;
            let l = analyze(&rotate(&p, deg), 100).unwrap();
            assert!(
                (l.skew_deg - deg).abs() <= 0.3,
                "rotated by {deg}, measured {}",
                l.skew_deg
            );
            assert_eq!(l.rotation_deg, 0);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]
        /// Any angle within ±5°, on pages of varied line spacing, margins and words.
        #[test]
        fn skew_within_five_degrees_is_measured_within_a_third_of_a_degree(
            deg in -5.0f32..=5.0,
            pitch in 24u32..44,
            margin in 60u32..180,
            salt in 0u32..10_000,
        ) {
            let l = analyze(&rotate(&page_with(pitch, margin, salt), deg), 100).unwrap();
            proptest::prop_assert!(
                (l.skew_deg - deg).abs() <= 0.3,
                "rotated by {}, measured {}", deg, l.skew_deg
            );
            proptest::prop_assert_eq!(l.rotation_deg, 0);
        }
    }

    #[test]
    fn empty_page_has_no_layout() {
        assert!(analyze(&GrayImage::from_pixel(300, 400, image::Luma([250])), 100).is_none());
    }
}
