//! The operator's console work on the whole archive: export (the contract outside tools
//! read), the key store (status, a copy kept apart), and the bookkeeping after a restore.
//! Each audited.

use std::collections::HashMap;
use std::path::Path;

use super::{Actor, ServiceError};
use crate::access::Permission;
use crate::archive::{Archive, Unkeyed};
pub use crate::model::api::maintenance::KeyStoreStatus;
use crate::retention::Schedule;

/// Writes every scan, document and page as export lines (`schemas/export.schema.json`),
/// with retention as of `as_of`, to `emit` (audited as `export`). Returns the counts.
/// Why an export stopped: refused, or the export itself failed (a closed pipe included,
/// which the command line treats as the reader having had enough).
#[derive(Debug, thiserror::Error)]
pub enum ExportFailed {
    #[error(transparent)]
    Refused(#[from] ServiceError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
}

pub fn export(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    as_of: chrono::NaiveDate,
    emit: impl FnMut(String) -> std::io::Result<()>,
) -> Result<(usize, usize), ExportFailed> {
    actor.require(Permission::Admin)?;
    let decisions: HashMap<_, _> = archive
        .decisions(schedule, as_of, None)
        .map_err(ServiceError::from)?
        .into_iter()
        .collect();
    archive
        .catalog
        .audit(
            &actor.name,
            "export",
            "archive",
            serde_json::json!({"documents": decisions.len(), "as_of": as_of.to_string()}),
        )
        .map_err(ServiceError::from)?;
    Ok(crate::export::export_all(
        &archive.catalog,
        &decisions,
        emit,
    )?)
}

pub fn key_store_status(archive: &Archive, actor: &Actor) -> Result<KeyStoreStatus, ServiceError> {
    actor.require(Permission::Admin)?;
    let keys = archive.key_store();
    Ok(KeyStoreStatus {
        path: keys.path().to_path_buf(),
        master_file: keys.master_file().map(Path::to_path_buf),
        keys: keys
            .count()
            .map_err(|e| ServiceError::internal(e.to_string()))?,
    })
}

/// Copies the key store (and the master key file unless `without_master`) into `dest`,
/// which must lie outside the archive folder (audited as `keys_backup`). Returns the
/// number of keys copied and whether the master key went with them.
pub fn backup_key_store(
    archive: &mut Archive,
    actor: &Actor,
    dest: &Path,
    without_master: bool,
) -> Result<(u64, bool), ServiceError> {
    actor.require(Permission::Admin)?;
    let inside = std::path::absolute(dest)
        .and_then(|d| Ok(d.starts_with(std::path::absolute(&archive.root)?)))
        .map_err(|e| ServiceError::bad_request(format!("{}: {e}", dest.display())))?;
    if inside {
        return Err(ServiceError::bad_request(format!(
            "{} is inside the archive folder; a key copy must live apart from the archive",
            dest.display()
        )));
    }
    let keys = archive.key_store();
    let fail = |e: String| ServiceError::internal(e);
    keys.backup_to(dest).map_err(|e| fail(e.to_string()))?;
    let count = keys.count().map_err(|e| fail(e.to_string()))?;
    let mut copied_master = false;
    if let (Some(master), false) = (keys.master_file(), without_master) {
        copy_private(master, &dest.join("master.key"))?;
        copied_master = true;
    }
    archive.catalog.audit(
        &actor.name,
        "keys_backup",
        "key store",
        serde_json::json!({"dest": dest.display().to_string(), "keys": count,
                           "master_copied": copied_master}),
    )?;
    Ok((count, copied_master))
}

fn copy_private(src: &Path, dest: &Path) -> Result<(), ServiceError> {
    use std::io::Write;
    let bytes = std::fs::read(src).map_err(|e| {
        ServiceError::internal(format!("cannot read master key {}: {e}", src.display()))
    })?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let write = |f: &mut std::fs::File| f.write_all(&bytes).and_then(|_| f.sync_all());
    opts.open(dest)
        .and_then(|mut f| write(&mut f))
        .map_err(|e| ServiceError::internal(format!("cannot write {}: {e}", dest.display())))
}

/// After a backup was copied back into a new archive folder: documents destroyed since the
/// backup stay destroyed (their keys are gone), the index is rebuilt, and the restore is
/// audited. Returns the documents indexed and what was cleared.
pub fn finish_restore(
    archive: &mut Archive,
    actor: &Actor,
) -> Result<(usize, Unkeyed), ServiceError> {
    actor.require(Permission::Admin)?;
    let gone = archive.clear_unkeyed(&actor.name)?;
    archive.begin_writing()?;
    let n = archive.reindex()?;
    archive.catalog.audit(
        &actor.name,
        "restore",
        "archive",
        serde_json::json!({"documents": n, "destroyed_since_backup": gone.documents,
                           "quarantined_destroyed_since_backup": gone.quarantined,
                           "originals_redacted_since_backup": gone.originals}),
    )?;
    Ok((n, gone))
}
