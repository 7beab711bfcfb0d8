//! The archive folder: catalog (source of truth), blob store, search index, quarantine.
//!
//! ```text
//! archive/
//!   catalog.db    SQLite: scans, pages, documents, events
//!   store/        content-addressed zstd blobs
//!   index/        tantivy (derived; `reindex` rebuilds it)
//!   quarantine/   scans that failed, each with reason.json
//!   models/       document-type model versions trained into this archive
//!   keystore.path where the key store is (it lives outside this folder: [`keystore`])
//! ```
//! Failure policy: opening a folder that is not an archive (and `create` is false) is an
//! error telling the user to ingest first.

mod backup;
pub mod keystore;
mod models;
mod reconcile;
mod regroup;
mod retention;
mod rotate;
mod verify;

pub use backup::{restore, BackupReport};
pub use reconcile::Unkeyed;
pub use regroup::{Regroup, Regrouped};
pub use retention::{NextEligible, ReportRow, RetentionReport};
pub use rotate::{PageTurned, TurnedReading};
pub use verify::Verification;

use std::path::{Path, PathBuf};

use crate::catalog::{Catalog, CatalogError};
use crate::config::PipelineConfig;
use crate::index::{ArchiveIndex, IndexError};
use crate::model::DocumentRecord;
pub use crate::store::BlobStore;
use crate::store::{sha256_hex, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("no archive at {0} (run `chartvault ingest` to create one, or pass --archive)")]
    Missing(String),
    #[error("cannot create archive folder {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Keys(#[from] crate::keys::KeyError),
    #[error("{0}")]
    Setup(String),
    #[error("document-type model: {0}")]
    Model(String),
    /// The request conflicts with the record's state (a hold, a release, a purge job).
    #[error("{0}")]
    Refused(String),
    /// The search index is being rebuilt, or a rebuild was interrupted: a search would
    /// miss documents, so it is refused rather than answered "0 documents match".
    #[error("the search index is incomplete: a rebuild is running or was interrupted; wait for it, or run `chartvault reindex`")]
    IndexIncomplete,
    #[error("cannot write quarantine record {path}: {source}")]
    Quarantine {
        path: String,
        source: std::io::Error,
    },
}

/// How a long operation reaches the archive writer. The CLI owns its archive for the whole
/// run (`&mut Archive`); the web service shares one writer with holds, QA fixes and purge
/// steps (`&Mutex<Archive>`), so a long operation takes it only for short sections: an
/// ingest for its setup and each scan's commit, the retention sweep for each of its steps.
pub trait WriterAccess {
    fn with_writer<R>(&mut self, f: impl FnOnce(&mut Archive) -> R) -> R;
}

impl WriterAccess for &mut Archive {
    fn with_writer<R>(&mut self, f: impl FnOnce(&mut Archive) -> R) -> R {
        f(self)
    }
}

impl WriterAccess for &std::sync::Mutex<Archive> {
    fn with_writer<R>(&mut self, f: impl FnOnce(&mut Archive) -> R) -> R {
        let mut archive = self.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut archive)
    }
}

/// Present in the archive folder while the search index is being rebuilt from the catalog.
pub const REBUILD_MARKER: &str = "index.rebuilding";

/// Whether documents being indexed may already be in the index.
#[derive(Clone, Copy)]
enum Placement {
    Replace,
    New,
}

/// Its parts are the crate's, not the front doors': `cli/` and `web/` reach the archive
/// only through `service/` (and the lifecycle methods here); `tests/architecture.rs`
/// checks it.
pub struct Archive {
    pub(crate) root: PathBuf,
    /// Per-document keys (crypto-shredding), kept outside the archive folder.
    pub(crate) keys: std::sync::Arc<crate::keys::KeyStore>,
    pub(crate) catalog: Catalog,
    pub(crate) store: BlobStore,
    pub(crate) index: ArchiveIndex,
    /// Documents indexed between commits when indexing many at once.
    commit_every: usize,
}

impl Archive {
    pub fn catalog_path(root: &Path) -> PathBuf {
        root.join("catalog.db")
    }

    /// Opens the archive at `root` with its key store ([`keystore::locate`]; `keys` is
    /// `--keys`).
    pub fn open(
        root: &Path,
        keys: Option<&Path>,
        config: &PipelineConfig,
        create: bool,
    ) -> Result<Archive, ArchiveError> {
        let catalog_path = Self::catalog_path(root);
        let new_archive = !catalog_path.exists();
        if new_archive {
            if !create {
                return Err(ArchiveError::Missing(root.display().to_string()));
            }
            std::fs::create_dir_all(root).map_err(|source| ArchiveError::Create {
                path: root.display().to_string(),
                source,
            })?;
        }
        let keys = keystore::open(root, keys, new_archive)?;
        let catalog = Catalog::open(&catalog_path, keys.clone())?;
        let store = BlobStore::open(&root.join("store"), config.store.zstd_level, keys.clone())?;
        let index = ArchiveIndex::open(&root.join("index"), &config.index)?;
        let mut catalog = catalog;
        if index.rebuilt {
            catalog.mark_all_unindexed()?;
        }
        let mut archive = Archive {
            root: root.to_path_buf(),
            keys,
            catalog,
            store,
            index,
            commit_every: config.index.commit_every_documents,
        };
        if archive.index.rebuilt {
            // A new, empty index: every catalog document is added, none replaced.
            eprintln!(
                "the search index was written by another version of ChartVault: \
                 rebuilding it from the catalog"
            );
            archive.index.begin_writing()?;
            let ids = archive.catalog.unindexed_doc_ids()?;
            archive.index_documents_as(&ids, Placement::New)?;
        }
        Ok(archive)
    }

    /// Adds to the index every catalog document it has not committed yet (after a crash
    /// between the catalog commit and the index commit). Returns how many.
    pub fn sync_index(&mut self) -> Result<usize, ArchiveError> {
        let ids = self.catalog.unindexed_doc_ids()?;
        self.index_documents(&ids)?;
        Ok(ids.len())
    }

    /// Rebuilds the index from the catalog. Returns the number of documents indexed.
    pub fn reindex(&mut self) -> Result<usize, ArchiveError> {
        // The marker is on disk (synced) before the index is emptied, and goes only when
        // every document is back: a rebuild killed half-way leaves it, and searches say so.
        // The writer first: a rebuild that cannot write (a server holds the index) stops
        // here and leaves no marker behind.
        self.index.begin_writing()?;
        let marker = self.root.join(REBUILD_MARKER);
        let io = |e: std::io::Error| {
            ArchiveError::Setup(format!("cannot write {}: {e}", marker.display()))
        };
        std::fs::File::create(&marker)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        self.index.delete_all()?;
        self.index.commit()?;
        crate::clock::failpoint("reindex_emptied", 1);
        self.catalog.mark_all_unindexed()?;
        let ids = self.catalog.unindexed_doc_ids()?;
        // The index is empty and catalog ids are unique: nothing to replace.
        self.index_documents_as(&ids, Placement::New)?;
        std::fs::remove_file(&marker).map_err(io)?;
        Ok(ids.len())
    }

    /// Opens the index writer (once per process that changes the archive).
    pub fn begin_writing(&mut self) -> Result<(), ArchiveError> {
        Ok(self.index.begin_writing()?)
    }

    /// Commits and closes the index writer (at the end of a command).
    pub fn close_index(&mut self) -> Result<(), ArchiveError> {
        Ok(self.index.close()?)
    }

    /// Moves this handle's index reader to the latest commit.
    pub fn refresh_index(&self) -> Result<(), ArchiveError> {
        Ok(self.index.refresh()?)
    }

    /// Merges the index into one segment and collects superseded files.
    pub fn merge_index(&mut self) -> Result<(), ArchiveError> {
        Ok(self.index.merge_and_collect()?)
    }

    /// Documents in the index and its searchable segments (for benchmarks).
    pub fn index_size(&self) -> Result<(u64, usize), ArchiveError> {
        Ok((self.index.num_docs(), self.index.segment_count()?))
    }

    /// Who the catalog names on entries it writes without a user (the process).
    pub fn set_actor(&mut self, name: &str) {
        self.catalog.set_actor(name);
    }

    /// The key store (its folder, master key location and key count).
    pub fn key_store(&self) -> &crate::keys::KeyStore {
        &self.keys
    }

    /// Refuses a search the index cannot answer completely (a rebuild running or
    /// interrupted) instead of letting it answer "0 documents match".
    pub fn search_ready(&self) -> Result<(), ArchiveError> {
        if self.root.join(REBUILD_MARKER).exists() {
            return Err(ArchiveError::IndexIncomplete);
        }
        Ok(())
    }

    /// Indexes documents just committed, from the records the caller built (no read back
    /// and decrypt). Test builds check each record against the catalog: a record that
    /// differs from what the catalog holds is a bug, and stops the test.
    pub fn index_records(&mut self, records: &[DocumentRecord]) -> Result<(), ArchiveError> {
        if records.is_empty() {
            return Ok(());
        }
        #[cfg(feature = "test-hooks")]
        for r in records {
            let stored = self.catalog.document(&r.doc_id)?;
            assert_eq!(
                stored.as_ref(),
                Some(r),
                "document {} indexed from memory differs from the catalog",
                r.doc_id
            );
        }
        for r in records {
            self.index.upsert(r)?;
        }
        self.index.commit()?;
        let ids: Vec<String> = records.iter().map(|r| r.doc_id.clone()).collect();
        self.catalog.mark_indexed(&ids, true)?;
        Ok(())
    }

    /// Indexes catalog documents, replacing any copy already in the index.
    pub fn index_documents(&mut self, ids: &[String]) -> Result<(), ArchiveError> {
        self.index_documents_as(ids, Placement::Replace)
    }

    fn index_documents_as(&mut self, ids: &[String], how: Placement) -> Result<(), ArchiveError> {
        if ids.is_empty() {
            return Ok(());
        }
        let every = self.commit_every.max(1);
        // A job of several commits is a bulk load: no merging while it runs, one merge of
        // what it wrote at the end (see `ArchiveIndex::begin_bulk_load`).
        let bulk = if ids.len() > every {
            Some(self.index.begin_bulk_load()?)
        } else {
            None
        };
        // Counts only on the terminal: a long rebuild shows it is moving.
        if bulk.is_some() {
            eprintln!("indexing {} documents from the catalog...", ids.len());
        }
        let mut done = 0;
        for chunk in ids.chunks(every) {
            for id in chunk {
                if let Some(record) = self.catalog.document(id)? {
                    match how {
                        Placement::Replace => self.index.upsert(&record)?,
                        Placement::New => self.index.add_new(&record)?,
                    }
                }
            }
            self.index.commit()?;
            self.catalog.mark_indexed(chunk, true)?;
            done += chunk.len();
            if bulk.is_some() {
                eprintln!("  indexed {done} of {}", ids.len());
            }
        }
        if let Some(load) = bulk {
            eprintln!("  merging the index...");
            self.index.finish_bulk_load(load)?;
            eprintln!("  done");
        }
        Ok(())
    }

    /// Writes `quarantine/<key>/reason.json` (and a copy of the original when readable).
    pub fn write_quarantine(
        &self,
        sha256: Option<&str>,
        source_path: &str,
        reason: &str,
        original: Option<&[u8]>,
    ) -> Result<Option<String>, ArchiveError> {
        // The folder name never comes from the (possibly hostile) file name.
        let key = sha256
            .map(str::to_string)
            .unwrap_or_else(|| sha256_hex(source_path.as_bytes()));
        let dir = self.root.join("quarantine").join(&key[..key.len().min(32)]);
        let qerr = |source| ArchiveError::Quarantine {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(qerr)?;
        // The original is sealed into the store like an archived scan (under its own key,
        // `q:<sha256>`), so backups carry it and destroying the key purges it; no
        // plaintext copy is left in the quarantine folder.
        let blob = match (original, sha256) {
            (Some(bytes), Some(h)) => {
                let key_id = quarantine_key_id(h);
                self.keys.ensure(std::slice::from_ref(&key_id))?;
                Some(self.store.put(bytes, &key_id)?)
            }
            _ => None,
        };
        let record = serde_json::json!({
            "source_path": source_path,
            "sha256": sha256,
            "reason": reason,
            "quarantined_at": chrono::Utc::now().to_rfc3339(),
            "original": blob.as_ref().map(|b| format!("sealed in the archive store as blob {b}; \
                `chartvault quarantine export` gives it back")),
        });
        let text = serde_json::to_string_pretty(&record).unwrap_or_default();
        std::fs::write(dir.join("reason.json"), text).map_err(|source| {
            ArchiveError::Quarantine {
                path: dir.display().to_string(),
                source,
            }
        })?;
        // A plaintext copy an older version left here goes once the sealed one exists.
        if blob.is_some() {
            let _ = std::fs::remove_file(dir.join("original"));
        }
        Ok(blob)
    }
}

/// The key a quarantined scan's original is sealed under.
pub fn quarantine_key_id(sha256: &str) -> String {
    format!("q:{sha256}")
}
