//! Purge jobs, approvals, per-document destruction, tombstones and certificates in the
//! catalog. Destroying a document is one transaction: its PHI fields and page text are
//! erased, a tombstone is chained onto the destruction log, the job item is marked; the
//! blobs it freed are listed on the item so a resumed run deletes them.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{now, Catalog, CatalogError};
pub use crate::model::retention::{JobRow, ManifestEntry, Tombstone};

/// What a new purge job records.
pub struct NewPurgeJob<'a> {
    pub id: &'a str,
    /// `planned`, or `forecast` for a plan as of a date after today.
    pub state: &'a str,
    pub as_of: &'a str,
    pub user: &'a str,
    pub schedule_label: &'a str,
    pub schedule_hash: &'a str,
    pub manifest: &'a [ManifestEntry],
    pub excluded: &'a serde_json::Value,
    pub required_approvals: u32,
    pub approvals_expire: &'a str,
}

/// One item of a job: a document and what execution did with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurgeItem {
    pub doc_id: String,
    /// `pending`, `destroyed` or `skipped`.
    pub state: String,
    /// Why a skipped document was left alone.
    pub reason: Option<String>,
}

pub fn purge_sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn chain(prev: &str, body: &str) -> String {
    purge_sha256(&format!("{prev}\n{body}"))
}

impl Catalog {
    /// Content hash of a live document: its page texts and blob ids.
    pub fn content_hash(&self, doc_id: &str) -> Result<String, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT COALESCE(text, ''), COALESCE(words_blob, ''), COALESCE(image_blob, '')
             FROM pages WHERE doc_id = ?1 ORDER BY page_no",
        )?;
        let mut h = Sha256::new();
        for r in stmt.query_map([doc_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (t, w, i) = r?;
            for part in [t, w, i] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        Ok(hex::encode(h.finalize()))
    }

    pub fn create_purge_job(&mut self, job: &NewPurgeJob) -> Result<String, CatalogError> {
        let manifest_json = serde_json::to_string(job.manifest).unwrap_or_default();
        let manifest_hash = purge_sha256(&manifest_json);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO purge_jobs(id, state, as_of, created_by, created_at, schedule_label,
               schedule_hash, manifest, manifest_hash, excluded, required_approvals,
               approvals_expire)
             VALUES (?1, ?12, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                job.id,
                job.as_of,
                job.user,
                now(),
                job.schedule_label,
                job.schedule_hash,
                manifest_json,
                manifest_hash,
                job.excluded.to_string(),
                job.required_approvals,
                job.approvals_expire,
                job.state,
            ],
        )?;
        for e in job.manifest {
            tx.execute(
                "INSERT INTO purge_items(job_id, doc_id, state, patient_slot) VALUES (?1, ?2, 'pending', ?3)",
                params![job.id, e.doc_id, e.patient_slot],
            )?;
        }
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            job.user,
            "purge_plan",
            job.id,
            &serde_json::json!({"documents": job.manifest.len(), "manifest_hash": manifest_hash,
                                "as_of": job.as_of, "excluded": job.excluded,
                                "state": job.state, "required_approvals": job.required_approvals}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(manifest_hash)
    }

    /// A job's items with what execution did to each (destroyed, skipped and why, pending).
    pub fn purge_item_states(&self, id: &str) -> Result<Vec<PurgeItem>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT doc_id, state, reason FROM purge_items WHERE job_id = ?1 ORDER BY doc_id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(PurgeItem {
                doc_id: r.get(0)?,
                state: r.get(1)?,
                reason: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn purge_job(&self, id: &str) -> Result<Option<JobRow>, CatalogError> {
        Ok(self
            .purge_jobs_where("WHERE id = ?1", &[&id])?
            .into_iter()
            .next())
    }

    pub fn purge_jobs(&self) -> Result<Vec<JobRow>, CatalogError> {
        self.purge_jobs_where("", &[])
    }

    fn purge_jobs_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<JobRow>, CatalogError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, state, as_of, created_by, created_at, schedule_label, schedule_hash,
                    manifest, manifest_hash, excluded, required_approvals, approvals_expire,
                    executed_by, started_at, finished_at, verification, certificate_id
             FROM purge_jobs {filter} ORDER BY created_at, id"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let manifest_json: String = r.get(7)?;
            let job: String = r.get(0)?;
            let what = |c: &str| format!("purge job {job} {c}");
            Ok(JobRow {
                id: r.get(0)?,
                state: r.get(1)?,
                as_of: r.get(2)?,
                created_by: r.get(3)?,
                created_at: r.get(4)?,
                schedule_label: r.get(5)?,
                schedule_hash: r.get(6)?,
                manifest: super::json::parse(&manifest_json, &what("manifest"))
                    .map_err(|e| super::json::conversion(7, e))?,
                manifest_json,
                manifest_hash: r.get(8)?,
                excluded: super::json::column(r, 9, &what("excluded list"))?,
                required_approvals: r.get(10)?,
                approvals_expire: r.get(11)?,
                executed_by: r.get(12)?,
                started_at: r.get(13)?,
                finished_at: r.get(14)?,
                verification: super::json::column_opt(r, 15, &what("verification"))?,
                certificate_id: r.get(16)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// (user, manifest hash, at) of a job's approvals.
    pub fn purge_approvals(&self, id: &str) -> Result<Vec<(String, String, String)>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT user, manifest_hash, at FROM purge_approvals WHERE job_id = ?1 ORDER BY at",
        )?;
        let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Records an approval bound to `manifest_hash`; the job becomes `approved` when it
    /// has enough. Returns the number of approvals.
    pub fn approve_purge(
        &mut self,
        id: &str,
        user: &str,
        manifest_hash: &str,
        required: u32,
    ) -> Result<usize, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO purge_approvals(job_id, user, manifest_hash, at) VALUES (?1, ?2, ?3, ?4)",
            params![id, user, manifest_hash, now()],
        )?;
        let n: i64 = tx.query_row(
            "SELECT COUNT(*) FROM purge_approvals WHERE job_id = ?1 AND manifest_hash = ?2",
            params![id, manifest_hash],
            |r| r.get(0),
        )?;
        if n as u32 >= required {
            tx.execute(
                "UPDATE purge_jobs SET state = 'approved' WHERE id = ?1 AND state = 'planned'",
                [id],
            )?;
        }
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "purge_approve",
            id,
            &serde_json::json!({"manifest_hash": manifest_hash, "approvals": n}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(n as usize)
    }

    /// Moves a job to `state` (audited), setting the given columns.
    pub fn set_purge_state(
        &mut self,
        id: &str,
        state: &str,
        user: &str,
        detail: serde_json::Value,
    ) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let at = now();
        match state {
            "executing" => tx.execute(
                "UPDATE purge_jobs SET state = 'executing', executed_by = ?2,
                   started_at = COALESCE(started_at, ?3) WHERE id = ?1",
                params![id, user, at],
            )?,
            "verified" => tx.execute(
                "UPDATE purge_jobs SET state = 'verified', finished_at = ?2, verification = ?3
                 WHERE id = ?1",
                params![id, at, detail.to_string()],
            )?,
            "certified" => tx.execute(
                "UPDATE purge_jobs SET state = 'certified', certificate_id = ?2 WHERE id = ?1",
                params![id, detail["certificate_id"].as_str().unwrap_or_default()],
            )?,
            _ => tx.execute(
                "UPDATE purge_jobs SET state = ?2 WHERE id = ?1",
                params![id, state],
            )?,
        };
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            &format!("purge_{state}"),
            id,
            &detail,
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(())
    }

    /// (doc_id, state, patient slot, blobs) of a job's items.
    #[allow(clippy::type_complexity)]
    pub fn purge_items(
        &self,
        id: &str,
    ) -> Result<Vec<(String, String, Option<u32>, Vec<String>)>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT doc_id, state, patient_slot, blobs FROM purge_items WHERE job_id = ?1 ORDER BY doc_id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                super::json::column(r, 3, &format!("purge job {id} item blobs"))?,
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Marks an approved document left alone at execution, with why (audited).
    pub fn skip_purge_item(
        &mut self,
        job: &str,
        doc_id: &str,
        reason: &str,
        user: &str,
    ) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE purge_items SET state = 'skipped', reason = ?3 WHERE job_id = ?1 AND doc_id = ?2",
            params![job, doc_id, reason],
        )?;
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "purge_skip",
            doc_id,
            &serde_json::json!({"job": job, "reason": reason}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(())
    }

    /// Destroys a document's catalog record in one transaction: erases PHI fields and page
    /// text, detaches its blobs, chains a tombstone, marks the job item. Returns the blobs
    /// no live record refers to any more (to delete).
    pub fn destroy_document(
        &mut self,
        t: &Tombstone,
        user: &str,
    ) -> Result<Vec<String>, CatalogError> {
        self.record_destruction(t, user, "purge_destroy")
    }

    /// Clears a document and writes its tombstone; `action` names it in the audit log.
    pub(super) fn record_destruction(
        &mut self,
        t: &Tombstone,
        user: &str,
        action: &str,
    ) -> Result<Vec<String>, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let blobs = super::shredded::clear_document(
            &tx,
            &t.doc_id,
            Some(
                serde_json::json!({"class": t.class, "status": "destroyed",
                                   "certificate_id": t.certificate_id})
                .to_string(),
            ),
        )?;
        append_tombstone(&tx, t)?;
        // Blobs still referenced by a live page (content-addressed duplicates) stay.
        let mut free = Vec::new();
        for b in blobs {
            if !blob_used(&tx, &b)? && !free.contains(&b) {
                free.push(b);
            }
        }
        let (seq, hash) = mark_destroyed(&tx, &self.keys, t, &free, user, action)?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(free)
    }

    /// Destroys a quarantined scan's record in one transaction (the scan row and its sealed
    /// file's reference), chains a tombstone, marks the job item; its key is shredded by
    /// the caller. Returns the blobs to delete. False when the scan is no longer quarantined.
    pub fn destroy_quarantined(
        &mut self,
        t: &Tombstone,
        user: &str,
    ) -> Result<Option<Vec<String>>, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let blobs: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT f.blob FROM scan_files f JOIN scans s ON s.sha256 = f.scan_sha256
                 WHERE s.sha256 = ?1 AND s.status = 'quarantined'",
            )?;
            let rows = stmt.query_map([&t.original_sha256], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let n = tx.execute(
            "DELETE FROM scans WHERE sha256 = ?1 AND status = 'quarantined'",
            [&t.original_sha256],
        )?;
        if n == 0 {
            return Ok(None);
        }
        append_tombstone(&tx, t)?;
        let mut free = Vec::new();
        for b in blobs {
            if !blob_used(&tx, &b)? && !free.contains(&b) {
                free.push(b);
            }
        }
        let (seq, hash) = mark_destroyed(&tx, &self.keys, t, &free, user, "purge_destroy")?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(Some(free))
    }

    pub fn tombstone(&self, doc_id: &str) -> Result<Option<Tombstone>, CatalogError> {
        Ok(self
            .tombstones_where("WHERE doc_id = ?1", &[&doc_id])?
            .into_iter()
            .next())
    }

    pub fn tombstones_of_job(&self, job: &str) -> Result<Vec<Tombstone>, CatalogError> {
        self.tombstones_where("WHERE job_id = ?1", &[&job])
    }

    fn tombstones_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Tombstone>, CatalogError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT doc_id, class, doc_type, schedule_hash, service_year, page_count, bytes,
                    original_sha256, job_id, certificate_id, destroyed_at
             FROM tombstones {filter} ORDER BY seq"
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok(Tombstone {
                doc_id: r.get(0)?,
                class: r.get(1)?,
                doc_type: r.get(2)?,
                schedule_hash: r.get(3)?,
                service_year: r.get(4)?,
                page_count: r.get(5)?,
                bytes: r.get::<_, i64>(6)? as u64,
                original_sha256: r.get(7)?,
                job_id: r.get(8)?,
                certificate_id: r.get(9)?,
                destroyed_at: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Live documents left in a scan.
    pub fn live_documents_of_scan(&self, scan: &str) -> Result<Vec<String>, CatalogError> {
        self.ids_with(
            "SELECT doc_id FROM documents WHERE scan_sha256 = ?1
             AND COALESCE(retention_status, '') <> 'destroyed' ORDER BY seq",
            scan,
        )
    }

    fn ids_with(&self, sql: &str, arg: &str) -> Result<Vec<String>, CatalogError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([arg], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Page numbers of a scan that belong to destroyed documents.
    pub fn destroyed_pages_of_scan(&self, scan: &str) -> Result<Vec<u32>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.page_no FROM pages p JOIN documents d ON d.doc_id = p.doc_id
             WHERE p.scan_sha256 = ?1 AND d.retention_status = 'destroyed' ORDER BY p.page_no",
        )?;
        let rows = stmt.query_map([scan], |r| r.get::<_, u32>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Replaces (or, with `None`, drops) an original file of a scan; returns the old blob.
    pub fn replace_scan_file(
        &mut self,
        scan: &str,
        seq: u32,
        blob: Option<&str>,
        user: &str,
        job: &str,
    ) -> Result<Option<String>, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let old: Option<String> = tx
            .query_row(
                "SELECT blob FROM scan_files WHERE scan_sha256 = ?1 AND seq = ?2",
                params![scan, seq],
                |r| r.get(0),
            )
            .optional()?;
        match blob {
            Some(b) => tx.execute(
                "UPDATE scan_files SET blob = ?3 WHERE scan_sha256 = ?1 AND seq = ?2",
                params![scan, seq, b],
            )?,
            None => tx.execute(
                "DELETE FROM scan_files WHERE scan_sha256 = ?1 AND seq = ?2",
                params![scan, seq],
            )?,
        };
        let (s, h) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            if blob.is_some() {
                "original_redacted"
            } else {
                "original_destroyed"
            },
            scan,
            &serde_json::json!({"job": job, "file": seq}),
        )?;
        tx.commit()?;
        self.write_head(s, &h);
        Ok(old)
    }

    /// Original page numbers already cut out of a scan's original by purges.
    pub fn removed_pages(&self, scan: &str) -> Result<Vec<u32>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT detail FROM events WHERE kind = 'original_pages_removed' AND subject = ?1",
        )?;
        let mut out: Vec<u32> = Vec::new();
        for d in stmt.query_map([scan], |r| r.get::<_, String>(0))? {
            out.extend(super::json::parse::<Vec<u32>>(
                &d?,
                &format!("removed pages of scan {scan}"),
            )?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Replaces a scan's single original with a rewritten one without `pages` (original
    /// numbering), recording which pages are gone, in one transaction.
    pub fn redact_scan_file(
        &mut self,
        scan: &str,
        new_blob: &str,
        pages: &[u32],
        user: &str,
        job: &str,
    ) -> Result<Option<String>, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let old: Option<String> = tx
            .query_row(
                "SELECT blob FROM scan_files WHERE scan_sha256 = ?1 AND seq = 0",
                [scan],
                |r| r.get(0),
            )
            .optional()?;
        tx.execute(
            "UPDATE scan_files SET blob = ?2 WHERE scan_sha256 = ?1 AND seq = 0",
            params![scan, new_blob],
        )?;
        tx.execute(
            "INSERT INTO events(at, kind, subject, detail) VALUES (?1, 'original_pages_removed', ?2, ?3)",
            params![now(), scan, serde_json::to_string(pages).unwrap_or_default()],
        )?;
        let (s, h) = super::audit::append_tx(
            &tx,
            &self.keys,
            user,
            "original_redacted",
            scan,
            &serde_json::json!({"job": job, "pages_removed": pages.len()}),
        )?;
        tx.commit()?;
        self.write_head(s, &h);
        Ok(old)
    }

    /// Erases what is left of a scan none of whose documents remain: the images, barcode
    /// values (a patient sheet's MRN) and text of its separator and blank pages. Returns the
    /// blobs no live record refers to any more.
    pub fn scrub_scan_pages(&mut self, scan: &str) -> Result<Vec<String>, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let blobs = super::shredded::page_blobs(&tx, "scan_sha256 = ?1", scan)?;
        tx.execute(
            "UPDATE pages SET text = NULL, words_blob = NULL, image_blob = NULL, barcode = NULL
             WHERE scan_sha256 = ?1",
            [scan],
        )?;
        tx.execute(
            "UPDATE scans SET source_path = '(destroyed)' WHERE sha256 = ?1",
            [scan],
        )?;
        let mut free = Vec::new();
        for b in blobs {
            if !blob_used(&tx, &b)? && !free.contains(&b) {
                free.push(b);
            }
        }
        tx.commit()?;
        Ok(free)
    }

    /// Whether any record refers to a blob.
    pub fn blob_in_use(&self, blob: &str) -> Result<bool, CatalogError> {
        blob_used(&self.conn, blob)
    }

    /// Stores a certificate, chained to the previous one; returns its hash.
    pub fn add_certificate(
        &mut self,
        id: &str,
        job: &str,
        body: &str,
    ) -> Result<String, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(h) = tx
            .query_row("SELECT hash FROM certificates WHERE id = ?1", [id], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
        {
            return Ok(h);
        }
        let prev: String = tx
            .query_row(
                "SELECT hash FROM certificates ORDER BY issued_at DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| super::audit::GENESIS.to_string());
        let hash = chain(&prev, body);
        tx.execute(
            "INSERT INTO certificates(id, job_id, issued_at, body, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, job, now(), body, prev, hash],
        )?;
        tx.commit()?;
        Ok(hash)
    }

    /// The latest certificate's hash (what a new certificate links to).
    pub fn last_certificate_hash(&self) -> Result<String, CatalogError> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM certificates ORDER BY issued_at DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| super::audit::GENESIS.to_string()))
    }

    pub fn certificate(&self, id: &str) -> Result<Option<String>, CatalogError> {
        Ok(self
            .conn
            .query_row("SELECT body FROM certificates WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

/// Whether any page or scan file refers to a blob.
fn blob_used(conn: &rusqlite::Connection, blob: &str) -> Result<bool, CatalogError> {
    let used: i64 = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM pages WHERE words_blob = ?1)
              + (SELECT COUNT(*) FROM pages WHERE image_blob = ?1)
              + (SELECT COUNT(*) FROM scan_files WHERE blob = ?1)",
        [blob],
        |r| r.get(0),
    )?;
    Ok(used > 0)
}

/// Appends a tombstone to the hash-chained destruction log.
fn append_tombstone(tx: &rusqlite::Transaction<'_>, t: &Tombstone) -> Result<(), CatalogError> {
    let prev: String = tx
        .query_row(
            "SELECT hash FROM tombstones ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| super::audit::GENESIS.to_string());
    let body = serde_json::to_string(t).unwrap_or_default();
    let hash = chain(&prev, &body);
    tx.execute(
        "INSERT INTO tombstones(doc_id, class, doc_type, schedule_hash, service_year,
           page_count, bytes, original_sha256, job_id, certificate_id, destroyed_at,
           prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            t.doc_id,
            t.class,
            t.doc_type,
            t.schedule_hash,
            t.service_year,
            t.page_count,
            t.bytes as i64,
            t.original_sha256,
            t.job_id,
            t.certificate_id,
            t.destroyed_at,
            prev,
            hash
        ],
    )?;
    Ok(())
}

/// Marks the job item destroyed with the blobs left to delete and audits it, in the
/// destruction's transaction. Returns the audit entry (seq, hash) for the head.
fn mark_destroyed(
    tx: &rusqlite::Transaction<'_>,
    keys: &crate::keys::KeyStore,
    t: &Tombstone,
    free: &[String],
    user: &str,
    action: &str,
) -> Result<(i64, String), CatalogError> {
    tx.execute(
        "UPDATE purge_items SET state = 'destroyed', blobs = ?3 WHERE job_id = ?1 AND doc_id = ?2",
        params![
            t.job_id,
            t.doc_id,
            serde_json::to_string(free).unwrap_or_default()
        ],
    )?;
    super::audit::append_tx(
        tx,
        keys,
        user,
        action,
        &t.doc_id,
        &serde_json::json!({"job": t.job_id, "class": t.class}),
    )
}
