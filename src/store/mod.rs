//! Content-addressed blob store: originals, OCR words, page images.
//!
//! Input: bytes. Output: the SHA-256 (hex) of those bytes, which names the blob. Blobs are
//! zstd-framed at `store/<first two hex>/<hash>.zst`, written to a temp file, fsynced, then
//! renamed into place, so a crash leaves either the whole blob or none. Reading checks the
//! hash. Writing the same bytes twice is a no-op.

use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("blob store I/O error at {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("blob {0} is missing from the store")]
    Missing(String),
    #[error("blob {hash} is corrupt: {reason}")]
    Corrupt { hash: String, reason: String },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub struct BlobStore {
    pub(crate) root: PathBuf,
    zstd_level: i32,
}

impl BlobStore {
    pub fn open(root: &Path, zstd_level: i32) -> Result<BlobStore, StoreError> {
        fs::create_dir_all(root.join("tmp")).map_err(io_err(root))?;
        Ok(BlobStore {
            root: root.to_path_buf(),
            zstd_level,
        })
    }

    pub fn path_of(&self, hash: &str) -> PathBuf {
        let prefix = hash.get(..2).unwrap_or("xx");
        self.root.join(prefix).join(format!("{hash}.zst"))
    }

    pub fn contains(&self, hash: &str) -> bool {
        self.path_of(hash).exists()
    }

    /// Stores `bytes` and returns their SHA-256 hex.
    pub fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let hash = sha256_hex(bytes);
        let dest = self.path_of(&hash);
        if dest.exists() {
            return Ok(hash);
        }
        let compressed = zstd::bulk::compress(bytes, self.zstd_level).map_err(io_err(&dest))?;
        let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let tmp = self
            .root
            .join("tmp")
            .join(format!("{hash}.{}.tmp", std::process::id()));
        {
            let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
            f.write_all(&compressed).map_err(io_err(&tmp))?;
            f.sync_all().map_err(io_err(&tmp))?;
        }
        fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(hash)
    }

    /// Deletes a blob (a purge; the caller checked nothing live refers to it). Returns
    /// whether it existed. Idempotent.
    pub fn remove(&self, hash: &str) -> Result<bool, StoreError> {
        let path = self.path_of(hash);
        match fs::remove_file(&path) {
            Ok(()) => {
                if let Some(d) = path.parent().and_then(|d| File::open(d).ok()) {
                    let _ = d.sync_all();
                }
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Reads a blob and checks its hash.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path_of(hash);
        let compressed = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Missing(hash.to_string()))
            }
            Err(e) => return Err(io_err(&path)(e)),
        };
        let bytes = zstd::stream::decode_all(&compressed[..]).map_err(|e| StoreError::Corrupt {
            hash: hash.to_string(),
            reason: format!("zstd: {e}"),
        })?;
        let actual = sha256_hex(&bytes);
        if actual != hash {
            return Err(StoreError::Corrupt {
                hash: hash.to_string(),
                reason: format!("content hashes to {actual}"),
            });
        }
        Ok(bytes)
    }

    /// Removes temp files left by a crash.
    pub fn clean_temp(&self) {
        if let Ok(entries) = fs::read_dir(self.root.join("tmp")) {
            for e in entries.flatten() {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_roundtrip_and_corruption_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path(), 3).unwrap();
        let h = store.put(b"hello scan").unwrap();
        assert_eq!(h, sha256_hex(b"hello scan"));
        assert_eq!(store.put(b"hello scan").unwrap(), h);
        assert_eq!(store.get(&h).unwrap(), b"hello scan");
        let other = zstd::bulk::compress(b"tampered", 3).unwrap();
        std::fs::write(store.path_of(&h), other).unwrap();
        assert!(matches!(store.get(&h), Err(StoreError::Corrupt { .. })));
        assert!(matches!(
            store.get(&"0".repeat(64)),
            Err(StoreError::Missing(_))
        ));
    }
}
