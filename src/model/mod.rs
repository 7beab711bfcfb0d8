//! Boundary types: the plain data that flows between pipeline stages and is persisted.
//!
//! Nothing here does I/O. A stage module takes and returns these types; only `pipeline`
//! wires stages together. Types that are exported follow `../shared/docs/contracts.md`.

pub mod document;
pub mod export;
pub mod page;
pub mod record;
pub mod retention;
pub mod scan;
pub mod text;

pub use document::{DocType, DocumentDraft, FieldSource, Patient, ReviewFlag};
pub use export::{ExportDocument, ExportPage, ExportRetention, ExportScan, ExportSource};
pub use page::{
    DocumentStart, OcrPage, OcrWord, PageImage, PageKind, PageResult, PageView, TextLayer,
    TextSource,
};
pub use record::{DocumentRecord, PageRecord, ReviewItem};
pub use scan::{ScanInput, ScanInputKind, ScanStatus};
