//! A scan: one input as fed by the scanner (a file, or a folder batch of page images).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where a scan's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanInputKind {
    /// A single file: PDF, TIFF, PNG or JPEG.
    File(PathBuf),
    /// A folder whose files are all single-page images, pages in file-name order.
    FolderBatch(Vec<PathBuf>),
    /// Something found while walking that cannot be a scan (e.g. a symlink loop); it is
    /// quarantined with this reason.
    Unreadable { path: PathBuf, reason: String },
}

/// One scan to ingest, as discovered under a command-line PATH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanInput {
    /// Path relative to the PATH argument it was found under (contract §2); a file given
    /// directly is its file name.
    pub source_path: String,
    pub kind: ScanInputKind,
}

impl ScanInput {
    /// The path shown to users in messages (the real location on disk).
    pub fn display_path(&self) -> String {
        match &self.kind {
            ScanInputKind::File(p) => p.display().to_string(),
            ScanInputKind::FolderBatch(files) => files
                .first()
                .and_then(|f| f.parent())
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| self.source_path.clone()),
            ScanInputKind::Unreadable { path, .. } => path.display().to_string(),
        }
    }
}

/// Status of a scan in the catalog and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    Ingested,
    Quarantined,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Ingested => "ingested",
            ScanStatus::Quarantined => "quarantined",
        }
    }

    pub fn parse(s: &str) -> Option<ScanStatus> {
        [ScanStatus::Ingested, ScanStatus::Quarantined]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    /// The documents this run archived, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doc_ids: Vec<String>,
    pub scans_ingested: usize,
    pub pages: usize,
    pub pages_ocr: usize,
    pub documents: usize,
    pub duplicates: usize,
    pub quarantined: Vec<Quarantined>,
    pub wall_secs: f64,
    /// Summed over workers.
    pub imaging_ms: u64,
    pub barcode_ms: u64,
    pub ocr_ms: u64,
    /// Tesseract readings, second readings included.
    pub ocr_readings: usize,
}

/// A scan that was quarantined, with the reason shown to the user.
#[derive(Debug, Clone, Serialize)]
pub struct Quarantined {
    pub path: String,
    pub reason: String,
}
