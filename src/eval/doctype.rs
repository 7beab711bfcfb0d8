//! Document-type scoring: accuracy, per-type F1, macro-F1 and a confusion table, on the
//! test charts of the split in [`crate::classify::training`].

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{ManifestChart, PredictedDocument};
use crate::classify::training::{chart_examples, is_training_chart, SPLIT_DESCRIPTION};
use crate::classify::Classifier;
use crate::model::DocType;

#[derive(Debug, Clone, Default, Serialize)]
pub struct DocTypeReport {
    pub split: String,
    pub test_documents: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// F1 per ground-truth type present in the test set.
    pub f1: BTreeMap<String, f64>,
    /// `confusion[truth][predicted]` = count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// `--classify-only`: macro-F1 of the statistical model without rules, and of the rules
    /// without the model.
    pub model_only_macro_f1: Option<f64>,
    pub rules_only_macro_f1: Option<f64>,
}

/// Scores (truth, predicted) pairs; `predicted` may be `unclassified`.
/// Whether the shipped model was trained on this chart: the odd-numbered charts of the dev
/// corpus (`dev-c001`...). Charts of any other corpus (a generated one) are all test charts.
fn trained_on(chart_id: &str) -> bool {
    chart_id.starts_with("dev-") && is_training_chart(chart_id)
}

pub fn report(pairs: &[(DocType, DocType)]) -> DocTypeReport {
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (t, p) in pairs {
        *confusion
            .entry(t.as_str().into())
            .or_default()
            .entry(p.as_str().into())
            .or_default() += 1;
    }
    let correct = pairs.iter().filter(|(t, p)| t == p).count();
    let mut f1 = BTreeMap::new();
    for t in DocType::ALL {
        let tp = pairs.iter().filter(|(a, b)| *a == t && *b == t).count() as f64;
        let truth = pairs.iter().filter(|(a, _)| *a == t).count() as f64;
        if truth == 0.0 {
            continue;
        }
        let predicted = pairs.iter().filter(|(_, b)| *b == t).count() as f64;
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = tp / truth;
        let f = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        f1.insert(t.as_str().to_string(), f);
    }
    DocTypeReport {
        split: SPLIT_DESCRIPTION.into(),
        test_documents: pairs.len(),
        accuracy: if pairs.is_empty() {
            0.0
        } else {
            correct as f64 / pairs.len() as f64
        },
        macro_f1: if f1.is_empty() {
            0.0
        } else {
            f1.values().sum::<f64>() / f1.len() as f64
        },
        f1,
        confusion,
        model_only_macro_f1: None,
        rules_only_macro_f1: None,
    }
}

/// Each test chart's ground-truth document against the archived document holding its
/// first page (a missing document counts as `unclassified`).
pub fn score(
    charts: &[ManifestChart],
    predicted: &HashMap<String, Vec<PredictedDocument>>,
) -> Option<DocTypeReport> {
    if predicted.is_empty() {
        return None;
    }
    let mut pairs = Vec::new();
    for c in charts.iter().filter(|c| !trained_on(&c.chart_id)) {
        let docs = predicted.get(&c.chart_id).map(Vec::as_slice).unwrap_or(&[]);
        for truth in &c.documents {
            let Some(t) = DocType::parse(&truth.doc_type) else {
                continue;
            };
            let got = docs
                .iter()
                .find(|d| d.pages.contains(&truth.first_page))
                .and_then(|d| d.doc_type)
                .unwrap_or(DocType::Unclassified);
            pairs.push((t, got));
        }
    }
    Some(report(&pairs))
}

/// Classifies the ground-truth text of every test document (no OCR): the classifier's
/// ceiling, and the same texts `tools/compare_classifier.py` gives scikit-learn.
pub fn classify_truth(charts: &[ManifestChart], classifier: &Classifier) -> DocTypeReport {
    let mut pairs = Vec::new();
    for c in charts.iter().filter(|c| !trained_on(&c.chart_id)) {
        for (ex, _) in chart_examples(c) {
            let first = c
                .documents
                .iter()
                .zip(chart_examples(c))
                .find(|(_, (e, _))| e.text == ex.text)
                .and_then(|(d, _)| c.pages.iter().find(|p| p.page == d.first_page))
                .map(|p| p.text.as_str())
                .unwrap_or("");
            pairs.push((ex.doc_type, classifier.classify(first, &ex.text).doc_type));
        }
    }
    report(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_f1_averages_types_present_in_truth() {
        use DocType::*;
        let r = report(&[
            (ProgressNote, ProgressNote),
            (ProgressNote, Unclassified),
            (RadiologyReport, RadiologyReport),
        ]);
        assert!((r.accuracy - 2.0 / 3.0).abs() < 1e-9);
        assert!((r.f1["progress_note"] - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.f1["radiology_report"], 1.0);
        assert!((r.macro_f1 - (2.0 / 3.0 + 1.0) / 2.0).abs() < 1e-9);
        assert_eq!(r.confusion["progress_note"]["unclassified"], 1);
    }
}
