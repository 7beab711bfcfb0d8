//! The search index (tantivy): a derived, rebuildable copy of archived documents.
//!
//! Input: [`DocumentRecord`]s from the catalog. Output: ranked hits with snippets. One
//! writer per archive (tantivy's lock). Documents are added only after the catalog has
//! committed them, so the index never holds a document the catalog lacks; `reindex`
//! rebuilds it from the catalog. Analyzer: simple tokenizer, lowercase, ASCII folding,
//! English stemming (all supported by Quickwit, to keep that scale-out path open).

mod analysis;
mod bulk;
mod facets;
mod pairs;
mod schema;
mod search;
mod shared_tokens;
mod stem_cache;
mod writer;

pub use bulk::BulkLoad;
pub use schema::{build_schema, IndexFields, TEXT_ANALYZER};
pub use search::{SearchHit, SearchQuery, SearchResults, SortOrder};
pub use writer::ArchiveIndex;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the archive is busy: another chartvault command is writing to it; try again when it finishes")]
    Busy,
    #[error("cannot understand the query: {0}")]
    Query(String),
    #[error("invalid date {0:?} (expected YYYY-MM-DD)")]
    Date(String),
}

/// `YYYY-MM-DD` to the integer `YYYYMMDD` used for range filters.
pub fn date_key(iso: &str) -> Result<i64, IndexError> {
    let d = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map_err(|_| IndexError::Date(iso.to_string()))?;
    use chrono::Datelike;
    Ok(d.year() as i64 * 10_000 + d.month() as i64 * 100 + d.day() as i64)
}

/// A one-page progress note with this id and text, for index tests.
#[cfg(test)]
pub(crate) fn test_record(id: &str, text: &str) -> crate::model::DocumentRecord {
    use crate::model::{DocType, DocumentRecord, PageRecord, Patient};
    DocumentRecord {
        doc_id: id.into(),
        scan_sha256: "s".into(),
        source_path: "p".into(),
        doc_type: DocType::ProgressNote,
        doc_type_confidence: 1.0,
        patient: Patient::default(),
        service_date: None,
        pages: vec![PageRecord {
            page_no: 1,
            rotation_deg: 0,
            skew_deg: 0.0,
            ocr_confidence: 90.0,
            text: text.into(),
            words_blob: None,
            image_blob: None,
            text_source: Default::default(),
        }],
        retention: None,
    }
}
