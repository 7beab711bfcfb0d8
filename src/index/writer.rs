//! Opening the index, adding and deleting documents, committing.

use std::path::Path;

use tantivy::directory::MmapDirectory;
use tantivy::schema::Value;
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::schema::{build_schema, register_analyzer, IndexFields};
use super::{date_key, IndexError};
use crate::config::IndexConfig;
use crate::model::DocumentRecord;

/// Below this many documents written, a bulk load is merged into one segment.
const PARALLEL_MERGE_MIN_DOCS: u64 = 100_000;

/// Splits segments into `n` groups of about equal document counts (largest first, each to
/// the lightest group), keeping the groups' order stable.
fn balanced_groups<T: Copy>(segments: &[(T, u32)], n: usize) -> Vec<Vec<T>> {
    let n = n.max(1);
    let mut order: Vec<usize> = (0..segments.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(segments[i].1));
    let mut groups: Vec<(u64, Vec<T>)> = vec![(0, Vec::new()); n];
    for i in order {
        let lightest = (0..n).min_by_key(|&g| groups[g].0).unwrap_or(0);
        groups[lightest].0 += u64::from(segments[i].1);
        groups[lightest].1.push(segments[i].0);
    }
    groups
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| !g.is_empty())
        .collect()
}

/// Segments that existed when a bulk load began (see [`ArchiveIndex::begin_bulk_load`]).
pub struct BulkLoad {
    before: std::collections::HashSet<tantivy::index::SegmentId>,
}

pub struct ArchiveIndex {
    pub(crate) index: Index,
    pub(crate) fields: IndexFields,
    pub(crate) reader: IndexReader,
    writer: Option<IndexWriter>,
    writer_memory_bytes: usize,
    writer_threads: usize,
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

    fn writer(&mut self) -> Result<&mut IndexWriter, IndexError> {
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
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()?;
        }
        self.writer()?
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
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

    /// Starts a bulk load (many documents in one job): background merges stop, so the
    /// writer's threads only index; [`finish_bulk_load`](Self::finish_bulk_load) then merges
    /// what the job wrote in one pass. Merging as segments appear rewrites each document
    /// several times while the load runs (at 1M documents most of the indexing CPU).
    /// Changes not yet committed are committed first.
    pub fn begin_bulk_load(&mut self) -> Result<BulkLoad, IndexError> {
        if self.writer.is_some() {
            self.commit()?;
        }
        // Merges already running finish first (the final merge must not race them).
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()?;
        }
        let before = self.index.searchable_segment_ids()?.into_iter().collect();
        self.writer()?
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok(BulkLoad { before })
    }

    /// Ends a bulk load: commits, merges the segments written since
    /// [`begin_bulk_load`](Self::begin_bulk_load), deletes unused files and restores
    /// background merging. A large load is merged into one segment per writer thread, the
    /// merges running side by side (one merge is single-threaded: at 1M documents it took
    /// longer than the indexing). Returns the segments merged.
    pub fn finish_bulk_load(&mut self, load: BulkLoad) -> Result<usize, IndexError> {
        self.commit()?;
        let new: Vec<(tantivy::index::SegmentId, u32)> = self
            .index
            .searchable_segment_metas()?
            .into_iter()
            .filter(|m| !load.before.contains(&m.id()))
            .map(|m| (m.id(), m.num_docs()))
            .collect();
        let docs: u64 = new.iter().map(|(_, n)| u64::from(*n)).sum();
        let groups = if docs >= PARALLEL_MERGE_MIN_DOCS {
            self.writer_threads.max(1)
        } else {
            1
        };
        let w = self.writer()?;
        let merges: Vec<_> = balanced_groups(&new, groups)
            .into_iter()
            .filter(|g| g.len() > 1)
            .map(|g| w.merge(&g))
            .collect();
        for m in merges {
            m.wait()?;
        }
        w.garbage_collect_files().wait()?;
        w.set_merge_policy(Box::new(tantivy::indexer::LogMergePolicy::default()));
        self.reader.reload()?;
        Ok(new.len())
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

#[cfg(test)]
mod tests {
    use super::ArchiveIndex;
    use crate::model::{DocType, DocumentRecord, PageRecord, Patient};

    fn record(i: usize) -> DocumentRecord {
        DocumentRecord {
            doc_id: format!("d{i}"),
            scan_sha256: "s".into(),
            source_path: "p".into(),
            doc_type: DocType::ProgressNote,
            doc_type_confidence: 1.0,
            patient: Patient::default(),
            service_date: None,
            pages: vec![PageRecord {
                page_no: 1,
                rotation_deg: 0,
                skew_deg: 0.0,
                ocr_confidence: 90.0,
                text: format!("knee pain note {i}"),
                words_blob: None,
                image_blob: None,
            }],
            retention: None,
        }
    }

    #[test]
    fn segments_split_into_groups_of_about_equal_documents() {
        let segs = [('a', 50), ('b', 10), ('c', 40), ('d', 20), ('e', 30)];
        let groups = super::balanced_groups(&segs, 2);
        assert_eq!(groups.len(), 2);
        let weight = |g: &Vec<char>| -> u32 {
            g.iter()
                .map(|c| segs.iter().find(|s| s.0 == *c).unwrap().1)
                .sum()
        };
        let (a, b) = (weight(&groups[0]), weight(&groups[1]));
        assert_eq!(a + b, 150);
        assert!(a.abs_diff(b) <= 10, "{a} vs {b}");
        assert_eq!(
            super::balanced_groups(&segs, 1),
            [vec!['a', 'c', 'e', 'd', 'b']]
        );
        assert!(super::balanced_groups::<char>(&[], 2).is_empty());
    }

    #[test]
    fn a_bulk_load_merges_only_what_it_wrote_and_leaves_no_orphans() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::PipelineConfig::embedded().index;
        let mut index = ArchiveIndex::open(dir.path(), &config).unwrap();
        index.upsert(&record(0)).unwrap();
        index.commit().unwrap();
        let before = index.index.searchable_segment_ids().unwrap();
        assert_eq!(before.len(), 1);
        // Uncommitted work before the load is kept (the load commits it).
        index.upsert(&record(1)).unwrap();
        let load = index.begin_bulk_load().unwrap();
        for batch in 0..6 {
            for i in 0..5 {
                index.upsert(&record(2 + batch * 5 + i)).unwrap();
            }
            index.commit().unwrap();
        }
        // No merging while it runs: one segment per commit (one writer thread's worth).
        let during = index.segment_count().unwrap();
        assert!(during >= 7, "{during} segments");
        let merged = index.finish_bulk_load(load).unwrap();
        assert!(merged >= 6, "{merged} segments merged");
        let after = index.index.searchable_segment_ids().unwrap();
        // The first document's segment, the second's (committed as the load began), and
        // the merged one.
        assert_eq!(after.len(), 3, "{after:?}");
        assert!(
            after.contains(&before[0]),
            "segments older than the load untouched"
        );
        assert_eq!(index.num_docs(), 32);
        assert_eq!(index.count_doc("d1").unwrap(), 1);
        assert!(index.orphan_files(dir.path()).unwrap().is_empty());
    }
}
