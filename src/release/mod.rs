//! Release of information: the selected documents as one searchable PDF (page images with
//! an invisible OCR text layer placed on the word boxes), behind a cover sheet naming the
//! recipient and purpose. Recording the disclosure is the caller's part
//! ([`crate::catalog::Catalog::record_disclosure`]).

mod pdf;

pub use pdf::{build_pdf, pages_pdf, CoverSheet, ReleaseError, ReleasePage};
