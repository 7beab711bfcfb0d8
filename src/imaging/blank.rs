//! Blank page detection: duplex backs (near-white, specks, faint mirrored bleed-through,
//! scanner edge shadows, punch holes) are blank; a page with one short printed or
//! handwritten line is not.
//!
//! Method: shrink the page to about 75 DPI by area averaging (specks fade, strokes stay),
//! take the paper level from the histogram, mark pixels much darker than paper as ink,
//! ignore a border band (edge shadows, punch holes), and count the ink that forms
//! text-like connected components. The page is blank when that ink is below a fraction of
//! the page area; counting stops as soon as it is not (a text page's first few strokes).

use image::GrayImage;

/// Result of blank detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlankVerdict {
    pub is_blank: bool,
    /// Fraction of the (inner) page covered by text-like ink. The count stops once the page
    /// is surely not blank, so above `max_ink_fraction` this is a lower bound.
    pub ink_fraction: f64,
}

const TARGET_DPI: u32 = 75;

/// True when most of the page is dark (below mid-grey): a document page is mostly paper,
/// so such a page is stored with inverted polarity (or is a photograph or negative). Sampled
/// on a grid of every fourth pixel each way.
pub fn mostly_dark(image: &GrayImage) -> bool {
    let (w, h) = image.dimensions();
    let (mut dark, mut all) = (0u64, 0u64);
    for y in (0..h).step_by(4) {
        for x in (0..w).step_by(4) {
            all += 1;
            dark += (image.get_pixel(x, y).0[0] < 128) as u64;
        }
    }
    dark * 2 > all
}

pub fn detect(image: &GrayImage, dpi: u32, max_ink_fraction: f64) -> BlankVerdict {
    let factor = (dpi / TARGET_DPI).max(1);
    let small = super::reduce::box_reduce(image, factor);
    let (w, h) = small.dimensions();
    if w < 8 || h < 8 {
        return BlankVerdict {
            is_blank: true,
            ink_fraction: 0.0,
        };
    }
    let paper = percentile(&small, 0.90);
    // Ink is at least 45% darker than paper: faint bleed-through and speckle are not.
    let ink_level = (paper as f64 * 0.55) as u8;
    // The same band on every side (about 0.6 inch of a letter page), so a page is judged
    // the same whichever way it lies: a scanner's edge shadow on a long side of a page
    // turned sideways is still inside it. What the band hides (a footer, a name line at the
    // edge) is found by reading a page this test calls blank (see the page worker).
    let margin = (w.min(h) as f64 * 0.07) as usize;
    let (margin_x, margin_y) = (margin, margin);
    let (w, h) = (w as usize, h as usize);
    let inner_w = w - 2 * margin_x;
    let inner_h = h - 2 * margin_y;
    let mut mask = Vec::with_capacity(inner_w * inner_h);
    for row in small.as_raw().chunks_exact(w).skip(margin_y).take(inner_h) {
        mask.extend(row[margin_x..w - margin_x].iter().map(|&p| p <= ink_level));
    }
    let area = (inner_w * inner_h) as f64;
    // A page with more ink than this is not blank, however much more it has.
    let enough = (max_ink_fraction * area).ceil() as usize;
    let ink = text_like_ink(&mask, inner_w, inner_h, enough);
    let ink_fraction = ink as f64 / area;
    BlankVerdict {
        is_blank: ink_fraction < max_ink_fraction,
        ink_fraction,
    }
}

/// Counts ink pixels in connected components that look like strokes: at least 2 pixels
/// (a lone pixel at 75 DPI is a speck) and not a large solid blob (punch hole, shadow).
/// Stops counting once the count reaches `enough` (a text page has thousands of strokes).
fn text_like_ink(mask: &[bool], w: usize, h: usize, enough: usize) -> usize {
    let mut seen = vec![false; mask.len()];
    let mut stack = Vec::new();
    let mut total = 0;
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut size, mut min_x, mut max_x, mut min_y, mut max_y) = (0usize, w, 0, h, 0);
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = (i % w, i / w);
            min_x = min_x.min(x);
            max_x = max_x.max(x);
            min_y = min_y.min(y);
            max_y = max_y.max(y);
            for (dx, dy) in [
                (-1i64, 0i64),
                (1, 0),
                (0, -1),
                (0, 1),
                (-1, -1),
                (1, 1),
                (-1, 1),
                (1, -1),
            ] {
                let nx = x as i64 + dx;
                let ny = y as i64 + dy;
                if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                    continue;
                }
                let j = ny as usize * w + nx as usize;
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        let bw = max_x - min_x + 1;
        let bh = max_y - min_y + 1;
        let fill = size as f64 / (bw * bh) as f64;
        let solid_blob = size > 60 && fill > 0.7;
        if size >= 2 && !solid_blob {
            total += size;
            if total >= enough.max(1) {
                break;
            }
        }
    }
    total
}

/// The grey level below which a share `q` of the page's pixels lie (0.9: the paper).
pub(crate) fn percentile(image: &GrayImage, q: f64) -> u8 {
    let mut hist = [0usize; 256];
    for p in image.as_raw() {
        hist[*p as usize] += 1;
    }
    let target = (image.as_raw().len() as f64 * q) as usize;
    let mut acc = 0;
    for (v, n) in hist.iter().enumerate() {
        acc += n;
        if acc >= target {
            return v as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn page() -> GrayImage {
        GrayImage::from_pixel(850, 1100, Luma([245]))
    }

    fn draw_text_line(img: &mut GrayImage, x: u32, y: u32, num_chars: u32) {
        // Letter-like strokes: 6 px wide, 12 px tall, 4 px apart, at 100 DPI.
        for c in 0..num_chars {
            for dy in 0..12 {
                for dx in 0..2 {
                    img.put_pixel(x + c * 10 + dx, y + dy, Luma([20]));
                    img.put_pixel(x + c * 10 + 4 + dx, y + dy, Luma([20]));
                }
            }
        }
    }

    #[test]
    fn white_page_with_specks_and_bleed_is_blank() {
        let mut img = page();
        for i in 0..200u32 {
            img.put_pixel((i * 37) % 800 + 20, (i * 91) % 1050 + 20, Luma([0]));
        }
        // faint mirrored bleed-through
        for y in 200..260 {
            for x in 100..700 {
                if (x / 5 + y / 7) % 3 == 0 {
                    img.put_pixel(x, y, Luma([205]));
                }
            }
        }
        // dark edge shadow
        for y in 0..1100 {
            for x in 0..25 {
                img.put_pixel(x, y, Luma([30]));
            }
        }
        let v = detect(&img, 100, 0.0002);
        assert!(v.is_blank, "{v:?}");
    }

    #[test]
    fn page_with_one_short_line_is_not_blank() {
        let mut img = page();
        draw_text_line(&mut img, 600, 1000, 12);
        let v = detect(&img, 100, 0.0002);
        assert!(!v.is_blank, "{v:?}");
    }

    #[test]
    fn counting_stops_once_the_page_is_surely_not_blank() {
        let mut img = page();
        for line in 0..40 {
            draw_text_line(&mut img, 120, 120 + line * 22, 60);
        }
        let v = detect(&img, 100, 0.0002);
        assert!(!v.is_blank && v.ink_fraction >= 0.0002, "{v:?}");
        // The same page counted in full has far more ink than where the count stopped.
        let all = detect(&img, 100, 0.99);
        assert!(all.ink_fraction > 10.0 * v.ink_fraction, "{all:?} vs {v:?}");
    }
}
