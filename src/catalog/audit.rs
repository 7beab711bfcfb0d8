//! The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained: each
//! entry's hash covers its fields and the previous entry's hash, so an altered, removed or
//! reordered entry breaks the chain. The head (last sequence number and hash) is also kept
//! in `audit.head` beside the catalog, so removing entries from the end is detected too.
//!
//! Entries name ids and hashes, never patient data in free text.

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::{now, Catalog, CatalogError};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub user: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    user: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        &seq.to_string(),
        at,
        user,
        action,
        subject,
        detail,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry inside the caller's transaction; returns (seq, hash).
pub(crate) fn append_tx(
    tx: &Transaction,
    user: &str,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(i64, String), CatalogError> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let at = now();
    let detail = detail.to_string();
    let hash = entry_hash(&prev, seq, &at, user, action, subject, &detail);
    tx.execute(
        "INSERT INTO audit_log(seq, at, user, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, at, user, action, subject, detail, prev, hash],
    )?;
    Ok((seq, hash))
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditVerification {
    pub entries: i64,
    pub problems: Vec<String>,
}

impl Catalog {
    fn head_path(&self) -> Option<PathBuf> {
        self.path.parent().map(|p| p.join("audit.head"))
    }

    /// Appends one audit entry (its own transaction) and moves the head file.
    pub fn audit(
        &mut self,
        user: &str,
        action: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<(), CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (seq, hash) = append_tx(&tx, user, action, subject, &detail)?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(())
    }

    /// Records the head after a transaction that appended entries committed.
    pub(crate) fn write_head(&self, seq: i64, hash: &str) {
        if let Some(p) = self.head_path() {
            // Two connections of one process (the web service's reader and writer) append
            // in turn; the head only ever moves forward, never back to an older entry.
            static HEAD: std::sync::Mutex<()> = std::sync::Mutex::new(());
            let _guard = HEAD.lock().unwrap_or_else(|e| e.into_inner());
            let current = std::fs::read_to_string(&p)
                .ok()
                .and_then(|t| t.split_whitespace().next()?.parse::<i64>().ok());
            if current.is_some_and(|c| c >= seq) {
                return;
            }
            // Best effort: the chain in the catalog is the record; the head file only
            // detects truncation, and `audit verify` reports a missing or stale head.
            let _ = write_atomic(&p, format!("{seq} {hash}\n").as_bytes());
        }
    }

    pub fn audit_entries(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, user, action, subject, detail, prev_hash, hash FROM audit_log
             ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit.map_or(-1, |l| l as i64)], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                user: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                detail: r.get(5)?,
                prev_hash: r.get(6)?,
                hash: r.get(7)?,
            })
        })?;
        let mut v = rows.collect::<Result<Vec<_>, _>>()?;
        v.reverse();
        Ok(v)
    }

    /// Walks the chain from the first entry and compares the end with the head file.
    pub fn verify_audit(&self) -> Result<AuditVerification, CatalogError> {
        let entries = self.audit_entries(None)?;
        let mut problems = Vec::new();
        let mut prev = GENESIS.to_string();
        for (i, e) in entries.iter().enumerate() {
            let expected_seq = i as i64 + 1;
            if e.seq != expected_seq {
                problems.push(format!(
                    "entry {expected_seq} is missing (found {} in its place)",
                    e.seq
                ));
            }
            if e.prev_hash != prev {
                problems.push(format!(
                    "entry {}: does not follow the entry before it",
                    e.seq
                ));
            }
            let h = entry_hash(
                &e.prev_hash,
                e.seq,
                &e.at,
                &e.user,
                &e.action,
                &e.subject,
                &e.detail,
            );
            if h != e.hash {
                problems.push(format!("entry {}: content was altered", e.seq));
            }
            prev = e.hash.clone();
            if problems.len() > 20 {
                problems.push("(more problems not listed)".into());
                break;
            }
        }
        match self.head_path().map(|p| std::fs::read_to_string(&p)) {
            Some(Ok(head)) => {
                let mut parts = head.split_whitespace();
                let seq: i64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(-1);
                let hash = parts.next().unwrap_or("");
                match entries.last() {
                    Some(last) if last.seq == seq && last.hash == hash => {}
                    Some(last) if seq > last.seq => problems.push(format!(
                        "entries {}..{seq} were removed from the end of the log",
                        last.seq + 1
                    )),
                    None if seq > 0 => problems.push(format!("all {seq} entries were removed")),
                    None => {}
                    Some(_) => problems.push("the log does not end at the recorded head".into()),
                }
            }
            _ if !entries.is_empty() => problems.push("the audit head file is missing".into()),
            _ => {}
        }
        Ok(AuditVerification {
            entries: entries.len() as i64,
            problems,
        })
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(tmp, path)
}
