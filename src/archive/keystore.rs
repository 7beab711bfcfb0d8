//! Which key store an archive uses. In order: `--keys` / `$CHARTVAULT_KEYS`; the path the
//! archive recorded in `keystore.path` when it was created (a restored archive keeps the
//! path of the live key store, which its backup named); else `<archive>.keys` beside the
//! archive folder. The key store is never inside the archive folder, so copying or backing
//! up the archive never copies the keys.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ArchiveError;
use crate::keys::KeyStore;

pub const POINTER: &str = "keystore.path";

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The key store folder for the archive at `root`.
pub fn locate(root: &Path, explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return absolute(p);
    }
    if let Ok(text) = std::fs::read_to_string(root.join(POINTER)) {
        let p = PathBuf::from(text.trim());
        if !p.as_os_str().is_empty() {
            return p;
        }
    }
    absolute(&crate::keys::default_dir(&absolute(root)))
}

/// Opens the archive's key store; creates one for a new archive, or for an archive made
/// before encryption (catalog schema older than 5).
pub fn open(
    root: &Path,
    explicit: Option<&Path>,
    new_archive: bool,
) -> Result<Arc<KeyStore>, ArchiveError> {
    let dir = locate(root, explicit);
    let root_abs = absolute(root);
    if dir.starts_with(&root_abs) {
        return Err(ArchiveError::Setup(format!(
            "the key store {} must not be inside the archive folder {} (backups of the \
             archive would carry the keys)",
            dir.display(),
            root_abs.display()
        )));
    }
    let legacy = !new_archive && !dir.join("keys.db").exists() && catalog_version(root) < 5;
    let keys = KeyStore::open(&dir, None, new_archive || legacy)?;
    let pointer = root.join(POINTER);
    if !pointer.exists() {
        std::fs::write(&pointer, format!("{}\n", dir.display())).map_err(|source| {
            ArchiveError::Create {
                path: pointer.display().to_string(),
                source,
            }
        })?;
    }
    Ok(Arc::new(keys))
}

fn catalog_version(root: &Path) -> i64 {
    rusqlite::Connection::open_with_flags(
        super::Archive::catalog_path(root),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .and_then(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
    .unwrap_or(0)
}
