//! Search latency over an archive: p50 / p99 for each kind of query staff run, through the
//! same `ArchiveIndex::search` the CLI uses (top 10 with snippets and stored fields), next
//! to a reference run in the same loop: a bare tantivy term query (top 10 and count, no
//! stored fields, no snippets), the floor for this index on this machine.

use std::time::Instant;

use serde::Serialize;

use super::generate::{mrn_of, patients_for};
use super::text::{Rng, TextSource};
use crate::index::{ArchiveIndex, IndexError, SearchQuery};

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub kind: String,
    pub example: String,
    pub queries: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_total_hits: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchBench {
    pub documents: u64,
    pub kinds: Vec<Latency>,
    /// The bare term query, interleaved with the others.
    pub reference: Latency,
}

/// Words of a sentence usable as query terms (letters only, 5+ characters).
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 5)
        .map(str::to_lowercase)
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) fn summarize_kind(kind: &str, example: String, mut ms: Vec<f64>, hits: u64) -> Latency {
    ms.sort_by(|a, b| a.total_cmp(b));
    Latency {
        kind: kind.into(),
        example,
        queries: ms.len(),
        p50_ms: percentile(&ms, 0.50),
        p95_ms: percentile(&ms, 0.95),
        p99_ms: percentile(&ms, 0.99),
        max_ms: ms.last().copied().unwrap_or(0.0),
        mean_total_hits: hits as f64 / ms.len().max(1) as f64,
    }
}

fn word(rng: &mut Rng, text: &TextSource) -> String {
    loop {
        let w = words(text.sentence(rng));
        if !w.is_empty() {
            return w[rng.below(w.len())].clone();
        }
    }
}

/// The query kinds, each a function of a random draw.
pub(crate) fn make_query(
    kind: &str,
    rng: &mut Rng,
    text: &TextSource,
    patients: usize,
) -> SearchQuery {
    let base = SearchQuery {
        limit: 10,
        ..SearchQuery::default()
    };
    match kind {
        "term" => SearchQuery {
            text: word(rng, text),
            ..base
        },
        "phrase" => loop {
            let s = text.sentence(rng).to_lowercase();
            let w: Vec<&str> = s.split_whitespace().collect();
            if w.len() >= 3 {
                let i = rng.below(w.len() - 1);
                let phrase = format!("{} {}", w[i], w[i + 1]);
                let clean: String = phrase
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == ' ')
                    .collect();
                if clean.split_whitespace().count() == 2 {
                    break SearchQuery {
                        text: format!("\"{clean}\""),
                        ..base
                    };
                }
            }
        },
        "mrn" => SearchQuery {
            mrn: Some(mrn_of(rng.below(patients))),
            ..base
        },
        "date_range" => {
            let y = 1995 + rng.below(32);
            let m = 1 + rng.below(12);
            SearchQuery {
                text: word(rng, text),
                from: Some(format!("{y}-{m:02}-01")),
                to: Some(format!("{y}-{m:02}-28")),
                ..base
            }
        }
        "facets" => SearchQuery {
            text: word(rng, text),
            facets: true,
            ..base
        },
        _ => {
            // fuzzy: a word with one letter changed, as an OCR slip would.
            let mut w: Vec<char> = word(rng, text).chars().collect();
            let i = 1 + rng.below(w.len() - 2);
            w[i] = if w[i] == 'e' { 'c' } else { 'e' };
            SearchQuery {
                text: w.into_iter().collect(),
                fuzzy: true,
                ..base
            }
        }
    }
}

pub const KINDS: [&str; 6] = ["term", "phrase", "mrn", "date_range", "facets", "fuzzy"];

/// [`run`] on an archive's index.
pub fn run_on(
    archive: &crate::archive::Archive,
    text: &TextSource,
    queries: usize,
    seed: u64,
) -> Result<SearchBench, IndexError> {
    run(&archive.index, text, queries, seed)
}

/// Runs `queries` queries of each kind (after a warm-up), interleaving the kinds and the
/// reference so machine noise falls on all of them alike.
pub fn run(
    index: &ArchiveIndex,
    text: &TextSource,
    queries: usize,
    seed: u64,
) -> Result<SearchBench, IndexError> {
    let documents = index.num_docs();
    let patients = patients_for(documents as usize);
    let mut rng = Rng::new(seed);
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); KINDS.len() + 1];
    let mut hits = vec![0u64; KINDS.len() + 1];
    let mut examples = vec![String::new(); KINDS.len() + 1];
    let warmup = (queries / 10).max(5);
    for round in 0..queries + warmup {
        for (k, kind) in KINDS.iter().enumerate() {
            let q = make_query(kind, &mut rng, text, patients);
            let t = Instant::now();
            let r = index.search(&q)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if round >= warmup {
                times[k].push(ms);
                hits[k] += r.total as u64;
            }
            if examples[k].is_empty() {
                examples[k] = describe(&q);
            }
        }
        let w = make_query("term", &mut rng, text, patients).text;
        let t = Instant::now();
        let total = index.reference_term_query(&w)?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if round >= warmup {
            times[KINDS.len()].push(ms);
            hits[KINDS.len()] += total as u64;
        }
        if examples[KINDS.len()].is_empty() {
            examples[KINDS.len()] = format!("bare term query: {w}");
        }
    }
    let mut kinds: Vec<Latency> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        kinds.push(summarize_kind(
            kind,
            std::mem::take(&mut examples[k]),
            std::mem::take(&mut times[k]),
            hits[k],
        ));
    }
    let reference = summarize_kind(
        "reference",
        std::mem::take(&mut examples[KINDS.len()]),
        std::mem::take(&mut times[KINDS.len()]),
        hits[KINDS.len()],
    );
    Ok(SearchBench {
        documents,
        kinds,
        reference,
    })
}

/// A query as the CLI would take it (no patient data: synthetic MRNs only).
fn describe(q: &SearchQuery) -> String {
    let mut parts = Vec::new();
    if !q.text.is_empty() {
        parts.push(q.text.clone());
    }
    if let Some(m) = &q.mrn {
        parts.push(format!("--mrn {m}"));
    }
    if let (Some(f), Some(t)) = (&q.from, &q.to) {
        parts.push(format!("--from {f} --to {t}"));
    }
    if q.facets {
        parts.push("--facets".into());
    }
    if q.fuzzy {
        parts.push("--fuzzy".into());
    }
    parts.join(" ")
}
