//! Archive self-check: every referenced blob decrypts and decodes to its hash; every live
//! document has its key; index and catalog agree
//! on the live documents; the audit log's chain holds.

use std::collections::HashSet;

use super::{Archive, ArchiveError};

#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub blobs: usize,
    pub documents: usize,
    pub indexed: usize,
    pub problems: Vec<String>,
}

impl Archive {
    pub fn verify(&self) -> Result<Verification, ArchiveError> {
        let mut v = Verification::default();
        let blobs = self.catalog.referenced_blobs()?;
        v.blobs = blobs.len();
        for (what, hash) in &blobs {
            if let Err(e) = self.store.get(hash) {
                v.problems.push(format!("{what}: {e}"));
            }
        }
        let catalog_ids: HashSet<String> = self.catalog.live_doc_ids()?.into_iter().collect();
        let unkeyed = self.catalog.documents_without_keys()?.len();
        if unkeyed > 0 {
            v.problems.push(format!(
                "{unkeyed} live documents have no key in the key store {} (wrong key store, or \
                 destroyed since a restored backup: run `chartvault restore` from the backup)",
                self.keys.path().display()
            ));
        }
        let index_ids = self.index.all_doc_ids()?;
        v.documents = catalog_ids.len();
        v.indexed = index_ids.len();
        let mut seen = HashSet::new();
        for id in &index_ids {
            if !seen.insert(id) {
                v.problems
                    .push(format!("document {id} is in the index twice"));
            }
            if !catalog_ids.contains(id) {
                v.problems.push(format!(
                    "document {id} is in the index but not in the catalog"
                ));
            }
        }
        let index_set: HashSet<&String> = index_ids.iter().collect();
        let missing = catalog_ids
            .iter()
            .filter(|id| !index_set.contains(id))
            .count();
        if missing > 0 {
            v.problems.push(format!(
                "{missing} documents are in the catalog but not in the index (run `chartvault reindex`)"
            ));
        }
        let audit = self.catalog.verify_audit(&[])?;
        v.problems.extend(
            audit
                .problems
                .into_iter()
                .map(|p| format!("audit log: {p}")),
        );
        Ok(v)
    }
}
