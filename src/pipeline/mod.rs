//! The ingest pipeline: the only module that wires stages together.
//!
//! ```text
//! reader thread ──PageJob (bounded)──▶ N page workers (imaging + warm OCR engine)
//!      │                                      │
//!      └──────────── Event (bounded) ─────────┴──▶ committer (this thread):
//!                                                 split → store → catalog → index
//! ```
//! Input: PATH arguments. Output: [`IngestSummary`]. Each scan is committed on its own
//! (blobs, then one catalog transaction, then the index), so a crash loses at most the
//! scans in flight, which the next run redoes; content hashes make that idempotent.
//! Per-scan failures are quarantined and the run goes on; infrastructure failures (disk,
//! catalog, index, OCR engine start) stop the run with an error.

mod committer;
mod progress;
mod reader;
mod same_patient;
mod worker;

use std::path::PathBuf;
use std::time::Instant;

use crossbeam_channel::bounded;

use crate::archive::{Archive, ArchiveError};
use crate::config::PipelineConfig;
use crate::model::{PageImage, PageResult, ScanInput};

pub use progress::{Counters, Progress};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{0}")]
    Engine(String),
    #[error("a pipeline thread stopped unexpectedly")]
    ThreadPanicked,
}

/// Why a scan or one of its pages cannot be archived: the sentence shown to the user and
/// kept with the quarantined scan (it names the file and page, never patient data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

impl From<String> for Unreadable {
    fn from(reason: String) -> Unreadable {
        Unreadable(reason)
    }
}

impl IngestSummary {
    pub fn pages_per_sec(&self) -> f64 {
        if self.wall_secs > 0.0 {
            self.pages as f64 / self.wall_secs
        } else {
            0.0
        }
    }
}

pub(crate) struct PageJob {
    scan_idx: usize,
    page: PageImage,
}

pub(crate) enum Event {
    Start {
        scan_idx: usize,
        input: ScanInput,
        sha256: String,
        files: Vec<(String, Vec<u8>)>,
        num_pages: usize,
    },
    Duplicate,
    Failed {
        scan_idx: usize,
        input: ScanInput,
        sha256: Option<String>,
        reason: String,
        original: Option<Vec<u8>>,
    },
    Page {
        scan_idx: usize,
        result: Result<PageResult, Unreadable>,
    },
    Fatal(String),
}

pub use crate::archive::WriterAccess;
pub use crate::model::scan::{IngestSummary, Quarantined};

/// Ingests every scan under `paths` into the archive behind `writer`.
pub fn ingest(
    mut writer: impl WriterAccess,
    paths: &[PathBuf],
    config: &PipelineConfig,
    schedule: &crate::retention::Schedule,
    progress: &Progress,
) -> Result<IngestSummary, PipelineError> {
    let started = Instant::now();
    let (ctx, catalog_path, keys) = writer.with_writer(|archive| -> Result<_, PipelineError> {
        archive
            .index
            .begin_writing()
            .map_err(crate::archive::ArchiveError::from)?;
        archive.store.clean_temp();
        archive.sync_index()?;
        let ctx = committer::CommitContext {
            classifier: archive.classifier(config)?,
            review: config.review.clone(),
            schedule: schedule.clone(),
        };
        Ok((
            ctx,
            Archive::catalog_path(&archive.root),
            archive.keys.clone(),
        ))
    })?;
    let inputs = crate::ingest::discover(paths);
    progress.set_total(inputs.len() as u64);

    let (job_tx, job_rx) = bounded::<PageJob>(config.queues.decoded_pages);
    let (event_tx, event_rx) = bounded::<Event>(config.queues.page_results);
    let mut summary = IngestSummary::default();

    std::thread::scope(|scope| -> Result<(), PipelineError> {
        let reader_events = event_tx.clone();
        let reader_config = config.clone();
        scope.spawn(move || {
            reader::run(
                inputs,
                (&catalog_path, keys),
                &reader_config,
                job_tx,
                reader_events,
            )
        });
        for _ in 0..config.num_ocr_workers() {
            let jobs = job_rx.clone();
            let events = event_tx.clone();
            let cfg = config.clone();
            scope.spawn(move || worker::run(&cfg, jobs, events));
        }
        drop(job_rx);
        drop(event_tx);
        committer::run(&mut writer, &ctx, event_rx, progress, &mut summary)
    })?;

    summary.wall_secs = started.elapsed().as_secs_f64();
    progress.finish();
    Ok(summary)
}
