//! A corpus's ground truth (`manifest.jsonl`): what `eval` scores against and what
//! `train` learns from. Depends on nothing else in the crate.

use serde::Deserialize;
use std::path::Path;

/// A manifest that cannot be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("cannot read corpus manifest {path}: {message}")]
pub struct ManifestError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestPage {
    pub page: u32,
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub rotation_deg: u32,
    #[serde(default)]
    pub skew_deg: f32,
    #[serde(default)]
    pub dpi: u32,
    #[serde(default)]
    pub barcode: Option<String>,
    #[serde(default)]
    pub doc_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ManifestPatient {
    pub mrn: String,
    pub name: String,
    pub dob: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestDocument {
    pub doc_id: String,
    pub doc_type: String,
    pub service_date: String,
    pub first_page: u32,
    pub last_page: u32,
    /// Where the report text came from (`sha1` joins it to `train_text.jsonl`).
    #[serde(default)]
    pub source: Option<ManifestSource>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestSource {
    #[serde(default)]
    pub sha1: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestChart {
    pub chart_id: String,
    /// Path of the input relative to the corpus folder.
    pub file: String,
    #[serde(default)]
    pub format: String,
    /// Whether document separator sheets stand between the documents.
    #[serde(default)]
    pub doc_separators: bool,
    pub pages: Vec<ManifestPage>,
    #[serde(default)]
    pub patient: ManifestPatient,
    #[serde(default)]
    pub documents: Vec<ManifestDocument>,
}

impl ManifestChart {
    /// The scan's `source.path` when the file is ingested directly (its file name).
    pub fn scan_name(&self) -> String {
        Path::new(&self.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.clone())
    }
}

pub fn load_manifest(path: &Path) -> Result<Vec<ManifestChart>, ManifestError> {
    let err = |message: String| ManifestError {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| err(format!("line {}: {e}", i + 1))))
        .collect()
}
