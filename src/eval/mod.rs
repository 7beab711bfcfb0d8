//! Evaluation against a corpus with ground truth (`manifest.jsonl`, see
//! `../shared/corpus/README.md`): speed, OCR error rates, page-kind detection.
//!
//! Input: a corpus folder. Output: an [`EvalReport`]. The corpus is ingested into a
//! temporary archive with the real pipeline; nothing is mocked.

pub mod doctype;
pub mod layout;
mod metrics;

pub use crate::corpus::{load_manifest, ManifestChart, ManifestDocument, ManifestPage};
pub use metrics::{char_edit_distance, normalize_text, word_edit_distance};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::archive::Archive;
use crate::config::PipelineConfig;
use crate::model::PageKind;
use crate::pipeline::{self, Progress};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Manifest(#[from] crate::corpus::ManifestError),
    #[error(transparent)]
    Model(#[from] crate::classify::ClassifyError),
    #[error(transparent)]
    Pipeline(#[from] pipeline::PipelineError),
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error("cannot create a temporary archive: {0}")]
    Temp(std::io::Error),
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Ratio {
    pub num: f64,
    pub den: f64,
}

impl Ratio {
    pub fn value(&self) -> Option<f64> {
        (self.den > 0.0).then(|| self.num / self.den)
    }
}

/// True/false positives and false negatives of a yes/no detection.
#[derive(Debug, Clone, Copy, Default)]
struct Detection {
    tp: f64,
    fp: f64,
    fn_: f64,
}

impl Detection {
    fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.tp += 1.0,
            (false, true) => self.fp += 1.0,
            (true, false) => self.fn_ += 1.0,
            _ => {}
        }
    }

    fn precision(&self) -> Option<f64> {
        let den = self.tp + self.fp;
        (den > 0.0).then(|| self.tp / den)
    }

    fn recall(&self) -> Option<f64> {
        let den = self.tp + self.fn_;
        (den > 0.0).then(|| self.tp / den)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub charts: usize,
    pub pages: usize,
    pub content_pages: usize,
    pub quarantined: usize,
    pub wall_secs: f64,
    pub pages_per_sec: f64,
    /// The libtesseract that did the OCR (see [`crate::ocr::loaded_library`]).
    pub tesseract_library: Option<String>,
    pub imaging_ms_per_page: f64,
    pub barcode_ms_per_page: f64,
    /// Imaging time over OCR time, summed over all pages.
    pub imaging_to_ocr_ratio: Option<f64>,
    pub ocr_ms_per_ocr_page: f64,
    /// Tesseract readings per OCR'd page (above 1: second readings).
    pub ocr_readings_per_ocr_page: f64,
    /// Character error rate over content pages (edits / ground-truth characters).
    pub cer: Option<f64>,
    pub wer: Option<f64>,
    pub blank_precision: Option<f64>,
    pub blank_recall: Option<f64>,
    /// Separator sheets (patient and document) found from barcodes.
    pub separator_precision: Option<f64>,
    pub separator_recall: Option<f64>,
    /// Per ground-truth document (matched to the archived document holding its first
    /// page): share whose field equals the truth.
    pub mrn_accuracy: Option<f64>,
    /// Share of ground-truth documents archived with exactly their content pages.
    pub split_exact_documents: Option<f64>,
    pub name_accuracy: Option<f64>,
    pub dob_accuracy: Option<f64>,
    pub service_date_accuracy: Option<f64>,
    /// Ground-truth documents (`doc_id`) archived without their date of service (ids
    /// only: no dates or other patient data in the report).
    pub service_date_misses: Vec<String>,
    /// Ground-truth documents archived without their name, birth date or retention date
    /// (`doc_id: field`; ids only).
    pub field_misses: Vec<String>,
    /// Share of content pages whose detected rotation equals the ground truth.
    pub rotation_accuracy: Option<f64>,
    /// Content pages left turned: `chart_id: page N (true T, got G)`.
    pub rotation_misses: Vec<String>,
    /// Content pages archived as blank or as a separator sheet (their content in no
    /// document): `chart_id: page N as KIND`.
    pub content_lost: Vec<String>,
    /// Share of ground-truth documents whose retention status and eligible-on date equal
    /// those the schedule gives for the true type, dates and birth date.
    pub retention_date_accuracy: Option<f64>,
    /// Mean |measured - true| skew over content pages, degrees.
    pub mean_skew_error_deg: Option<f64>,
    /// CER of content pages by scan condition: upright (0°), rotated (90/180/270),
    /// skewed (|skew| >= 1°), dpi200.
    pub cer_by_condition: std::collections::BTreeMap<String, f64>,
    /// Document starts (first pages) found, over all charts and by chart style.
    pub split_boundaries: Option<BoundaryScore>,
    pub split_boundaries_with_doc_separators: Option<BoundaryScore>,
    pub split_boundaries_without_doc_separators: Option<BoundaryScore>,
    /// `--layout-only`: orientation and skew from pixels.
    pub layout: Option<layout::LayoutReport>,
    /// Document types on the test charts (never the model's training charts).
    pub doc_types: Option<doctype::DocTypeReport>,
}

/// Options for [`run`].
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Evaluate only the first N charts.
    pub max_charts: Option<usize>,
    /// Score OCR text from another tool instead of ingesting: files
    /// `DIR/<scan stem>/page_NNN.txt` as written next to `chartvault rasterize` output.
    pub text_dir: Option<PathBuf>,
    /// Only classify the ground-truth text of each test document (no OCR, seconds).
    pub classify_only: bool,
    /// Only measure orientation and skew from pixels (no OCR).
    pub layout_only: bool,
    /// Turn every page clockwise by this many degrees before imaging (the truth's rotation
    /// turns with it): orientation on turned copies of the corpus.
    pub turn_deg: u32,
}

/// The folder-name form of a scan path used by `rasterize` and `--text-dir`.
pub fn scan_stem(source_path: &str) -> String {
    source_path.replace(['/', '.'], "_")
}

/// An archived document's fields, as evaluated.
#[derive(Debug, Clone, Default)]
pub struct PredictedDocument {
    pub pages: Vec<u32>,
    pub doc_type: Option<crate::model::DocType>,
    pub mrn: Option<String>,
    pub name: Option<String>,
    pub dob: Option<String>,
    pub service_date: Option<String>,
    /// The archive's retention decision (status, eligible-on date).
    pub retention: Option<(String, Option<String>)>,
}

/// What the archive (or another tool) produced for one page.
#[derive(Debug, Clone)]
pub struct PredictedPage {
    pub kind: PageKind,
    pub rotation_deg: u32,
    /// `None` when the tool does not measure skew.
    pub skew_deg: Option<f32>,
    pub text: String,
}

pub fn run(
    corpus: &Path,
    config: &PipelineConfig,
    options: &EvalOptions,
    progress: &Progress,
) -> Result<EvalReport, EvalError> {
    let mut charts = load_manifest(&corpus.join("manifest.jsonl"))?;
    if let Some(n) = options.max_charts {
        charts.truncate(n);
    }
    let turned_config;
    let config = if !options.turn_deg.is_multiple_of(360) {
        let turn = options.turn_deg % 360;
        for p in charts.iter_mut().flat_map(|c| c.pages.iter_mut()) {
            p.rotation_deg = (p.rotation_deg + turn) % 360;
        }
        let mut c = config.clone();
        c.turn_pages_deg = turn;
        turned_config = c;
        &turned_config
    } else {
        config
    };
    let mut report = EvalReport {
        charts: charts.len(),
        ..Default::default()
    };
    // Predicted pages per chart: (kind, text) by page number.
    let mut predicted: HashMap<String, HashMap<u32, PredictedPage>> = HashMap::new();
    let mut predicted_docs: HashMap<String, Vec<PredictedDocument>> = HashMap::new();
    if options.layout_only {
        report.layout = Some(layout::run(corpus, &charts, config)?);
        return Ok(report);
    }
    if options.classify_only {
        let classifier = crate::classify::Classifier::with_embedded_model(&config.classify)?;
        let mut d = doctype::classify_truth(&charts, &classifier);
        // The two halves alone, to show what each contributes.
        let mut no_rules = config.classify.clone();
        no_rules.rules.clear();
        let model = crate::classify::TextModel::from_bytes(crate::classify::EMBEDDED_MODEL).ok();
        if let Ok(c) = crate::classify::Classifier::new(&no_rules, model) {
            d.model_only_macro_f1 = Some(doctype::classify_truth(&charts, &c).macro_f1);
        }
        if let Ok(c) = crate::classify::Classifier::new(&config.classify, None) {
            d.rules_only_macro_f1 = Some(doctype::classify_truth(&charts, &c).macro_f1);
        }
        report.doc_types = Some(d);
        return Ok(report);
    }
    if let Some(dir) = &options.text_dir {
        for c in &charts {
            let stem = scan_stem(&c.scan_name());
            let mut pages = HashMap::new();
            for p in &c.pages {
                let f = dir.join(&stem).join(format!("page_{:03}.txt", p.page));
                let text = std::fs::read_to_string(f).unwrap_or_default();
                pages.insert(
                    p.page,
                    PredictedPage {
                        kind: PageKind::Content,
                        rotation_deg: 0,
                        skew_deg: None,
                        text,
                    },
                );
            }
            predicted.insert(c.chart_id.clone(), pages);
        }
    } else {
        let tmp = tempfile::tempdir().map_err(EvalError::Temp)?;
        let mut archive = Archive::open(&tmp.path().join("archive"), None, config, true)?;
        let paths: Vec<PathBuf> = charts.iter().map(|c| corpus.join(&c.file)).collect();
        let summary = pipeline::ingest(
            &mut archive,
            &paths,
            config,
            &crate::retention::Schedule::embedded(),
            progress,
        )?;
        archive
            .index
            .close()
            .map_err(crate::archive::ArchiveError::from)?;
        report.wall_secs = summary.wall_secs;
        report.tesseract_library = crate::ocr::loaded_library();
        report.pages_per_sec = summary.pages_per_sec();
        report.quarantined = summary.quarantined.len();
        if summary.pages > 0 {
            report.imaging_ms_per_page = summary.imaging_ms as f64 / summary.pages as f64;
            report.barcode_ms_per_page = summary.barcode_ms as f64 / summary.pages as f64;
        }
        if summary.pages_ocr > 0 {
            report.ocr_ms_per_ocr_page = summary.ocr_ms as f64 / summary.pages_ocr as f64;
            report.ocr_readings_per_ocr_page =
                summary.ocr_readings as f64 / summary.pages_ocr as f64;
            report.imaging_to_ocr_ratio = Some(summary.imaging_ms as f64 / summary.ocr_ms as f64);
        }
        let scans = archive.catalog.scans()?;
        let by_path: HashMap<&str, &crate::catalog::ScanRow> = scans
            .iter()
            .filter(|s| s.sha256.is_some())
            .map(|s| (s.source_path.as_str(), s))
            .collect();
        for c in &charts {
            let mut pages = HashMap::new();
            let scan = by_path.get(c.scan_name().as_str());
            if let Some(sha) = scan.and_then(|s| s.sha256.as_deref()) {
                for row in archive.catalog.pages_of_scan(sha)? {
                    pages.insert(
                        row.page_no,
                        PredictedPage {
                            kind: row.kind,
                            rotation_deg: row.rotation_deg,
                            skew_deg: Some(row.skew_deg),
                            text: row.text.unwrap_or_default(),
                        },
                    );
                }
            }
            predicted.insert(c.chart_id.clone(), pages);
            let mut docs = Vec::new();
            for id in scan.map(|s| s.documents.as_slice()).unwrap_or(&[]) {
                if let Some(d) = archive.catalog.document(id)? {
                    docs.push(PredictedDocument {
                        pages: d.page_numbers(),
                        doc_type: Some(d.doc_type),
                        mrn: d.patient.mrn,
                        name: d.patient.name,
                        dob: d.patient.dob,
                        service_date: d.service_date,
                        retention: d.retention.map(|r| {
                            (
                                r.status.as_str().to_string(),
                                r.eligible_on.map(|e| e.to_string()),
                            )
                        }),
                    });
                }
            }
            predicted_docs.insert(c.chart_id.clone(), docs);
        }
    }
    score(&charts, &predicted, &mut report);
    score_fields(&charts, &predicted_docs, &mut report);
    report.doc_types = doctype::score(&charts, &predicted_docs);
    if !predicted_docs.is_empty() {
        report.split_boundaries = Some(boundaries(&charts, &predicted_docs, |_| true));
        report.split_boundaries_with_doc_separators =
            Some(boundaries(&charts, &predicted_docs, |c| c.doc_separators));
        report.split_boundaries_without_doc_separators =
            Some(boundaries(&charts, &predicted_docs, |c| !c.doc_separators));
    }
    Ok(report)
}

fn score(
    charts: &[ManifestChart],
    predicted: &HashMap<String, HashMap<u32, PredictedPage>>,
    report: &mut EvalReport,
) {
    let (mut cer, mut wer) = (Ratio::default(), Ratio::default());
    let (mut blank, mut separator) = (Detection::default(), Detection::default());
    let mut rotation = Ratio::default();
    let mut skew = Ratio::default();
    let mut by_condition: std::collections::BTreeMap<&str, Ratio> = Default::default();
    for c in charts {
        let empty = HashMap::new();
        let pred = predicted.get(&c.chart_id).unwrap_or(&empty);
        for p in &c.pages {
            report.pages += 1;
            let (kind, rotation_deg, skew_deg, text) = pred
                .get(&p.page)
                .map(|x| (x.kind, x.rotation_deg, x.skew_deg, x.text.as_str()))
                .unwrap_or((PageKind::Content, 0, None, ""));
            blank.add(p.kind == "blank", kind == PageKind::Blank);
            separator.add(
                p.kind == "separator" || p.kind == "doc_separator",
                matches!(kind, PageKind::Separator | PageKind::DocSeparator),
            );
            if p.kind == "content" {
                report.content_pages += 1;
                rotation.den += 1.0;
                if rotation_deg == p.rotation_deg {
                    rotation.num += 1.0;
                } else if kind == PageKind::Content {
                    report.rotation_misses.push(format!(
                        "{}: page {} (true {}, got {})",
                        c.chart_id, p.page, p.rotation_deg, rotation_deg
                    ));
                }
                if kind != PageKind::Content {
                    report.content_lost.push(format!(
                        "{}: page {} as {}",
                        c.chart_id,
                        p.page,
                        kind.as_str()
                    ));
                }
                let truth = normalize_text(&p.text);
                let got = normalize_text(text);
                let edits = char_edit_distance(&truth, &got) as f64;
                let chars = truth.chars().count() as f64;
                cer.num += edits;
                cer.den += chars;
                let mut conditions = vec![if p.rotation_deg == 0 {
                    "upright"
                } else {
                    "rotated"
                }];
                if p.skew_deg.abs() >= 1.0 {
                    conditions.push("skewed");
                }
                if p.dpi == 200 {
                    conditions.push("dpi200");
                } else {
                    conditions.push("dpi300");
                }
                for cond in conditions {
                    let r = by_condition.entry(cond).or_default();
                    r.num += edits;
                    r.den += chars;
                }
                if let Some(s) = skew_deg {
                    skew.num += (s - p.skew_deg).abs() as f64;
                    skew.den += 1.0;
                }
                wer.num += word_edit_distance(&truth, &got) as f64;
                wer.den += truth.split(' ').filter(|w| !w.is_empty()).count() as f64;
            }
        }
    }
    report.cer = cer.value();
    report.mean_skew_error_deg = skew.value();
    report.cer_by_condition = by_condition
        .into_iter()
        .filter_map(|(k, r)| r.value().map(|v| (k.to_string(), v)))
        .collect();
    report.rotation_accuracy = rotation.value();
    report.wer = wer.value();
    report.separator_precision = separator.precision();
    report.separator_recall = separator.recall();
    report.blank_precision = blank.precision();
    report.blank_recall = blank.recall();
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BoundaryScore {
    pub charts: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    /// Where it went wrong: `chart_id: page N` for a missed ("missed") or a spurious
    /// ("extra") document start. Chart ids and page numbers only, no patient data.
    pub misses: Vec<String>,
}

/// A boundary is a document's first page; predicted and true first pages are compared per
/// chart.
fn boundaries(
    charts: &[ManifestChart],
    predicted: &HashMap<String, Vec<PredictedDocument>>,
    include: impl Fn(&ManifestChart) -> bool,
) -> BoundaryScore {
    let mut d = Detection::default();
    let mut n = 0;
    let mut misses = Vec::new();
    for c in charts.iter().filter(|c| include(c)) {
        n += 1;
        let truth: Vec<u32> = c.documents.iter().map(|x| x.first_page).collect();
        let got: Vec<u32> = predicted
            .get(&c.chart_id)
            .map(|docs| {
                docs.iter()
                    .filter_map(|x| x.pages.first().copied())
                    .collect()
            })
            .unwrap_or_default();
        for t in &truth {
            d.add(true, got.contains(t));
            if !got.contains(t) {
                misses.push(format!("{}: page {t} missed", c.chart_id));
            }
        }
        for g in got.iter().filter(|g| !truth.contains(g)) {
            d.add(false, true);
            misses.push(format!("{}: page {g} extra", c.chart_id));
        }
    }
    let (p, r) = (d.precision(), d.recall());
    BoundaryScore {
        charts: n,
        precision: p,
        recall: r,
        f1: match (p, r) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            _ => None,
        },
        misses,
    }
}

fn score_fields(
    charts: &[ManifestChart],
    predicted: &HashMap<String, Vec<PredictedDocument>>,
    report: &mut EvalReport,
) {
    if predicted.is_empty() {
        return;
    }
    let (mut mrn, mut name, mut dob, mut svc) = (
        Ratio::default(),
        Ratio::default(),
        Ratio::default(),
        Ratio::default(),
    );
    let mut exact = Ratio::default();
    for c in charts {
        let docs = predicted.get(&c.chart_id).map(Vec::as_slice).unwrap_or(&[]);
        for truth in &c.documents {
            let got = docs.iter().find(|d| d.pages.contains(&truth.first_page));
            let truth_pages: Vec<u32> = c
                .pages
                .iter()
                .filter(|p| p.doc_id.as_deref() == Some(truth.doc_id.as_str()))
                .map(|p| p.page)
                .collect();
            exact.den += 1.0;
            if got.is_some_and(|d| d.pages == truth_pages) {
                exact.num += 1.0;
            }
            let check = |r: &mut Ratio, value: Option<&String>, expected: &str| {
                r.den += 1.0;
                if value.map(String::as_str) == Some(expected) {
                    r.num += 1.0;
                }
            };
            check(&mut mrn, got.and_then(|d| d.mrn.as_ref()), &c.patient.mrn);
            let before = (name.num, dob.num);
            check(
                &mut name,
                got.and_then(|d| d.name.as_ref()),
                &c.patient.name,
            );
            check(&mut dob, got.and_then(|d| d.dob.as_ref()), &c.patient.dob);
            if name.num == before.0 {
                report.field_misses.push(format!("{}: name", truth.doc_id));
            }
            if dob.num == before.1 {
                report.field_misses.push(format!("{}: dob", truth.doc_id));
            }
            let before = svc.num;
            check(
                &mut svc,
                got.and_then(|d| d.service_date.as_ref()),
                &truth.service_date,
            );
            if svc.num == before {
                report.service_date_misses.push(truth.doc_id.clone());
            }
        }
    }
    report.mrn_accuracy = mrn.value();
    report.split_exact_documents = exact.value();
    report.name_accuracy = name.value();
    report.dob_accuracy = dob.value();
    report.service_date_accuracy = svc.value();
    report.retention_date_accuracy =
        retention_matches(charts, predicted, &mut report.field_misses).value();
}

/// Per ground-truth document: does the archive's retention decision (status and
/// eligible-on date) equal the schedule's decision on the true type, dates and birth date?
fn retention_matches(
    charts: &[ManifestChart],
    predicted: &HashMap<String, Vec<PredictedDocument>>,
    misses: &mut Vec<String>,
) -> Ratio {
    use crate::retention::status::{decide, HoldCheck, RetentionFacts};
    let schedule = crate::retention::Schedule::embedded();
    let today = crate::clock::today();
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let mut r = Ratio::default();
    for c in charts {
        let docs = predicted.get(&c.chart_id).map(Vec::as_slice).unwrap_or(&[]);
        let last_service = c
            .documents
            .iter()
            .filter_map(|d| date(&d.service_date))
            .max();
        for truth in &c.documents {
            r.den += 1.0;
            let Some(doc_type) = crate::model::DocType::parse(&truth.doc_type) else {
                continue;
            };
            let facts = RetentionFacts {
                doc_type,
                service_date: date(&truth.service_date),
                dob: date(&c.patient.dob),
                has_mrn: true,
                patient_last_service: last_service,
                ingested_at: today,
            };
            let want = decide(&schedule, &facts, &HoldCheck::Clear, today);
            let want = (
                want.status.as_str().to_string(),
                want.eligible_on.map(|e| e.to_string()),
            );
            let got = docs
                .iter()
                .find(|d| d.pages.contains(&truth.first_page))
                .and_then(|d| d.retention.clone());
            if got.as_ref() == Some(&want) {
                r.num += 1.0;
            } else {
                misses.push(format!("{}: retention", truth.doc_id));
            }
        }
    }
    r
}
