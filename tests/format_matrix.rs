//! The format matrix (`tests/formats/`, made by `tools/make-format-matrix.sh` with standard
//! tools): every encoding a scanner, fax server or outside provider sends is ingested by the
//! real binary in one run, and each page must come out with the text it shows (CER at most
//! 2% against the manifest), the right page count, and the right text source (`pdf_text`
//! only for the real text of born-digital PDFs, with that text exactly).

mod common;
use common::*;

use std::collections::HashMap;
use std::path::Path;

struct Cell {
    file: String,
    pages: usize,
    texts: Vec<String>,
    text_source: String,
}

fn manifest() -> Vec<Cell> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats");
    std::fs::read_to_string(dir.join("manifest.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Cell {
                file: v["file"].as_str().unwrap().to_string(),
                pages: v["pages"].as_u64().unwrap() as usize,
                texts: v["texts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
                text_source: v["text_source"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn normal(s: &str) -> Vec<char> {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect()
}

/// Character error rate: edit distance over the reference length.
fn cer(reference: &str, read: &str) -> f64 {
    let (a, b) = (normal(reference), normal(read));
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (ca != cb) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()] as f64 / a.len().max(1) as f64
}

#[test]
fn cer_counts_edits() {
    assert_eq!(cer("abcd", "abcd"), 0.0);
    assert_eq!(cer("abcd", "abxd"), 0.25);
    assert_eq!(cer("a  b\nc", "a b c"), 0.0);
    assert_eq!(cer("abcd", ""), 1.0);
}

#[test]
fn every_cell_of_the_format_matrix_ingests_with_its_text() {
    let cells = manifest();
    assert!(cells.len() >= 40, "the matrix has {} cells", cells.len());
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let formats = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats");
    for c in &cells {
        std::fs::copy(formats.join(&c.file), inbox.join(&c.file)).unwrap();
    }
    let archive = dir.path().join("archive");
    let o = run(&archive, &["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = export(&archive);
    let mut scans = HashMap::new();
    for s in of_kind(&lines, "scan") {
        let name = s["source"]["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        scans.insert(name, s.clone());
    }
    // (file, page) -> (text, text source)
    let mut pages: HashMap<(String, u64), (String, String)> = HashMap::new();
    for d in of_kind(&lines, "document") {
        let name = d["source"]["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        for p in d["pages"].as_array().unwrap() {
            pages.insert(
                (name.clone(), p["source_page"].as_u64().unwrap()),
                (
                    p["text"].as_str().unwrap().to_string(),
                    p["text_source"].as_str().unwrap_or("?").to_string(),
                ),
            );
        }
    }
    let mut failures = Vec::new();
    let mut worst = 0.0f64;
    for c in &cells {
        let Some(scan) = scans.get(&c.file) else {
            failures.push(format!("{}: not archived", c.file));
            continue;
        };
        if scan["page_count"].as_u64() != Some(c.pages as u64) {
            failures.push(format!(
                "{}: {} pages, expected {}",
                c.file, scan["page_count"], c.pages
            ));
        }
        for (i, want) in c.texts.iter().enumerate() {
            let Some((text, source)) = pages.get(&(c.file.clone(), i as u64 + 1)) else {
                failures.push(format!("{} page {}: in no document", c.file, i + 1));
                continue;
            };
            let e = cer(want, text);
            worst = worst.max(e);
            if e > 0.02 {
                failures.push(format!(
                    "{} page {}: CER {:.1}%: {text:?}",
                    c.file,
                    i + 1,
                    e * 100.0
                ));
            }
            if *source != c.text_source {
                failures.push(format!(
                    "{} page {}: text source {source}, expected {}",
                    c.file,
                    i + 1,
                    c.text_source
                ));
            }
            // A mixed page's pictures are read by OCR; the rest of its text is the PDF's own.
            let mixed = c.file.contains("mixed");
            if c.text_source == "pdf_text" && !mixed && normal(want) != normal(text) {
                failures.push(format!(
                    "{} page {}: PDF text not exact: {text:?}",
                    c.file,
                    i + 1
                ));
            }
        }
    }
    eprintln!(
        "format matrix: {} cells, worst page CER {:.2}%",
        cells.len(),
        worst * 100.0
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
