//! Content-addressed blob store: originals, OCR words, page images, all encrypted.
//!
//! Input: bytes and the id of the key they are sealed under. Output: the SHA-256 (hex) of
//! the stored file, which names the blob. A blob file is `CVB1`, the key id (length-prefixed,
//! in the clear) and the zstd-compressed bytes sealed with ChaCha20-Poly1305 under that key
//! ([`crate::keys`]); it lives at `store/<first two hex>/<hash>.zst`, written to a temp file,
//! fsynced, then renamed into place, so a crash leaves either the whole blob or none.
//! Reading checks the hash and the seal. Once its key is destroyed a blob cannot be read
//! by anyone, wherever a copy of it went. Blobs written before encryption (plain zstd,
//! named by the hash of their content) are still read.

use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::keys::{KeyError, KeyStore};

const MAGIC: &[u8; 4] = b"CVB1";

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
    #[error("blob {hash} cannot be read: its key {key} was destroyed (crypto-shredded)")]
    Shredded { hash: String, key: String },
    #[error(transparent)]
    Keys(#[from] KeyError),
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
    keys: Arc<KeyStore>,
}

impl BlobStore {
    pub fn open(
        root: &Path,
        zstd_level: i32,
        keys: Arc<KeyStore>,
    ) -> Result<BlobStore, StoreError> {
        fs::create_dir_all(root.join("tmp")).map_err(io_err(root))?;
        Ok(BlobStore {
            root: root.to_path_buf(),
            zstd_level,
            keys,
        })
    }

    pub fn keys(&self) -> &Arc<KeyStore> {
        &self.keys
    }

    pub fn path_of(&self, hash: &str) -> PathBuf {
        let prefix = hash.get(..2).unwrap_or("xx");
        self.root.join(prefix).join(format!("{hash}.zst"))
    }

    pub fn contains(&self, hash: &str) -> bool {
        self.path_of(hash).exists()
    }

    /// Stores `bytes` sealed under key `key_id` (which must exist) and returns the blob's
    /// name.
    pub fn put(&self, bytes: &[u8], key_id: &str) -> Result<String, StoreError> {
        let key = self.keys.get(key_id)?;
        let compressed =
            zstd::bulk::compress(bytes, self.zstd_level).map_err(io_err(&self.root))?;
        let sealed = crate::keys::seal(&key, key_id.as_bytes(), &compressed);
        let mut file = Vec::with_capacity(sealed.len() + key_id.len() + 6);
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&(key_id.len() as u16).to_le_bytes());
        file.extend_from_slice(key_id.as_bytes());
        file.extend_from_slice(&sealed);
        let hash = sha256_hex(&file);
        let dest = self.path_of(&hash);
        if dest.exists() {
            return Ok(hash);
        }
        let compressed = file;
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

    /// The id of the key a stored blob is sealed under (`None` for a blob stored before
    /// encryption, or a missing one).
    pub fn key_of(&self, hash: &str) -> Option<String> {
        // Only the header: originals can be large.
        use std::io::Read;
        let mut head = Vec::with_capacity(MAX_HEADER);
        File::open(self.path_of(hash))
            .ok()?
            .take(MAX_HEADER as u64)
            .read_to_end(&mut head)
            .ok()?;
        split_sealed(&head).map(|(k, _)| k.to_string())
    }

    /// Deletes a blob (a purge; the caller checked nothing live refers to it). A blob with
    /// a key of its own (a scan original) has that key destroyed first, so copies of the
    /// blob in backups become unreadable too. Returns whether it existed. Idempotent.
    pub fn remove(&self, hash: &str) -> Result<bool, StoreError> {
        let path = self.path_of(hash);
        if let Some(key) = self.key_of(hash).filter(|k| k.starts_with("blob:")) {
            self.keys.destroy(&[key], None)?;
        }
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
        let corrupt = |reason: String| StoreError::Corrupt {
            hash: hash.to_string(),
            reason,
        };
        if let Some((key_id, sealed)) = split_sealed(&compressed) {
            let actual = sha256_hex(&compressed);
            if actual != hash {
                return Err(corrupt(format!("file hashes to {actual}")));
            }
            let key = match self.keys.get(key_id) {
                Ok(k) => k,
                Err(KeyError::Shredded(key)) => {
                    return Err(StoreError::Shredded {
                        hash: hash.to_string(),
                        key,
                    })
                }
                Err(e) => return Err(e.into()),
            };
            let plain = crate::keys::open_sealed(&key, key_id.as_bytes(), sealed)
                .ok_or_else(|| corrupt("does not decrypt: altered or wrong key".into()))?;
            return zstd::stream::decode_all(&plain[..]).map_err(|e| corrupt(format!("zstd: {e}")));
        }
        let bytes =
            zstd::stream::decode_all(&compressed[..]).map_err(|e| corrupt(format!("zstd: {e}")))?;
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

/// `(key id, sealed bytes)` of an encrypted blob file.
/// Magic, key-id length and the longest key id fit in this.
const MAX_HEADER: usize = MAGIC.len() + 2 + u16::MAX as usize;

fn split_sealed(file: &[u8]) -> Option<(&str, &[u8])> {
    let rest = file.strip_prefix(MAGIC)?;
    let len = u16::from_le_bytes(rest.get(..2)?.try_into().ok()?) as usize;
    let key = std::str::from_utf8(rest.get(2..2 + len)?).ok()?;
    Some((key, rest.get(2 + len..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_roundtrip_corruption_and_shredding() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Arc::new(KeyStore::open(&dir.path().join("keys"), None, true).unwrap());
        let store = BlobStore::open(&dir.path().join("store"), 3, keys.clone()).unwrap();
        let doc = crate::keys::doc_key_id("d1");
        keys.ensure(std::slice::from_ref(&doc)).unwrap();
        let h = store.put(b"hello scan hello scan", &doc).unwrap();
        let raw = std::fs::read(store.path_of(&h)).unwrap();
        assert!(!raw.windows(5).any(|w| w == b"hello"), "stored encrypted");
        assert_eq!(store.get(&h).unwrap(), b"hello scan hello scan");
        assert_eq!(store.key_of(&h).as_deref(), Some(doc.as_str()));
        // A flipped byte is caught.
        let mut bad = raw.clone();
        *bad.last_mut().unwrap() ^= 1;
        std::fs::write(store.path_of(&h), &bad).unwrap();
        assert!(matches!(store.get(&h), Err(StoreError::Corrupt { .. })));
        std::fs::write(store.path_of(&h), &raw).unwrap();
        // Destroying the key makes the blob (and any copy of it) unreadable.
        keys.destroy(std::slice::from_ref(&doc), None).unwrap();
        assert!(matches!(store.get(&h), Err(StoreError::Shredded { .. })));
        // A blob with a key of its own loses the key when removed.
        let own = keys.new_blob_key().unwrap();
        let o = store.put(b"original", &own).unwrap();
        assert!(store.remove(&o).unwrap());
        assert!(!keys.exists(&own).unwrap());
        assert!(matches!(
            store.get(&"0".repeat(64)),
            Err(StoreError::Missing(_))
        ));
    }
}
