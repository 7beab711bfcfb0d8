//! The page's text area: the box around all its ink plus a margin, so OCR thresholds and
//! lays out only that rectangle, not the empty paper around it (tesseract's binarization and
//! page layout cost grow with the pixels they are given; recognition does not).
//!
//! Found on a copy reduced to about 50 DPI by taking the darkest pixel of each block, so a
//! thin or faint stroke still marks its block; specks only make the box larger, never
//! smaller. Anything unsure (no paper level, ink reaching the edges) gives the whole page.

use image::GrayImage;

use crate::model::Region;

const SCAN_DPI: u32 = 50;
/// A block is ink when its darkest pixel is this much darker than the paper.
const INK_CONTRAST: u8 = 60;
/// Kept around the ink, in inches.
const MARGIN_INCH: f32 = 0.25;
/// Not worth cropping when the box keeps more than this fraction of the page.
const MAX_KEPT_FRACTION: f32 = 0.92;

/// The rectangle of `image` holding its text, or `None` to read the whole page.
pub fn text_area(image: &GrayImage, dpi: u32) -> Option<Region> {
    let (w, h) = image.dimensions();
    let f = (dpi / SCAN_DPI).max(1) as usize;
    let (bw, bh) = (w as usize / f, h as usize / f);
    if bw < 4 || bh < 4 {
        return None;
    }
    let mins = block_minima(image, f, bw, bh);
    let paper = percentile(&mins, 0.9);
    let ink = paper.checked_sub(INK_CONTRAST)?;
    let (mut x0, mut y0, mut x1, mut y1) = (bw, bh, 0, 0);
    for (by, row) in mins.chunks_exact(bw).enumerate() {
        for (bx, &v) in row.iter().enumerate() {
            if v < ink {
                x0 = x0.min(bx);
                x1 = x1.max(bx + 1);
                y0 = y0.min(by);
                y1 = y1.max(by + 1);
            }
        }
    }
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    let margin = (MARGIN_INCH * dpi as f32) as usize;
    let left = (x0 * f).saturating_sub(margin);
    let top = (y0 * f).saturating_sub(margin);
    // The last (partial) block of a row or column was not scanned: reach the edge then.
    let right = if x1 == bw {
        w as usize
    } else {
        (x1 * f + margin).min(w as usize)
    };
    let bottom = if y1 == bh {
        h as usize
    } else {
        (y1 * f + margin).min(h as usize)
    };
    let (cw, ch) = (right - left, bottom - top);
    if (cw * ch) as f32 > MAX_KEPT_FRACTION * (w as f32 * h as f32) {
        return None;
    }
    Some(Region {
        left: left as u32,
        top: top as u32,
        width: cw as u32,
        height: ch as u32,
    })
}

/// The darkest pixel of each `f` x `f` block, row by row (`bw` x `bh` blocks).
fn block_minima(image: &GrayImage, f: usize, bw: usize, bh: usize) -> Vec<u8> {
    let stride = image.width() as usize;
    let src = image.as_raw();
    let mut out = vec![255u8; bw * bh];
    for (by, out_row) in out.chunks_exact_mut(bw).enumerate() {
        for row in src[by * f * stride..].chunks_exact(stride).take(f) {
            for (m, block) in out_row.iter_mut().zip(row.chunks_exact(f)) {
                *m = block.iter().fold(*m, |a, &p| a.min(p));
            }
        }
    }
    out
}

fn percentile(values: &[u8], q: f32) -> u8 {
    let mut hist = [0usize; 256];
    for &v in values {
        hist[v as usize] += 1;
    }
    let target = (values.len() as f32 * q) as usize;
    let mut acc = 0;
    for (v, n) in hist.iter().enumerate() {
        acc += n;
        if acc > target {
            return v as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_with_ink(x: std::ops::Range<u32>, y: std::ops::Range<u32>, ink: u8) -> GrayImage {
        let mut img = GrayImage::from_pixel(2550, 3300, image::Luma([235]));
        for yy in y {
            for xx in x.clone().step_by(7) {
                img.put_pixel(xx, yy, image::Luma([ink]));
            }
        }
        img
    }

    #[test]
    fn margins_are_cut_and_the_ink_kept_with_room() {
        let img = page_with_ink(300..2250, 300..3000, 20);
        let r = text_area(&img, 300).expect("a crop");
        assert!(r.left <= 300 - 75 && r.top <= 300 - 75, "{r:?}");
        assert!(
            r.left + r.width >= 2250 + 75 && r.top + r.height >= 3000 + 75,
            "{r:?}"
        );
        assert!(r.left >= 150 && r.top >= 150, "{r:?}");
    }

    #[test]
    fn faint_thin_strokes_still_count_as_ink() {
        // One-pixel dots of faded ink (paper 235, ink 160) in a band near the top.
        let img = page_with_ink(400..2000, 200..230, 160);
        let r = text_area(&img, 300).expect("a crop");
        assert!(r.top <= 200 - 75 && r.top + r.height >= 230 + 75, "{r:?}");
    }

    #[test]
    fn full_or_empty_pages_are_read_whole() {
        assert!(text_area(&page_with_ink(10..2540, 10..3290, 20), 300).is_none());
        assert!(text_area(&GrayImage::from_pixel(2550, 3300, image::Luma([235])), 300).is_none());
        assert!(text_area(&GrayImage::from_pixel(3, 3, image::Luma([235])), 300).is_none());
    }
}
