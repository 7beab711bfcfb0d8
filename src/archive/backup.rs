//! Backups: a consistent snapshot of a live archive (catalog through SQLite's online backup
//! API, then the blobs that snapshot refers to; blobs are immutable and written before the
//! catalog commits that names them), the audit head, models and certificates. The search
//! index is not copied: restore rebuilds it from the catalog. Both ends are verified.

use std::path::Path;

use super::{Archive, ArchiveError};
use crate::catalog::Catalog;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BackupReport {
    pub blobs: usize,
    pub bytes: u64,
    pub documents: usize,
    pub problems: Vec<String>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Create {
        path: path.display().to_string(),
        source,
    }
}

fn require_empty(dir: &Path) -> Result<(), ArchiveError> {
    if dir.exists() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(ArchiveError::Setup(format!(
            "{} is not empty: back up into (or restore to) a new folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), ArchiveError> {
    if !from.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(to).map_err(io(to))?;
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).unwrap_or(e.path());
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).map_err(io(&dest))?;
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &dest).map_err(io(&dest))?;
        }
    }
    Ok(())
}

/// Copies the blobs a catalog refers to from `store_from` into `store_to`.
fn copy_blobs(
    catalog: &Catalog,
    from: &super::BlobStore,
    to_root: &Path,
) -> Result<BackupReport, ArchiveError> {
    let mut r = BackupReport::default();
    let mut seen = std::collections::HashSet::new();
    for (what, hash) in catalog.referenced_blobs()? {
        if !seen.insert(hash.clone()) {
            continue;
        }
        let src = from.path_of(&hash);
        let rel = src.strip_prefix(&from.root).unwrap_or(&src).to_path_buf();
        let dest = to_root.join(rel);
        if let Some(d) = dest.parent() {
            std::fs::create_dir_all(d).map_err(io(d))?;
        }
        match std::fs::copy(&src, &dest) {
            Ok(n) => {
                r.blobs += 1;
                r.bytes += n;
            }
            Err(e) => r
                .problems
                .push(format!("{what}: cannot copy blob {hash}: {e}")),
        }
    }
    Ok(r)
}

impl Archive {
    /// Writes a verified backup of this archive into the empty folder `dest`.
    pub fn backup(&mut self, dest: &Path) -> Result<BackupReport, ArchiveError> {
        require_empty(dest)?;
        let cat_dest = dest.join("catalog.db");
        self.catalog.backup_to(&cat_dest)?;
        let snapshot = Catalog::open(&cat_dest, self.keys.clone())?;
        let mut r = copy_blobs(&snapshot, &self.store, &dest.join("store"))?;
        r.documents = snapshot.live_doc_ids()?.len();
        for sub in ["models", "certificates"] {
            copy_dir(&self.root.join(sub), &dest.join(sub))?;
        }
        // Where the key store is (a path, not the keys), so a restore finds it.
        std::fs::write(
            dest.join(super::keystore::POINTER),
            format!(
                "{}\n",
                self.keys.path().parent().unwrap_or(Path::new("")).display()
            ),
        )
        .map_err(io(dest))?;
        // The audit checkpoints so far, then the head of the snapshot (not the live one,
        // which may have moved on) and a keyed checkpoint of it: a line in each backup.
        let live_checkpoints = self.root.join("audit.checkpoints");
        if live_checkpoints.exists() {
            std::fs::copy(&live_checkpoints, dest.join("audit.checkpoints")).map_err(io(dest))?;
        }
        if let Some(last) = snapshot.audit_entries(Some(1))?.pop() {
            snapshot.write_head(last.seq, &last.hash);
        }
        let checkpoint = snapshot.checkpoint_audit(None)?;
        drop(snapshot);
        // Verify the copy: every blob decodes to its hash.
        // Blobs are sealed: the copy is checked against the live key store, never copied.
        let copy = super::BlobStore::open(&dest.join("store"), 3, self.keys.clone())?;
        let snapshot = Catalog::open(&cat_dest, self.keys.clone())?;
        for (what, hash) in snapshot.referenced_blobs()? {
            if let Err(e) = copy.get(&hash) {
                r.problems.push(format!("backup copy of {what}: {e}"));
            }
        }
        std::fs::write(
            dest.join("BACKUP.json"),
            serde_json::to_string_pretty(&serde_json::json!({
                "created_at": chrono::Utc::now().to_rfc3339(),
                "source": self.root.display().to_string(),
                "blobs": r.blobs, "bytes": r.bytes, "documents": r.documents,
                "audit_checkpoint": checkpoint.trim(),
                "index": "not included; `chartvault restore` rebuilds it from the catalog",
                "keys": "not included: blobs, patient fields and page text are sealed under \
                         keys in the key store, which is kept and copied apart",
            }))
            .unwrap_or_default(),
        )
        .map_err(io(dest))?;
        let actor = self.catalog.actor().to_string();
        self.catalog.audit(
            &actor,
            "backup",
            "archive",
            serde_json::json!({"blobs": r.blobs, "documents": r.documents, "problems": r.problems.len()}),
        )?;
        Ok(r)
    }
}

/// Restores a backup folder into the empty archive folder `dest` (index rebuilt).
pub fn restore(src: &Path, dest: &Path) -> Result<(), ArchiveError> {
    if !src.join("catalog.db").exists() || !src.join("BACKUP.json").exists() {
        return Err(ArchiveError::Setup(format!(
            "{} is not a ChartVault backup (no BACKUP.json and catalog.db)",
            src.display()
        )));
    }
    require_empty(dest)?;
    std::fs::copy(src.join("catalog.db"), dest.join("catalog.db")).map_err(io(dest))?;
    for sub in ["store", "models", "certificates"] {
        copy_dir(&src.join(sub), &dest.join(sub))?;
    }
    for file in ["audit.head", "audit.checkpoints", super::keystore::POINTER] {
        if src.join(file).exists() {
            std::fs::copy(src.join(file), dest.join(file)).map_err(io(dest))?;
        }
    }
    Ok(())
}
