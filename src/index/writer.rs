//! Opening the index, adding and deleting documents, committing.

use std::path::Path;

use tantivy::directory::MmapDirectory;
use tantivy::schema::Value;
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::schema::{build_schema, register_analyzer, IndexFields};
use super::{date_key, IndexError};
use crate::config::IndexConfig;
use crate::model::DocumentRecord;

pub struct ArchiveIndex {
    pub(crate) index: Index,
    pub(crate) fields: IndexFields,
    pub(crate) reader: IndexReader,
    pub(super) writer: Option<IndexWriter>,
    writer_memory_bytes: usize,
    pub(super) writer_threads: usize,
    /// The index was recreated at open (schema change): every document needs indexing.
    pub rebuilt: bool,
}

impl ArchiveIndex {
    pub fn open(dir: &Path, config: &IndexConfig) -> Result<ArchiveIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let (schema, fields) = build_schema();
        let mut rebuilt = false;
        let mmap = MmapDirectory::open(dir).map_err(|e| IndexError::Io {
            path: dir.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let index = match Index::open_or_create(mmap.clone(), schema.clone()) {
            Ok(i) => i,
            // An index written by an older build (different schema) is derived data: start
            // a new one; the archive re-indexes every document from the catalog.
            Err(tantivy::TantivyError::SchemaError(_)) => {
                clear_dir(dir)?;
                let mmap = MmapDirectory::open(dir).map_err(|e| IndexError::Io {
                    path: dir.display().to_string(),
                    source: std::io::Error::other(e.to_string()),
                })?;
                let index = Index::create(mmap, schema, tantivy::IndexSettings::default())?;
                rebuilt = true;
                index
            }
            Err(e) => return Err(e.into()),
        };
        register_analyzer(&index);
        let writer_threads = match config.writer_threads {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(4),
            n => n,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(ArchiveIndex {
            index,
            fields,
            reader,
            writer: None,
            writer_threads,
            // tantivy needs at least 15 MB per indexing thread.
            writer_memory_bytes: config.writer_memory_mb.max(16 * writer_threads) * 1024 * 1024,
            rebuilt,
        })
    }

    /// Indexing threads and their shared memory budget (bytes).
    pub fn writer_settings(&self) -> (usize, usize) {
        (self.writer_threads, self.writer_memory_bytes)
    }

    pub(super) fn writer(&mut self) -> Result<&mut IndexWriter, IndexError> {
        if self.writer.is_none() {
            let w = self
                .index
                .writer_with_num_threads(self.writer_threads, self.writer_memory_bytes)
                .map_err(|e| match e {
                    tantivy::TantivyError::LockFailure(..) => IndexError::Busy,
                    other => IndexError::Tantivy(other),
                })?;
            self.writer = Some(w);
        }
        // Just set above when absent.
        self.writer
            .as_mut()
            .ok_or_else(|| IndexError::Query("index writer unavailable".into()))
    }

    /// Sees what another handle (the web service's writer, another process) committed.
    pub fn refresh(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        Ok(())
    }

    /// The terms the index makes of `text` (lowercased, folded, stemmed): what a word on
    /// a page must equal to be a hit of a query.
    pub fn analyze(&self, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(super::TEXT_ANALYZER) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// Takes the index's single-writer lock now, so a second writer fails before doing any
    /// work rather than at its first commit.
    pub fn begin_writing(&mut self) -> Result<(), IndexError> {
        self.writer().map(|_| ())
    }

    /// Replaces (or adds) a document; takes effect at the next [`commit`](Self::commit).
    pub fn upsert(&mut self, record: &DocumentRecord) -> Result<(), IndexError> {
        let d = self.document(record);
        let id = Term::from_field_text(self.fields.doc_id, &record.doc_id);
        let w = self.writer()?;
        w.delete_term(id);
        w.add_document(d)?;
        Ok(())
    }

    /// Adds a document the caller knows is not in the index (a rebuild after
    /// [`delete_all`](Self::delete_all), a new synthetic scan). Skips the delete
    /// [`upsert`](Self::upsert) makes: tantivy applies every delete to every segment at
    /// each commit, which at 1M documents (over 200 segments in a bulk load) cost more than
    /// indexing the documents.
    pub fn add_new(&mut self, record: &DocumentRecord) -> Result<(), IndexError> {
        let d = self.document(record);
        self.writer()?.add_document(d)?;
        Ok(())
    }

    fn document(&self, record: &DocumentRecord) -> TantivyDocument {
        let f = self.fields;
        let text = record.full_text();
        let mut d = doc!(
            f.doc_id => record.doc_id.clone(),
            f.scan_sha256 => record.scan_sha256.clone(),
            f.source_path => record.source_path.clone(),
            f.doc_type => record.doc_type.as_str(),
            f.pages => serde_json::to_string(&record.page_numbers()).unwrap_or_default(),
            f.text_pairs => text.clone(),
            f.text => text,
        );
        if let Some(m) = &record.patient.mrn {
            d.add_text(f.mrn, m);
        }
        if let Some(n) = &record.patient.name {
            d.add_text(f.patient_name, n);
        }
        if let Some(dob) = &record.patient.dob {
            d.add_text(f.dob, dob);
        }
        if let Some(sd) = &record.service_date {
            d.add_text(f.service_date, sd);
            if let Ok(k) = date_key(sd) {
                d.add_i64(f.service_day, k);
            }
        }
        if let Some(r) = &record.retention {
            d.add_text(f.retention_class, &r.class);
            d.add_text(f.retention_status, r.status.as_str());
            if let Some(e) = r.eligible_on {
                if let Ok(k) = date_key(&e.to_string()) {
                    d.add_i64(f.eligible_day, k);
                }
            }
        }
        d
    }

    /// Removes a document (visible after the next commit; physically gone only after its
    /// segment is merged: see [`ArchiveIndex::merge_and_collect`]).
    pub fn delete_doc(&mut self, doc_id: &str) -> Result<(), IndexError> {
        let f = self.fields.doc_id;
        self.writer()?.delete_term(Term::from_field_text(f, doc_id));
        Ok(())
    }

    /// Merges every segment into one (dropping deleted documents' data) and deletes the
    /// files no longer used: after this, deleted text is physically gone from the index.
    /// Background merges started by earlier commits are let finish first (merging a segment
    /// they are merging fails), and none start while this runs.
    pub fn merge_and_collect(&mut self) -> Result<(), IndexError> {
        self.stop_background_merges()?;
        let ids = self.index.searchable_segment_ids()?;
        let needs_merge = ids.len() > 1 || self.pending_deletes() > 0;
        let w = self.writer()?;
        if needs_merge && !ids.is_empty() {
            w.merge(&ids).wait()?;
        }
        w.garbage_collect_files().wait()?;
        // The next writer gets the default merge policy again.
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Lets the background merges already running finish (a merge of our own must not
    /// race them) and starts none until the writer is dropped or its policy set again.
    /// Uncommitted changes are dropped with the old writer: commit first to keep them.
    pub(super) fn stop_background_merges(&mut self) -> Result<(), IndexError> {
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()?;
        }
        self.writer()?
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok(())
    }

    /// Segments searched (each query visits every one).
    pub fn segment_count(&self) -> Result<usize, IndexError> {
        Ok(self.index.searchable_segment_ids()?.len())
    }

    /// Documents with this id in the index (alive).
    pub fn count_doc(&self, doc_id: &str) -> Result<usize, IndexError> {
        let q = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.doc_id, doc_id),
            tantivy::schema::IndexRecordOption::Basic,
        );
        Ok(self
            .reader
            .searcher()
            .search(&q, &tantivy::collector::Count)?)
    }

    /// Deleted documents whose data still sits in a segment.
    pub fn pending_deletes(&self) -> u64 {
        self.reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|s| s.num_deleted_docs() as u64)
            .sum()
    }

    /// Files in the index folder that no live segment uses (left-over segment files).
    pub fn orphan_files(&self, dir: &Path) -> Result<Vec<String>, IndexError> {
        let mut used: std::collections::HashSet<std::path::PathBuf> = Default::default();
        for m in self.index.searchable_segment_metas()? {
            used.extend(m.list_files());
        }
        let mut out = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|source| IndexError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        for e in entries.flatten() {
            let name = e.file_name();
            let n = name.to_string_lossy();
            if n == "meta.json" || n == ".managed.json" || n.ends_with(".lock") {
                continue;
            }
            if !used.contains(std::path::Path::new(&*n)) {
                out.push(n.into_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    pub fn delete_all(&mut self) -> Result<(), IndexError> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Waits for background merges and releases the writer lock.
    pub fn close(&mut self) -> Result<(), IndexError> {
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()?;
        }
        Ok(())
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// All doc ids in the index (for catalog/index agreement checks).
    pub fn all_doc_ids(&self) -> Result<Vec<String>, IndexError> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for seg in searcher.segment_readers() {
            let store = seg
                .get_store_reader(64)
                .map_err(|e| IndexError::Tantivy(e.into()))?;
            for doc in seg.doc_ids_alive() {
                let d: TantivyDocument = store.get(doc)?;
                if let Some(id) = d.get_first(self.fields.doc_id).and_then(|v| v.as_str()) {
                    out.push(id.to_string());
                }
            }
        }
        Ok(out)
    }
}

fn clear_dir(dir: &Path) -> Result<(), IndexError> {
    let io = |source| IndexError::Io {
        path: dir.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let p = entry.map_err(io)?.path();
        if p.is_dir() {
            std::fs::remove_dir_all(&p).map_err(io)?;
        } else {
            std::fs::remove_file(&p).map_err(io)?;
        }
    }
    Ok(())
}
