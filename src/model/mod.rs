//! Boundary types: the plain data that flows between pipeline stages and is persisted.
//!
//! Nothing here does I/O. A stage module takes and returns these types; only `pipeline`
//! wires stages together. Types that are exported follow `../shared/docs/contracts.md`.

pub mod api;
pub mod document;
pub mod export;
pub mod page;
pub mod record;
pub mod release;
pub mod retention;
pub mod scan;
pub mod search;
pub mod text;
pub mod users;

pub use document::{DocType, DocumentDraft, FieldSource, Patient, Regroup, ReviewFlag};
pub use export::{ExportDocument, ExportPage, ExportRetention, ExportScan, ExportSource};
pub use page::{
    DocumentStart, OcrPage, OcrWord, PageImage, PageKind, PageResult, PageView, TextLayer,
    TextSource,
};
pub use record::{DocumentRecord, PageRecord, ReviewItem};
pub use release::{DisclosedDocument, Disclosure, ReleaseBasis};
pub use retention::{
    Hold, JobRow, ManifestEntry, NextEligible, ReportRow, RetentionReport, Tombstone,
};
pub use scan::{IngestSummary, Quarantined, ScanInput, ScanInputKind, ScanStatus};
pub use search::{Facets, SearchHit, SearchQuery, SearchResults, SortOrder};
pub use users::{Session, User};
