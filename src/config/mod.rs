//! Pipeline configuration: serde structs for `pipelines/*.toml`, validated at load.
//!
//! Input: TOML text (the embedded `pipelines/default.toml`, or a file given with
//! `--pipeline`). Output: a validated [`PipelineConfig`]. Unknown keys, a wrong `version`
//! or out-of-range values are errors naming the key.

use serde::Deserialize;
use std::path::Path;

/// The default pipeline, embedded so a fresh binary needs no files to run.
pub const DEFAULT_PIPELINE_TOML: &str = include_str!("../../pipelines/default.toml");

fn default_orientation_check() -> f32 {
    70.0
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read pipeline file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid pipeline file {path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    pub version: u32,
    pub limits: LimitsConfig,
    pub queues: QueuesConfig,
    pub ocr: OcrConfig,
    pub imaging: ImagingConfig,
    pub store: StoreConfig,
    pub index: IndexConfig,
    pub classify: crate::classify::ClassifyConfig,
    pub review: ReviewConfig,
    pub scheduler: SchedulerConfig,
    /// Barcode rules, first match wins.
    #[serde(default)]
    pub barcodes: Vec<BarcodeRule>,
    /// `chartvault eval --turn`: every decoded page is turned clockwise by this many degrees
    /// before imaging, to measure orientation on turned copies. Not a pipeline setting:
    /// never read from a file, 0 everywhere else.
    #[serde(skip)]
    pub turn_pages_deg: u32,
}

/// A barcode pattern (regular expression; a capture group named `mrn` gives the patient)
/// and what a page carrying it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarcodeRule {
    pub pattern: String,
    pub action: BarcodeAction,
    /// For `document_start`: the type of the document the code starts (else the pattern's
    /// `doc_type` group, else the classifier decides).
    #[serde(default)]
    pub doc_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BarcodeAction {
    /// Starts a new patient: following documents belong to the MRN it carries.
    PatientSeparator,
    /// Starts a new document.
    DocumentSeparator,
    /// The page carrying it is the first page of a new document and is kept as content (a
    /// form barcode, a label on page one of outside records). The pattern's `mrn` group
    /// sets the document's MRN; `doc_type` (the rule's or the group's) its type.
    DocumentStart,
    /// Recorded on the page, no action (e.g. a visit account number on a face sheet).
    Ignore,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    pub max_page_pixels: u64,
    pub max_file_bytes: u64,
    pub max_pages_per_scan: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueuesConfig {
    pub decoded_pages: usize,
    pub page_results: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcrConfig {
    pub num_workers: usize,
    pub language: String,
    pub page_seg_mode: u32,
    /// Tesseract variables set on every engine (name = value).
    #[serde(default)]
    pub variables: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagingConfig {
    pub blank_max_ink_fraction: f64,
    /// Orientation detection before OCR: "off", or "osd" (tesseract OSD).
    pub orientation: OrientationMethod,
    /// OSD confidence below which a page is left as scanned.
    pub orientation_min_confidence: f32,
    /// Level skewed text lines before OCR.
    pub deskew: bool,
    /// Content pages scanned below this DPI are enlarged to 300 DPI before OCR (0: never).
    #[serde(default)]
    pub upsample_below_dpi: u32,
    /// Content pages scanned above this DPI are reduced to it before OCR (0: never).
    #[serde(default)]
    pub downsample_above_dpi: u32,
    /// A content page OCR'd with mean confidence below this is read again turned 180° and
    /// the better reading kept (catches a wrong up/down call). 0 disables.
    pub recheck_below_ocr_confidence: f32,
    /// Orientation self-check: a content page read with mean confidence below this (but not
    /// below `recheck_below_ocr_confidence`, where it is read turned 180° anyway) is shown
    /// to tesseract's orientation detection and read its way when that disagrees; the
    /// better reading is kept. 0 disables.
    #[serde(default = "default_orientation_check")]
    pub orientation_check_below_ocr_confidence: f32,
    /// A content page scanned at `thicken_min_dpi` or more whose strokes are thinner than
    /// this (mean width in pixels of a 300 DPI scan, see `imaging::thicken::stroke_width_px`)
    /// is read with its strokes thickened by a pixel. 0 never thickens up front.
    #[serde(default)]
    pub thicken_below_stroke_px: f32,
    /// Below this resolution a page is never thickened up front (a pixel is too large a
    /// share of a letter: holes close, `0` reads as `6`).
    #[serde(default)]
    pub thicken_min_dpi: u32,
    /// A content page read as scanned with mean confidence below this is read again with
    /// its strokes thickened and the better reading kept. 0 disables.
    #[serde(default)]
    pub thicken_below_ocr_confidence: f32,
    pub viewer_long_side_px: u32,
    pub viewer_jpeg_quality: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrientationMethod {
    Off,
    /// Text-line profile and ascender balance (src/imaging/layout.rs).
    Layout,
    Osd,
}

/// The retention sweep (`chartvault scheduler run-once`, and daily under `scheduler run`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerConfig {
    /// How often a purge plan is created: "never", "monthly" or "yearly" (at most one
    /// scheduler-made plan per period, and only when something is eligible).
    pub purge_plans: PlanPeriod,
    /// No longer read (refused with a pointer): the number of approvals is the retention
    /// schedule's `purge_approvals`, the facility's policy.
    #[serde(default)]
    pub required_approvals: Option<u32>,
    /// Execute jobs that have all their approvals.
    pub execute_approved: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanPeriod {
    Never,
    Monthly,
    Yearly,
}

/// When a document goes to the review queue (besides being unclassified or having
/// conflicting patient fields, which always do).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    /// Weakest split decision inside a document below which it is reviewed.
    pub min_boundary_confidence: f32,
    /// Mean OCR word confidence (0-100) of a page below which its document is reviewed.
    pub min_ocr_confidence: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    pub zstd_level: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexConfig {
    /// Memory budget of the index writer, shared by its threads.
    pub writer_memory_mb: usize,
    /// Indexing threads (0 = one per CPU core, at most 4).
    #[serde(default)]
    pub writer_threads: usize,
    /// Documents added to the index between commits when indexing many at once (reindex,
    /// catching up after a crash, synthetic archives).
    #[serde(default = "default_commit_every")]
    pub commit_every_documents: usize,
}

fn default_commit_every() -> usize {
    10_000
}

impl PipelineConfig {
    /// The embedded default pipeline.
    pub fn embedded() -> PipelineConfig {
        // The embedded file is checked by a unit test; failing here would be a build defect.
        Self::parse(DEFAULT_PIPELINE_TOML, "<embedded default>")
            .unwrap_or_else(|e| panic!("embedded pipelines/default.toml is invalid: {e}"))
    }

    pub fn load(path: &Path) -> Result<PipelineConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<PipelineConfig, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        };
        let config: PipelineConfig =
            toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        if config.version != 1 {
            return Err(invalid(format!(
                "version {} is not supported (expected 1)",
                config.version
            )));
        }
        if config.scheduler.required_approvals.is_some() {
            return Err(invalid(
                "scheduler.required_approvals is no longer read: the number of purge \
                 approvals is the retention schedule's purge_approvals (pipelines/retention.toml, \
                 at least 2); remove the line"
                    .into(),
            ));
        }
        if config.queues.decoded_pages == 0 || config.queues.page_results == 0 {
            return Err(invalid("queue capacities must be at least 1".into()));
        }
        if config.limits.max_page_pixels == 0 {
            return Err(invalid("limits.max_page_pixels must be positive".into()));
        }
        if !(0.0..1.0).contains(&config.imaging.blank_max_ink_fraction) {
            return Err(invalid(
                "imaging.blank_max_ink_fraction must be in [0, 1)".into(),
            ));
        }
        if config.imaging.viewer_jpeg_quality == 0 || config.imaging.viewer_jpeg_quality > 100 {
            return Err(invalid(
                "imaging.viewer_jpeg_quality must be 1..=100".into(),
            ));
        }
        for (i, rule) in config.barcodes.iter().enumerate() {
            if let Err(e) = regex::Regex::new(&rule.pattern) {
                return Err(invalid(format!("barcodes[{i}].pattern: {e}")));
            }
            if let Some(t) = &rule.doc_type {
                if crate::model::DocType::parse(t).is_none() {
                    return Err(invalid(format!(
                        "barcodes[{i}].doc_type: unknown document type {t:?}"
                    )));
                }
                if rule.action != BarcodeAction::DocumentStart {
                    return Err(invalid(format!(
                        "barcodes[{i}].doc_type: only a document_start rule sets a type"
                    )));
                }
            }
        }
        if !(0.0..=1.0).contains(&config.classify.min_confidence) {
            return Err(invalid("classify.min_confidence must be in [0, 1]".into()));
        }
        config
            .classify
            .check()
            .map_err(|e| invalid(e.to_string()))?;
        if config.ocr.page_seg_mode > 13 {
            return Err(invalid("ocr.page_seg_mode must be 0..=13".into()));
        }
        Ok(config)
    }

    /// Number of OCR workers, resolving 0 to the number of cores.
    pub fn num_ocr_workers(&self) -> usize {
        if self.ocr.num_workers > 0 {
            self.ocr.num_workers
        } else {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_is_valid() {
        let c = PipelineConfig::embedded();
        assert_eq!(c.version, 1);
        assert!(c.num_ocr_workers() >= 1);
    }

    #[test]
    fn unknown_key_is_rejected_with_its_name() {
        let text = DEFAULT_PIPELINE_TOML.replace("[ocr]", "[ocr]\nspeed = 3");
        let err = PipelineConfig::parse(&text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("speed"), "{err}");
        assert!(err.contains("x.toml"), "{err}");
    }

    #[test]
    fn wrong_version_is_rejected() {
        let text = DEFAULT_PIPELINE_TOML.replace("version = 1", "version = 2");
        assert!(PipelineConfig::parse(&text, "x").is_err());
    }
}
