//! The export format of contract §3 (JSON Lines, `"v": 1`). Fields are only ever added.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Patient;

pub const EXPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExportSource {
    pub path: String,
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pages: Option<Vec<u32>>,
}

/// `kind: "scan"` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExportScan {
    pub v: u32,
    pub kind: String,
    pub source: ExportSource,
    pub page_count: u32,
    pub separator_pages: Vec<u32>,
    pub blank_pages: Vec<u32>,
    pub documents: Vec<String>,
    pub status: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExportPage {
    pub source_page: u32,
    pub rotation_deg: u32,
    pub skew_deg: f32,
    pub ocr_confidence: f32,
    pub text: String,
    /// `ocr` (read from the page image) or `pdf_text` (the PDF's own text).
    #[serde(default)]
    pub text_source: super::TextSource,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExportRetention {
    pub class: String,
    pub status: String,
    pub eligible_on: Option<String>,
    pub binding_rule: Option<String>,
    /// The day the binding term ends (`eligible_on` is the day after).
    #[serde(default)]
    pub retain_through: Option<String>,
    /// Inputs whose absence makes the status `indeterminate`.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Schedule profile, version and hash prefix the decision was made under.
    #[serde(default)]
    pub schedule: Option<String>,
    /// The date the status was computed for.
    #[serde(default)]
    pub as_of: Option<String>,
    /// For `destroyed`: the certificate of destruction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
}

/// `kind: "document"` line of a destroyed document: no PHI, only what the tombstone keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportTombstone {
    pub v: u32,
    pub kind: String,
    pub doc_id: String,
    pub doc_type: String,
    pub retention: ExportRetention,
}

/// `kind: "document"` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExportDocument {
    pub v: u32,
    pub kind: String,
    pub doc_id: String,
    pub source: ExportSource,
    pub doc_type: String,
    pub doc_type_confidence: f32,
    pub patient: Patient,
    pub service_date: Option<String>,
    pub pages: Vec<ExportPage>,
    pub retention: ExportRetention,
}

/// One export line: either kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
// Lines are parsed one at a time (tests, outside tools): the size difference is harmless.
#[allow(clippy::large_enum_variant)]
pub enum ExportLine {
    Scan(ExportScan),
    Document(ExportDocument),
    Tombstone(ExportTombstone),
}

/// The JSON Schema of an export line, as committed in `schemas/export.schema.json`.
pub fn export_json_schema() -> String {
    let schema = schemars::schema_for!(ExportLine);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_export_schema_matches_the_code() {
        let generated = super::export_json_schema();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/export.schema.json");
        if std::env::var_os("CHARTVAULT_WRITE_SCHEMAS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            committed, generated,
            "schemas/export.schema.json is stale: rerun with CHARTVAULT_WRITE_SCHEMAS=1"
        );
    }
}
