//! Records whose keys are gone: after restoring a backup taken before a purge, the backup
//! still holds rows and blobs of documents destroyed since, but their keys were destroyed in
//! the (live) key store, so their sealed fields cannot be read. These rows are cleared here
//! so that the restored archive does not list, index or offer what no longer exists.

use rusqlite::params;

use super::{Catalog, CatalogError};
use crate::keys::{doc_key_id, scan_key_id};

impl Catalog {
    /// Live documents (not marked destroyed) whose document key no longer exists.
    pub fn documents_without_keys(&self) -> Result<Vec<String>, CatalogError> {
        let ids = self.live_doc_ids()?;
        let mut out = Vec::new();
        for id in ids {
            if !self.keys.exists(&doc_key_id(&id))? {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Scans that still have sealed pages outside any document (separator sheets, blank
    /// backs) but whose scan key no longer exists.
    pub fn scans_without_keys(&self) -> Result<Vec<String>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT scan_sha256 FROM pages WHERE doc_id IS NULL
               AND (text IS NOT NULL OR words_blob IS NOT NULL OR image_blob IS NOT NULL)",
        )?;
        let scans: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for s in scans {
            if !self.keys.exists(&scan_key_id(&s))? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Clears a document whose key is gone, as purge did. When the key store recorded the
    /// document's tombstone at destruction, the tombstone is written here too (so `show`
    /// and `export` name the purge job and certificate); otherwise the document is only
    /// marked destroyed. Returns the blob hashes it referenced (unreadable ciphertext now)
    /// so the caller can delete the files.
    pub fn clear_unkeyed_document(
        &mut self,
        doc_id: &str,
        user: &str,
    ) -> Result<Vec<String>, CatalogError> {
        let note = self.keys.destruction_note(&doc_key_id(doc_id))?;
        if let Some(t) = note.and_then(|n| serde_json::from_str::<super::Tombstone>(&n).ok()) {
            if t.doc_id == doc_id {
                return self.record_destruction(&t, user, "restore_shredded");
            }
        }
        let tx = self.conn.transaction()?;
        let blobs = clear_document(&tx, doc_id, None)?;
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "restore_shredded",
            doc_id,
            &serde_json::json!({"blobs": blobs.len(), "tombstone": false}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(blobs)
    }

    /// Clears the sealed separator and blank pages of a scan whose key is gone (its key is
    /// destroyed only once none of its documents remain), as purge scrubs them.
    pub fn clear_unkeyed_scan_pages(
        &mut self,
        scan_sha256: &str,
        user: &str,
    ) -> Result<Vec<String>, CatalogError> {
        let blobs = self.scrub_scan_pages(scan_sha256)?;
        self.audit(
            user,
            "restore_shredded",
            scan_sha256,
            serde_json::json!({"scan_pages_blobs": blobs.len()}),
        )?;
        Ok(blobs)
    }

    /// Drops the record of an original file whose blob can no longer be decrypted (it was
    /// redacted or destroyed after the backup was taken).
    pub fn forget_unkeyed_original(
        &mut self,
        scan_sha256: &str,
        seq: u32,
        user: &str,
    ) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM scan_files WHERE scan_sha256 = ?1 AND seq = ?2",
            params![scan_sha256, seq],
        )?;
        let (audit_seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "restore_shredded",
            scan_sha256,
            &serde_json::json!({"original_file": seq}),
        )?;
        tx.commit()?;
        self.write_head(audit_seq, &hash);
        Ok(())
    }
}

/// Erases a document's patient fields and its pages' text, barcodes and blob references
/// (purge, and restore of what lost its key); `retention` is the JSON left in its place.
/// Returns the blobs its pages referred to.
pub(super) fn clear_document(
    tx: &rusqlite::Transaction,
    doc_id: &str,
    retention: Option<String>,
) -> Result<Vec<String>, CatalogError> {
    let blobs = page_blobs(tx, "doc_id = ?1", doc_id)?;
    // Hand corrections of patient fields hold (sealed) patient data too.
    tx.execute(
        "DELETE FROM doc_corrections WHERE doc_id = ?1 AND field LIKE 'patient.%'",
        [doc_id],
    )?;
    tx.execute(
        "UPDATE pages SET text = NULL, words_blob = NULL, image_blob = NULL,
           barcode = NULL, ocr_confidence = NULL WHERE doc_id = ?1",
        [doc_id],
    )?;
    tx.execute(
        "UPDATE documents SET mrn = NULL, mrn_tag = NULL, patient_name = NULL, dob = NULL,
           service_date = NULL, provenance = '[]', review_flags = '[]',
           retention_status = 'destroyed', eligible_on = NULL, indexed = 1, retention = ?2
         WHERE doc_id = ?1",
        params![doc_id, retention],
    )?;
    Ok(blobs)
}

/// The OCR-words and page-image blobs of the pages matching `condition` (one `?1`).
pub(super) fn page_blobs(
    tx: &rusqlite::Transaction,
    condition: &str,
    arg: &str,
) -> Result<Vec<String>, CatalogError> {
    let sql = format!("SELECT words_blob, image_blob FROM pages WHERE {condition}");
    let mut stmt = tx.prepare(&sql)?;
    let mut out = Vec::new();
    for r in stmt.query_map([arg], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
        ))
    })? {
        let (w, i) = r?;
        out.extend(w);
        out.extend(i);
    }
    Ok(out)
}
