//! Preparing a content page for OCR: level it (deskew), turn it upright (text-line layout
//! or tesseract OSD), and bring it to the resolution OCR wants. Used by the page worker
//! and by `ocr-floor --prepare`, so the benchmark floor reads exactly the pipeline's images.

use crate::config::{OrientationMethod, PipelineConfig};
use crate::model::PageImage;

use super::orientation::{self, OsdEngine};
use super::{deskew, layout};

/// What [`prepare_for_ocr`] did to a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prepared {
    /// Clockwise rotation undone (0, 90, 180, 270).
    pub rotation_deg: u32,
    /// Skew levelled, degrees.
    pub skew_deg: f32,
    /// How clear the text-line layout's up/down evidence was (0-1), when the layout turned
    /// the page; `None` with OSD or no orientation.
    pub up_down_confidence: Option<f32>,
}

/// Imaging of a content page before OCR: level it (deskew), turn it upright (layout or
/// OSD), and bring it to the resolution OCR wants.
pub fn prepare_for_ocr(
    config: &PipelineConfig,
    osd: Option<&mut OsdEngine>,
    page: &mut PageImage,
) -> Prepared {
    let mut up_down_confidence = None;
    let mut rotation_deg = 0;
    let mut skew_deg = 0.0;
    let layout = if config.imaging.deskew || config.imaging.orientation == OrientationMethod::Layout
    {
        layout::analyze(&page.image, page.dpi)
    } else {
        None
    };
    if let Some(l) = layout {
        if config.imaging.deskew {
            if let Some(level) = deskew::deskew(&page.image, l.skew_deg) {
                page.image = level;
            }
            skew_deg = l.skew_deg;
        }
        if config.imaging.orientation == OrientationMethod::Layout {
            up_down_confidence = Some(l.rotation_confidence);
            if let Some(upright) = orientation::make_upright(&page.image, l.rotation_deg) {
                page.image = upright;
                rotation_deg = l.rotation_deg;
            }
        }
    }
    if let Some(osd) = osd {
        if let Some(o) = osd.detect(&page.image, page.dpi) {
            if o.confidence >= config.imaging.orientation_min_confidence {
                if let Some(upright) = orientation::make_upright(&page.image, o.rotation_deg) {
                    page.image = upright;
                    rotation_deg = o.rotation_deg;
                }
            }
        }
    }
    let cap = config.imaging.downsample_above_dpi;
    if cap > 0 && page.dpi > cap {
        rescale(page, cap);
    }
    if page.dpi > 0 && page.dpi < config.imaging.upsample_below_dpi {
        rescale(page, 300);
    }
    Prepared {
        rotation_deg,
        skew_deg,
        up_down_confidence,
    }
}

/// Resamples a page image to `dpi`.
pub(crate) fn rescale(page: &mut PageImage, dpi: u32) {
    let (w, h) = page.image.dimensions();
    let f = dpi as f32 / page.dpi as f32;
    page.image = image::imageops::resize(
        &page.image,
        (w as f32 * f) as u32,
        (h as f32 * f) as u32,
        image::imageops::FilterType::Triangle,
    );
    page.dpi = dpi;
}
