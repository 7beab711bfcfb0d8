//! Thickening faint strokes: each pixel takes the darkest value of its 3x3 neighbourhood
//! (a grey-level erosion of the paper, i.e. a dilation of the ink). Faded typewriter and
//! thin bilevel (Group 4) strokes broken into dots read as letters again. Used only to
//! read a page a second time when the first reading was poor; the better reading is kept.

use image::GrayImage;

/// The image with every stroke one pixel wider on each side.
pub fn thicken(image: &GrayImage) -> GrayImage {
    let (w, h) = image.dimensions();
    let (w, h) = (w as usize, h as usize);
    if w == 0 || h == 0 {
        return image.clone();
    }
    let src = image.as_raw();
    // Horizontal pass, then vertical: the 3x3 minimum in two cheap 1x3 passes.
    let mut rows = vec![0u8; src.len()];
    for y in 0..h {
        let r = &src[y * w..(y + 1) * w];
        let out = &mut rows[y * w..(y + 1) * w];
        for x in 0..w {
            let a = r[x.saturating_sub(1)];
            let b = r[(x + 1).min(w - 1)];
            out[x] = r[x].min(a).min(b);
        }
    }
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        let up = y.saturating_sub(1) * w;
        let down = (y + 1).min(h - 1) * w;
        let here = y * w;
        for x in 0..w {
            out[here + x] = rows[here + x].min(rows[up + x]).min(rows[down + x]);
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
    fn edges_and_empty_images_are_safe() {
        let mut img = GrayImage::from_pixel(3, 1, image::Luma([200]));
        img.put_pixel(0, 0, image::Luma([10]));
        let t = thicken(&img);
        assert_eq!(t.as_raw(), &vec![10, 10, 200]);
        assert_eq!(thicken(&GrayImage::new(0, 0)).dimensions(), (0, 0));
    }
}
