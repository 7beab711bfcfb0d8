//! Training data for the document-type model, and the train/test split of the corpus.
//!
//! The split is by chart: odd-numbered charts (`dev-c001`, `dev-c003`, ...) train, even ones
//! test. `train_text.jsonl` rows whose report text appears in a test chart (same `sha1`) are
//! left out, so `eval` never scores a document the model was trained on.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::Example;
use crate::corpus::ManifestChart;
use crate::model::DocType;

/// Which charts of the corpus the shipped model was trained on.
pub const SPLIT_DESCRIPTION: &str =
    "train = odd-numbered charts + train_text.jsonl rows not used by a test chart; test = even-numbered charts";

pub fn is_training_chart(chart_id: &str) -> bool {
    let digits: String = chart_id
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let n: u64 = digits
        .chars()
        .rev()
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    n % 2 == 1
}

#[derive(Debug, Deserialize)]
struct TrainTextRow {
    doc_type: String,
    text: String,
    #[serde(default)]
    sha1: Option<String>,
}

/// One document's ground-truth text per manifest document (pages joined).
pub fn chart_examples(chart: &ManifestChart) -> Vec<(Example, Option<String>)> {
    chart
        .documents
        .iter()
        .filter_map(|d| {
            let doc_type = DocType::parse(&d.doc_type)?;
            let text: Vec<&str> = chart
                .pages
                .iter()
                .filter(|p| p.doc_id.as_deref() == Some(d.doc_id.as_str()))
                .map(|p| p.text.as_str())
                .collect();
            Some((
                Example {
                    text: text.join("\n"),
                    doc_type,
                },
                d.source.as_ref().and_then(|s| s.sha1.clone()),
            ))
        })
        .collect()
}

/// Training examples from a corpus folder: training charts plus `train_text.jsonl`
/// (when present) minus texts used by test charts.
pub fn corpus_examples(corpus: &Path) -> Result<Vec<Example>, super::ClassifyError> {
    let charts = crate::corpus::load_manifest(&corpus.join("manifest.jsonl"))?;
    let mut test_sha1: HashSet<String> = HashSet::new();
    let mut examples = Vec::new();
    for c in &charts {
        for (ex, sha1) in chart_examples(c) {
            if is_training_chart(&c.chart_id) {
                examples.push(ex);
            } else if let Some(s) = sha1 {
                test_sha1.insert(s);
            }
        }
    }
    let path = corpus.join("train_text.jsonl");
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            super::ClassifyError::TrainText(format!("cannot read {}: {e}", path.display()))
        })?;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let row: TrainTextRow = serde_json::from_str(line).map_err(|e| {
                super::ClassifyError::TrainText(format!("{} line {}: {e}", path.display(), i + 1))
            })?;
            if row.sha1.as_ref().is_some_and(|s| test_sha1.contains(s)) {
                continue;
            }
            if let Some(doc_type) = DocType::parse(&row.doc_type) {
                examples.push(Example {
                    text: row.text,
                    doc_type,
                });
            }
        }
    }
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_charts_train_even_charts_test() {
        assert!(is_training_chart("dev-c001"));
        assert!(!is_training_chart("dev-c002"));
        assert!(is_training_chart("holdout-c039"));
        assert!(!is_training_chart("no-number"));
    }
}
