//! Ingesting scans: `chartvault ingest` and the web service's ingest queue (uploads and the
//! watched folder, each accepted by `POST /api/v1/ingest` or the watcher) both run this.

use std::path::PathBuf;

use super::{Actor, ServiceError};
use crate::access::Permission;
use crate::config::PipelineConfig;
use crate::pipeline::{IngestSummary, Progress, WriterAccess};
use crate::retention::Schedule;

/// Reads every scan under `paths` into the archive behind `writer` (the writer is taken per
/// scan commit). A scan that cannot be read is quarantined and the run goes on; an error
/// is a failure of the archive itself (disk, catalog, OCR engine).
pub fn run(
    writer: impl WriterAccess,
    actor: &Actor,
    paths: &[PathBuf],
    config: &PipelineConfig,
    schedule: &Schedule,
    progress: &Progress,
) -> Result<IngestSummary, ServiceError> {
    actor.require(Permission::Ingest)?;
    crate::pipeline::ingest(writer, paths, config, schedule, progress).map_err(|e| match e {
        crate::pipeline::PipelineError::Archive(a) => ServiceError::from(a),
        other => ServiceError::internal(other.to_string()),
    })
}

/// Records an upload taken into the ingest queue as job `job` (audited as `upload`).
pub fn record_upload(
    archive: &mut crate::archive::Archive,
    actor: &Actor,
    job: &str,
    bytes: usize,
    kind: &str,
) -> Result<(), ServiceError> {
    actor.require(Permission::Ingest)?;
    archive.catalog.audit(
        &actor.name,
        "upload",
        &format!("job:{job}"),
        serde_json::json!({"bytes": bytes, "kind": kind}),
    )?;
    Ok(())
}
