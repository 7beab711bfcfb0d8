//! Imaging: from scanned bytes to pages fit for OCR.
//!
//! Input: scan bytes ([`decode`]). Output: [`crate::model::PageImage`]s, and per page the
//! facts found from pixels (blank or not) plus the viewer image. One algorithm per file.
//! Failure policy: decoding errors name the page; the pipeline quarantines the scan.

pub mod blank;
pub mod decode;
pub mod deskew;
pub mod layout;
pub mod orientation;
pub mod prepare;
pub mod reduce;
pub mod thicken;
pub mod viewer;
