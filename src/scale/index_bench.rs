//! Indexing throughput next to a reference, side by side in one run (`chartvault bench
//! indexing`). The same synthetic documents are indexed by the archive's index (analysed and
//! stored text with positions, word pairs, metadata fields; a bulk load: no merging while it
//! runs, adds without deletes, the segments merged at the end) and by a bare tantivy index
//! of the same text (one field, tantivy's default tokenizer, positions, not stored), with
//! the same threads, memory, commit cadence and a final merge. Rounds alternate, so the
//! machine's speed of the moment (shared machines vary up to 3x) hits both alike; the ratio
//! is the figure that carries from one run to another.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tantivy::schema::{Schema, TEXT};
use tantivy::{doc, Index};

use super::dir_size;
use super::generate::{synthetic_records, GenerateOptions};
use super::text::TextSource;
use crate::config::IndexConfig;
use crate::index::{ArchiveIndex, IndexError};
use crate::model::DocumentRecord;

#[derive(Debug, Clone, Serialize)]
pub struct IndexBenchReport {
    pub documents: usize,
    pub text_bytes: u64,
    pub writer_threads: usize,
    pub commit_every: usize,
    /// Documents per second of each round, archive index and bare index.
    pub archive_docs_per_sec: Vec<f64>,
    pub bare_docs_per_sec: Vec<f64>,
    /// Best round of the archive index over best round of the bare one.
    pub ratio: f64,
    pub archive_bytes_per_doc: f64,
    pub bare_bytes_per_doc: f64,
}

pub fn run(
    text: &TextSource,
    config: &IndexConfig,
    documents: usize,
    rounds: usize,
    seed: u64,
) -> Result<IndexBenchReport, IndexError> {
    let opts = GenerateOptions {
        documents,
        seed,
        batch_scans: 0,
        page_chars: 1800,
    };
    let records = synthetic_records(text, &opts);
    let text_bytes = records
        .iter()
        .flat_map(|r| &r.pages)
        .map(|p| p.text.len() as u64)
        .sum();
    let every = config.commit_every_documents.max(1);
    let mut report = IndexBenchReport {
        documents: records.len(),
        text_bytes,
        writer_threads: 0,
        commit_every: every,
        archive_docs_per_sec: Vec::new(),
        bare_docs_per_sec: Vec::new(),
        ratio: 0.0,
        archive_bytes_per_doc: 0.0,
        bare_bytes_per_doc: 0.0,
    };
    let per_doc = |dir: &Path| dir_size(dir) as f64 / records.len().max(1) as f64;
    for _ in 0..rounds.max(1) {
        let dir = tempdir()?;
        let t = Instant::now();
        let settings = archive_load(dir.path(), config, &records, every)?;
        report
            .archive_docs_per_sec
            .push(records.len() as f64 / t.elapsed().as_secs_f64());
        report.writer_threads = settings.0;
        report.archive_bytes_per_doc = per_doc(dir.path());
        drop(dir);

        let dir = tempdir()?;
        let t = Instant::now();
        bare_load(dir.path(), settings, &records, every)?;
        report
            .bare_docs_per_sec
            .push(records.len() as f64 / t.elapsed().as_secs_f64());
        report.bare_bytes_per_doc = per_doc(dir.path());
    }
    let best = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    report.ratio = best(&report.archive_docs_per_sec) / best(&report.bare_docs_per_sec).max(1e-9);
    Ok(report)
}

fn tempdir() -> Result<tempfile::TempDir, IndexError> {
    tempfile::tempdir().map_err(|source| IndexError::Io {
        path: std::env::temp_dir().display().to_string(),
        source,
    })
}

/// The archive's index, loaded as `bench generate` and `reindex` load it. Returns its
/// writer threads and memory budget.
fn archive_load(
    dir: &Path,
    config: &IndexConfig,
    records: &[DocumentRecord],
    every: usize,
) -> Result<(usize, usize), IndexError> {
    let mut index = ArchiveIndex::open(dir, config)?;
    let load = index.begin_bulk_load()?;
    for chunk in records.chunks(every) {
        for r in chunk {
            index.add_new(r)?;
        }
        index.commit()?;
    }
    index.finish_bulk_load(load)?;
    index.close()?;
    Ok(index.writer_settings())
}

/// The same text in a bare tantivy index, same threads, memory and commits, merged at the end.
fn bare_load(
    dir: &Path,
    (threads, memory): (usize, usize),
    records: &[DocumentRecord],
    every: usize,
) -> Result<(), IndexError> {
    let mut b = Schema::builder();
    let body = b.add_text_field("body", TEXT);
    let index = Index::create_in_dir(dir, b.build())?;
    let mut writer = index.writer_with_num_threads(threads, memory)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for chunk in records.chunks(every) {
        for r in chunk {
            writer.add_document(doc!(body => r.full_text()))?;
        }
        writer.commit()?;
    }
    let ids = index.searchable_segment_ids()?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    Ok(())
}
