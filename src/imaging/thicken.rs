//! Thickening thin strokes: each pixel takes the darkest value of its 3x3 neighbourhood
//! (a grey-level erosion of the paper, i.e. a dilation of the ink). Faded typewriter and
//! thin bilevel (Group 4) strokes broken into dots read as letters again, and tesseract
//! reads the page a little faster. Bold or heavy print would fill its letters' holes, so
//! only pages whose strokes are thin ([`stroke_width_px`]) are thickened, for OCR only:
//! the viewer keeps the scanned image.

use image::GrayImage;

/// The mean width of the page's strokes, in pixels of a 300 DPI scan: ink pixels per run of
/// ink, along rows and down columns, the smaller of the two (a horizontal rule lengthens the
/// runs along it, not across it). Ink is at most 55% of the paper level. 0 for a page
/// without ink.
#[inline(always)]
pub fn stroke_width_px(image: &GrayImage, dpi: u32) -> f32 {
    let (w, h) = (image.width() as usize, image.height() as usize);
    if w < 2 || h == 0 || dpi == 0 {
        return 0.0;
    }
    let ink_max = (super::deskew::paper_level(image) as f32 * 0.55) as u8;
    let raw = image.as_raw();
    let (mut ink, mut row_runs, mut column_runs) = (0u64, 0u64, 0u64);
    let mut above: &[u8] = &[];
    for row in raw.chunks_exact(w) {
        // Runs start where ink follows paper (or the page edge) on the left / above.
        let (mut i, mut r, mut c) = (0u32, 0u32, 0u32);
        let first = row[0] <= ink_max;
        i += first as u32;
        r += first as u32;
        for x in 1..w {
            let d = row[x] <= ink_max;
            i += d as u32;
            r += (d & (row[x - 1] > ink_max)) as u32;
        }
        if above.is_empty() {
            c = i;
        } else {
            for (&p, &q) in row.iter().zip(above) {
                c += ((p <= ink_max) & (q > ink_max)) as u32;
            }
        }
        ink += u64::from(i);
        row_runs += u64::from(r);
        column_runs += u64::from(c);
        above = row;
    }
    if ink == 0 {
        return 0.0;
    }
    let along = ink as f32 / row_runs.max(1) as f32;
    let down = ink as f32 / column_runs.max(1) as f32;
    along.min(down) * 300.0 / dpi as f32
}

/// The image tesseract should read for a content page: thickened when it is scanned at
/// `min_dpi` or more and its strokes are thinner than `below_stroke_px` (see
/// [`stroke_width_px`]); `None` to read the page as it is.
pub fn for_ocr(
    image: &GrayImage,
    dpi: u32,
    below_stroke_px: f32,
    min_dpi: u32,
) -> Option<GrayImage> {
    if dpi < min_dpi {
        return None;
    }
    // Both passes compiled for AVX2 too where the CPU has it (byte minimums and counts:
    // the same result, twice the lanes).
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { for_ocr_avx2(image, dpi, below_stroke_px) };
    }
    measure_and_thicken(image, dpi, below_stroke_px)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn for_ocr_avx2(image: &GrayImage, dpi: u32, below_stroke_px: f32) -> Option<GrayImage> {
    measure_and_thicken(image, dpi, below_stroke_px)
}

#[inline(always)]
fn measure_and_thicken(image: &GrayImage, dpi: u32, below_stroke_px: f32) -> Option<GrayImage> {
    (stroke_width_px(image, dpi) < below_stroke_px).then(|| thicken(image))
}

/// The image with every stroke one pixel wider on each side.
#[inline(always)]
pub fn thicken(image: &GrayImage) -> GrayImage {
    let (w, h) = (image.width() as usize, image.height() as usize);
    if w == 0 || h == 0 {
        return image.clone();
    }
    let src = image.as_raw();
    // Horizontal pass, then vertical: the 3x3 minimum in two cheap 1x3 passes, written as
    // slice zips so they vectorise.
    let mut rows = vec![0u8; src.len()];
    for (r, out) in src.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        if w == 1 {
            out[0] = r[0];
            continue;
        }
        out[0] = r[0].min(r[1]);
        out[w - 1] = r[w - 1].min(r[w - 2]);
        for (o, ((a, b), c)) in out[1..w - 1]
            .iter_mut()
            .zip(r.iter().zip(&r[1..]).zip(&r[2..]))
        {
            *o = (*a).min(*b).min(*c);
        }
    }
    let mut out = vec![0u8; src.len()];
    for (y, o) in out.chunks_exact_mut(w).enumerate() {
        let up = &rows[y.saturating_sub(1) * w..][..w];
        let here = &rows[y * w..][..w];
        let down = &rows[(y + 1).min(h - 1) * w..][..w];
        for (o, ((a, b), c)) in o.iter_mut().zip(up.iter().zip(here).zip(down)) {
            *o = (*a).min(*b).min(*c);
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).expect("same size")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dot_grows_to_three_by_three_and_paper_stays_white() {
        let mut img = GrayImage::from_pixel(7, 7, image::Luma([250]));
        img.put_pixel(3, 3, image::Luma([0]));
        let t = thicken(&img);
        let dark: Vec<(u32, u32)> = (0..7)
            .flat_map(|y| (0..7).map(move |x| (x, y)))
            .filter(|&(x, y)| t.get_pixel(x, y).0[0] == 0)
            .collect();
        assert_eq!(dark.len(), 9);
        assert!(dark
            .iter()
            .all(|&(x, y)| (2..=4).contains(&x) && (2..=4).contains(&y)));
        assert_eq!(t.get_pixel(0, 0).0[0], 250);
    }

    #[test]
    fn stroke_width_is_measured_across_strokes_and_scaled_to_300_dpi() {
        // Eight vertical bars 4 px wide and 80 tall, and a rule across the page: along the
        // rows, 2,760 ink pixels in 8 x 80 + 1 runs; down the columns the rule's pixels are
        // 200 runs of one, so the row measure (across the bars) is the stroke width.
        let mut img = GrayImage::from_pixel(200, 100, image::Luma([240]));
        for y in 10..90 {
            for x0 in (20..180).step_by(20) {
                for x in x0..x0 + 4 {
                    img.put_pixel(x, y, image::Luma([20]));
                }
            }
        }
        for x in 0..200 {
            img.put_pixel(x, 95, image::Luma([20]));
        }
        let w = stroke_width_px(&img, 300);
        assert!((w - 2760.0 / 641.0).abs() < 1e-3, "{w}");
        // The same page at 150 DPI has strokes twice as wide as a 300 DPI scan's.
        assert!((stroke_width_px(&img, 150) - 2.0 * w).abs() < 1e-3);
        // Thickening adds a pixel on each side: 8 x 6 x 82 + 3 x 200 ink in 8 x 82 + 3 runs.
        let t = stroke_width_px(&thicken(&img), 300);
        assert!((t - 4536.0 / 659.0).abs() < 1e-3, "{t}");
        assert_eq!(
            stroke_width_px(&GrayImage::from_pixel(9, 9, image::Luma([250])), 300),
            0.0
        );
    }

    /// Rows of vertical strokes `width` px wide, like a line of letters.
    fn strokes(width: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(300, 120, image::Luma([235]));
        for y in 20..100 {
            for x0 in (10..290).step_by(14) {
                for x in x0..x0 + width {
                    img.put_pixel(x, y, image::Luma([25]));
                }
            }
        }
        img
    }

    #[test]
    fn only_thin_strokes_at_enough_resolution_are_thickened_for_ocr() {
        // The default pipeline: under 6 px at 300 DPI scale, from 300 DPI up.
        let thin = strokes(4);
        assert_eq!(for_ocr(&thin, 300, 6.0, 300), Some(thicken(&thin)));
        // Bold print keeps its letters' holes.
        assert_eq!(for_ocr(&strokes(7), 300, 6.0, 300), None);
        // A 200 DPI page is read as scanned, whatever its strokes.
        assert_eq!(for_ocr(&strokes(2), 200, 6.0, 300), None);
        // 0 turns thickening up front off.
        assert_eq!(for_ocr(&thin, 300, 0.0, 300), None);
    }

    #[test]
    fn edges_and_empty_images_are_safe() {
        let mut img = GrayImage::from_pixel(3, 1, image::Luma([200]));
        img.put_pixel(0, 0, image::Luma([10]));
        let t = thicken(&img);
        assert_eq!(t.as_raw(), &vec![10, 10, 200]);
        assert_eq!(thicken(&GrayImage::new(0, 0)).dimensions(), (0, 0));
    }
}
