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
    if reduced.dimensions() == (nw, nh) {
        reduced
    } else {
        image::imageops::thumbnail(&reduced, nw, nh)
    }
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
    fn shrink_reaches_the_size_asked() {
        let img = GrayImage::from_pixel(2550, 3300, image::Luma([180]));
        let small = shrink(&img, 1275, 1650);
        assert_eq!(small.dimensions(), (1275, 1650));
        let viewer = shrink(&img, 1275 * 2 / 3, 1100);
        assert_eq!(viewer.dimensions(), (850, 1100));
        assert!(viewer.pixels().all(|p| p.0[0].abs_diff(180) <= 1));
    }
}
