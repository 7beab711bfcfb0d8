//! Page orientation (0/90/180/270) with tesseract's orientation and script detection (OSD,
//! `osd.traineddata`), on a page reduced to about 150 DPI.
//!
//! The `tesseract` crate does not expose OSD, so this file holds the one use of the C API:
//! an engine created, used and deleted here, never shared between threads.

use std::ffi::CString;
use std::os::raw::{c_char, c_int};

use image::GrayImage;

/// Result of orientation detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// Clockwise angle by which the content appears rotated in the scan (the corpus and
    /// export convention); turn the page counter-clockwise by this to make it upright.
    pub rotation_deg: u32,
    pub confidence: f32,
    /// The script detected is Latin (the script the OCR language reads).
    pub latin: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot start orientation detection (is tesseract-ocr-osd installed?)")]
pub struct OsdInitError;

pub struct OsdEngine {
    handle: *mut tesseract_sys::TessBaseAPI,
}

// The handle is owned by one worker thread at a time; tesseract engines are not shared.
unsafe impl Send for OsdEngine {}

impl Drop for OsdEngine {
    fn drop(&mut self) {
        // SAFETY: handle came from TessBaseAPICreate and is deleted once.
        unsafe { tesseract_sys::TessBaseAPIDelete(self.handle) }
    }
}

const OSD_DPI: u32 = 150;

impl OsdEngine {
    pub fn new() -> Result<OsdEngine, OsdInitError> {
        let lang = CString::new("osd").map_err(|_| OsdInitError)?;
        // SAFETY: plain C API calls on a handle we own; strings outlive the calls.
        unsafe {
            let handle = tesseract_sys::TessBaseAPICreate();
            if handle.is_null() {
                return Err(OsdInitError);
            }
            let engine = OsdEngine { handle };
            if tesseract_sys::TessBaseAPIInit3(handle, std::ptr::null(), lang.as_ptr()) != 0 {
                return Err(OsdInitError);
            }
            let name = CString::new("debug_file").map_err(|_| OsdInitError)?;
            let value = CString::new("/dev/null").map_err(|_| OsdInitError)?;
            tesseract_sys::TessBaseAPISetVariable(handle, name.as_ptr(), value.as_ptr());
            Ok(engine)
        }
    }

    /// Detects the page's orientation; `None` when there is too little text to tell.
    pub fn detect(&mut self, image: &GrayImage, dpi: u32) -> Option<Orientation> {
        let factor = (dpi / OSD_DPI).max(1);
        let small;
        let img = if factor > 1 {
            small = super::reduce::box_reduce(image, factor);
            &small
        } else {
            image
        };
        let (w, h) = img.dimensions();
        let mut orient_deg: c_int = 0;
        let mut orient_conf: f32 = 0.0;
        let mut script: *const c_char = std::ptr::null();
        let mut script_conf: f32 = 0.0;
        // SAFETY: the image buffer outlives SetImage (tesseract copies it); out-pointers
        // are valid locals; the script name points into tesseract's own tables.
        let ok = unsafe {
            tesseract_sys::TessBaseAPISetImage(
                self.handle,
                img.as_raw().as_ptr(),
                w as c_int,
                h as c_int,
                1,
                w as c_int,
            );
            tesseract_sys::TessBaseAPISetSourceResolution(self.handle, (dpi / factor) as c_int);
            let ok = tesseract_sys::TessBaseAPIDetectOrientationScript(
                self.handle,
                &mut orient_deg,
                &mut orient_conf,
                &mut script,
                &mut script_conf,
            );
            tesseract_sys::TessBaseAPIClear(self.handle);
            ok
        };
        if ok == 0 {
            return None;
        }
        // SAFETY: on success the script name points into tesseract's own static tables.
        let latin =
            !script.is_null() && unsafe { std::ffi::CStr::from_ptr(script) }.to_bytes() == b"Latin";
        Some(Orientation {
            rotation_deg: (orient_deg.rem_euclid(360)) as u32,
            confidence: orient_conf,
            latin,
        })
    }
}

/// Turns a page upright given the clockwise rotation it appears with.
pub fn make_upright(image: &GrayImage, rotation_deg: u32) -> Option<GrayImage> {
    match rotation_deg {
        90 => Some(image::imageops::rotate270(image)),
        180 => Some(image::imageops::rotate180(image)),
        270 => Some(image::imageops::rotate90(image)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn make_upright_undoes_a_clockwise_rotation() {
        let mut img = GrayImage::from_pixel(4, 2, Luma([255]));
        img.put_pixel(0, 0, Luma([0]));
        for deg in [90, 180, 270] {
            let rotated = match deg {
                90 => image::imageops::rotate90(&img),
                180 => image::imageops::rotate180(&img),
                _ => image::imageops::rotate270(&img),
            };
            assert_eq!(make_upright(&rotated, deg).unwrap(), img, "{deg}");
        }
        assert!(make_upright(&img, 0).is_none());
    }
}
