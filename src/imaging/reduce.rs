//! Fast page reduction: the smaller copies the pipeline reads (barcodes at 150 DPI, the
//! text-line profile at 100 DPI, the viewer image) made by averaging whole blocks of
//! pixels, in integer arithmetic, before any finer resampling.
//!
//! `image::imageops::thumbnail` reading a full 300 DPI page cost about 4% of ingest CPU
//! (perf, dev corpus); a block average reads each pixel once with one add.

use image::GrayImage;

/// The page reduced by a whole `factor` in each direction: each output pixel is the mean
/// of a `factor` x `factor` block (partial blocks at the right and bottom edges dropped).
pub fn box_reduce(image: &GrayImage, factor: u32) -> GrayImage {
    let (w, h) = image.dimensions();
    if factor <= 1 || w < factor || h < factor {
        return image.clone();
    }
    // The factors pages meet (300 DPI to 150 and 100, 200 DPI to 100) get a copy of the loop
    // with the block size known at compile time: the division by the block area becomes a
    // multiplication and the block sums unroll (the generic loop divided every pixel).
    match factor {
        2 => reduce_by(image, 2),
        3 => reduce_by(image, 3),
        4 => reduce_by(image, 4),
        f => reduce_by(image, f as usize),
    }
}

/// The block average; inlined into each arm above so that a literal `f` is a constant.
#[inline(always)]
fn reduce_by(image: &GrayImage, f: usize) -> GrayImage {
    let (w, h) = image.dimensions();
    let (nw, nh) = (w as usize / f, h as usize / f);
    let stride = w as usize;
    let src = image.as_raw();
    let area = (f * f) as u32;
    let mut sums = vec![0u32; nw];
    let mut out = Vec::with_capacity(nw * nh);
    for by in 0..nh {
        sums.iter_mut().for_each(|s| *s = 0);
        for row in src[by * f * stride..].chunks_exact(stride).take(f) {
            for (sum, block) in sums.iter_mut().zip(row.chunks_exact(f)) {
                let mut t = 0u32;
                for &p in &block[..f] {
                    t += p as u32;
                }
                *sum += t;
            }
        }
        out.extend(sums.iter().map(|&s| ((s + area / 2) / area) as u8));
    }
    GrayImage::from_raw(nw as u32, nh as u32, out).expect("buffer sized to the reduced page")
}

/// The page scaled to `nw` x `nh` (smaller than it): a block average by the whole part of
/// the factor, then, if sizes still differ, area resampling of the already small copy.
pub fn shrink(image: &GrayImage, nw: u32, nh: u32) -> GrayImage {
    let (w, h) = image.dimensions();
    let factor = (w / nw.max(1)).min(h / nh.max(1)).max(1);
    let reduced = box_reduce(image, factor);
    let (rw, rh) = reduced.dimensions();
    if (rw, rh) == (nw, nh) {
        reduced
    } else if (rw / 4 * 3, rh / 4 * 3) == (nw, nh) {
        // A 200 DPI page to the 150 DPI viewer: 3 ms a page where `thumbnail` took 27.
        three_quarters(&reduced)
    } else {
        image::imageops::thumbnail(&reduced, nw, nh)
    }
}

/// The page scaled by 3/4 in each direction by area averaging: every 4 x 4 block of
/// pixels becomes 3 x 3, each output pixel the mean of the 4/3 x 4/3 pixels it covers
/// (per direction, weights 3+1, 2+2, 1+3 quarters). Partial blocks at the right and
/// bottom edges are dropped.
pub fn three_quarters(image: &GrayImage) -> GrayImage {
    const WEIGHTS: [[u16; 4]; 3] = [[3, 1, 0, 0], [0, 2, 2, 0], [0, 0, 1, 3]];
    let (w, h) = (image.width() as usize, image.height() as usize);
    let (nw, nh) = (w / 4 * 3, h / 4 * 3);
    let src = image.as_raw();
    let mut out = Vec::with_capacity(nw * nh);
    let mut rows = [vec![0u16; w], vec![0u16; w], vec![0u16; w]];
    for block in src.chunks_exact(4 * w).take(h / 4) {
        let r: [&[u8]; 4] = std::array::from_fn(|i| &block[i * w..(i + 1) * w]);
        for (row, wt) in rows.iter_mut().zip(WEIGHTS) {
            for (x, v) in row.iter_mut().enumerate() {
                *v = wt[0] * r[0][x] as u16
                    + wt[1] * r[1][x] as u16
                    + wt[2] * r[2][x] as u16
                    + wt[3] * r[3][x] as u16;
            }
        }
        for row in &rows {
            for c in row.chunks_exact(4).take(w / 4) {
                let (a, b, c, d) = (c[0] as u32, c[1] as u32, c[2] as u32, c[3] as u32);
                out.push(((3 * a + b + 8) / 16) as u8);
                out.push(((2 * b + 2 * c + 8) / 16) as u8);
                out.push(((c + 3 * d + 8) / 16) as u8);
            }
        }
    }
    GrayImage::from_raw(nw as u32, nh as u32, out).expect("buffer sized to the scaled page")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_averaged() {
        let img = GrayImage::from_fn(5, 4, |x, _| image::Luma([if x % 2 == 0 { 0 } else { 200 }]));
        let small = box_reduce(&img, 2);
        assert_eq!(small.dimensions(), (2, 2));
        assert!(small.pixels().all(|p| p.0[0] == 100));
    }

    #[test]
    fn every_factor_gives_the_rounded_block_mean() {
        // Odd sizes leave partial blocks at the right and bottom edges, which are dropped.
        let img = GrayImage::from_fn(103, 77, |x, y| {
            image::Luma([((x * 37 + y * 91) % 256) as u8])
        });
        for f in 2..=6u32 {
            let small = box_reduce(&img, f);
            assert_eq!(small.dimensions(), (103 / f, 77 / f));
            for (x, y, p) in small.enumerate_pixels() {
                let sum: u32 = (0..f * f)
                    .map(|i| img.get_pixel(x * f + i % f, y * f + i / f).0[0] as u32)
                    .sum();
                assert_eq!(
                    p.0[0] as u32,
                    (sum + f * f / 2) / (f * f),
                    "factor {f} at {x},{y}"
                );
            }
        }
    }

    #[test]
    fn factor_one_and_tiny_images_are_kept() {
        let img = GrayImage::from_pixel(3, 3, image::Luma([7]));
        assert_eq!(box_reduce(&img, 1), img);
        assert_eq!(box_reduce(&img, 4), img);
    }

    #[test]
    fn three_quarters_averages_the_area_each_pixel_covers() {
        // Columns 0,255,0,255,...: outputs cover 3/4+1/4, 2/4+2/4, 1/4+3/4 of the inputs.
        let img = GrayImage::from_fn(9, 8, |x, _| image::Luma([if x % 2 == 0 { 0 } else { 255 }]));
        let small = three_quarters(&img);
        assert_eq!(small.dimensions(), (6, 6));
        let row: Vec<u8> = (0..6).map(|x| small.get_pixel(x, 0).0[0]).collect();
        assert_eq!(row, vec![64, 128, 191, 64, 128, 191]);
        assert!((0..6).all(|y| small.get_pixel(2, y).0[0] == 191));
        // A flat page stays flat; a 200 DPI page reaches the 150 DPI viewer size.
        let flat = three_quarters(&GrayImage::from_pixel(1700, 2200, image::Luma([181])));
        assert_eq!(flat.dimensions(), (1275, 1650));
        assert!(flat.pixels().all(|p| p.0[0] == 181));
        assert_eq!(
            shrink(&GrayImage::new(1700, 2200), 1275, 1650).dimensions(),
            (1275, 1650)
        );
    }

    #[test]
    fn shrink_reaches_the_size_asked() {
        let img = GrayImage::from_pixel(2550, 3300, image::Luma([180]));
        let small = shrink(&img, 1275, 1650);
        assert_eq!(small.dimensions(), (1275, 1650));
        let viewer = shrink(&img, 1275 * 2 / 3, 1100);
        assert_eq!(viewer.dimensions(), (850, 1100));
        assert!(viewer.pixels().all(|p| p.0[0].abs_diff(180) <= 1));
    }
}
