//! After a restore: clear what the live key store no longer has keys for.
//!
//! A backup taken before a purge still holds the destroyed documents' rows and blobs, but
//! sealed under keys the purge destroyed. Restoring it must not bring them back: those
//! documents are marked destroyed, their unreadable blobs deleted and their pages cleared,
//! and originals that were redacted after the backup (their old key destroyed) are dropped.

use super::{Archive, ArchiveError};

/// What [`Archive::clear_unkeyed`] removed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unkeyed {
    pub documents: usize,
    pub scans: usize,
    pub originals: usize,
    /// Quarantined scans destroyed since the backup.
    pub quarantined: usize,
    pub blobs: usize,
}

impl Archive {
    pub fn clear_unkeyed(&mut self, user: &str) -> Result<Unkeyed, ArchiveError> {
        let mut out = Unkeyed::default();
        for doc_id in self.catalog.documents_without_keys()? {
            let blobs = self.catalog.clear_unkeyed_document(&doc_id, user)?;
            out.blobs += self.remove_blobs(&blobs)?;
            out.documents += 1;
        }
        for scan in self.catalog.scans_without_keys()? {
            let blobs = self.catalog.clear_unkeyed_scan_pages(&scan, user)?;
            out.blobs += self.remove_blobs(&blobs)?;
            out.scans += 1;
        }
        // Quarantined scans destroyed since (their key is gone): no longer listed, planned
        // or counted.
        for rec in self.catalog.quarantined()? {
            let Some(sha) = rec.sha256 else { continue };
            if rec.blob.is_some() && !self.keys.exists(&super::quarantine_key_id(&sha))? {
                self.catalog.forget_quarantined(&sha, user)?;
                if let Some(b) = rec.blob {
                    out.blobs += self.remove_blobs(&[b])?;
                }
                let _ = std::fs::remove_dir_all(
                    self.root.join("quarantine").join(&sha[..sha.len().min(32)]),
                );
                out.quarantined += 1;
            }
        }
        let scans = self.catalog.scans()?.into_iter().filter_map(|s| s.sha256);
        for scan in scans {
            for (seq, _name, blob) in self.catalog.scan_file_rows(&scan)? {
                let Some(key) = self.store.key_of(&blob) else {
                    continue;
                };
                if !self.keys.exists(&key)? {
                    self.catalog.forget_unkeyed_original(&scan, seq, user)?;
                    out.blobs += self.remove_blobs(&[blob])?;
                    out.originals += 1;
                }
            }
        }
        Ok(out)
    }

    fn remove_blobs(&self, blobs: &[String]) -> Result<usize, ArchiveError> {
        let mut n = 0;
        for b in blobs {
            if self.store.remove(b)? {
                n += 1;
            }
        }
        Ok(n)
    }
}
