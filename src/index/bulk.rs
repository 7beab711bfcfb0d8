//! Bulk loads: many documents indexed in one job (`reindex`, the rebuild at open, synthetic
//! archives) without background merges, then the segments the job wrote merged at the end.

use super::writer::ArchiveIndex;
use super::IndexError;

/// Below this many documents written, a bulk load is merged into one segment.
const PARALLEL_MERGE_MIN_DOCS: u64 = 100_000;

/// Splits segments into at most `n` non-empty groups of about equal document counts (the
/// largest segment first, each to the group with the fewest documents so far).
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

impl ArchiveIndex {
    /// Starts a bulk load (many documents in one job): background merges stop, so the
    /// writer's threads only index; [`finish_bulk_load`](Self::finish_bulk_load) then merges
    /// what the job wrote, one merge per writer thread. (Merging as segments appear rewrites
    /// each document several times while the load runs.) Changes not yet committed are
    /// committed first.
    pub fn begin_bulk_load(&mut self) -> Result<BulkLoad, IndexError> {
        if self.writer.is_some() {
            self.commit()?;
        }
        self.stop_background_merges()?;
        let before = self.index.searchable_segment_ids()?.into_iter().collect();
        Ok(BulkLoad { before })
    }

    /// Ends a bulk load: commits, merges the segments written since
    /// [`begin_bulk_load`](Self::begin_bulk_load), deletes unused files and restores
    /// background merging. A large load is merged into one segment per writer thread, the
    /// merges running side by side (a merge runs on one thread: at 1M documents one merge
    /// of the load took 150 s, two side by side 61 s). Returns the segments merged.
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
}

#[cfg(test)]
mod tests {
    use super::ArchiveIndex;
    use crate::model::DocumentRecord;

    fn record(i: usize) -> DocumentRecord {
        crate::index::test_record(&format!("d{i}"), &format!("knee pain note {i}"))
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
