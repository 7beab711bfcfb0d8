//! The audit log: append-only (triggers refuse UPDATE and DELETE) and chained: each
//! entry's hash covers its fields and the previous entry's hash, so an altered, removed or
//! reordered entry breaks the chain. The hash is an HMAC-SHA256 under the audit key from
//! the key store (sealed under the master key together with the first entry it keys), so
//! rewriting the chain, even recomputing every hash, needs that key; entries written
//! before the archive had a key keep their plain SHA-256 and are reported as such.
//!
//! Outside the catalog: the head (last sequence number, hash and their MAC) in
//! `audit.head`, so removing entries from the end is detected too; and keyed checkpoints
//! of the head in `audit.checkpoints` (one line every [`CHECKPOINT_EVERY`] entries, at each
//! backup and on `audit checkpoint`, which can also append to a file shipped elsewhere):
//! `audit verify` checks each against the log and names the first entry that differs.
//!
//! Entries name ids and hashes, never patient data in free text.

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::{now, Catalog, CatalogError};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// A checkpoint of the head is written every this many entries.
pub const CHECKPOINT_EVERY: i64 = 100;

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

/// An entry from `SELECT seq, at, user, action, subject, detail, prev_hash, hash`.
pub(super) fn entry_row(r: &rusqlite::Row) -> rusqlite::Result<AuditEntry> {
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
}

/// The chained hash of an entry: keyed (HMAC) from the archive's first keyed entry on.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    keys: &crate::keys::KeyStore,
    prev_hash: &str,
    seq: i64,
    at: &str,
    user: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> String {
    if keys.audit_keyed_from().is_some_and(|from| seq >= from) {
        let seq = seq.to_string();
        let parts: [&[u8]; 8] = [
            b"entry",
            prev_hash.as_bytes(),
            seq.as_bytes(),
            at.as_bytes(),
            user.as_bytes(),
            action.as_bytes(),
            subject.as_bytes(),
            detail.as_bytes(),
        ];
        if let Some(mac) = keys.audit_mac(&parts) {
            return mac;
        }
    }
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
    keys: &crate::keys::KeyStore,
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
    let hash = entry_hash(keys, &prev, seq, &at, user, action, subject, &detail);
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
    /// Entries written before the archive had an audit key (plain SHA-256 chain).
    pub unkeyed: i64,
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
        let (seq, hash) = append_tx(&tx, &self.keys, user, action, subject, &detail)?;
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
            let mac = self.head_mac(seq, hash).unwrap_or_default();
            let _ = write_atomic(&p, format!("{seq} {hash} {mac}\n").as_bytes());
            // Crossing a multiple of CHECKPOINT_EVERY leaves a checkpoint behind.
            if current.is_none_or(|c| c / CHECKPOINT_EVERY < seq / CHECKPOINT_EVERY) {
                let _ = self.append_checkpoint(seq, hash, None);
            }
        }
    }

    fn head_mac(&self, seq: i64, hash: &str) -> Option<String> {
        let seq = seq.to_string();
        self.keys
            .audit_mac(&[b"head", seq.as_bytes(), hash.as_bytes()])
    }

    fn checkpoints_path(&self) -> Option<PathBuf> {
        self.path.parent().map(|p| p.join("audit.checkpoints"))
    }

    /// A checkpoint line of the head: `seq hash at mac`, the MAC over the rest.
    fn checkpoint_line(&self, seq: i64, hash: &str) -> String {
        let at = now();
        let s = seq.to_string();
        let mac = self
            .keys
            .audit_mac(&[b"checkpoint", s.as_bytes(), hash.as_bytes(), at.as_bytes()])
            .unwrap_or_default();
        format!("{seq} {hash} {at} {mac}\n")
    }

    /// Appends a checkpoint of entry `seq` to `audit.checkpoints` and, if given, to `extra`
    /// (a file the operator ships elsewhere). Returns the line.
    pub(crate) fn append_checkpoint(
        &self,
        seq: i64,
        hash: &str,
        extra: Option<&Path>,
    ) -> std::io::Result<String> {
        use std::io::Write;
        let line = self.checkpoint_line(seq, hash);
        let own = self.checkpoints_path();
        for path in own.as_deref().into_iter().chain(extra) {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            f.write_all(line.as_bytes())?;
            f.sync_all()?;
        }
        Ok(line)
    }

    /// Checkpoints the current head now (`audit checkpoint`, backups).
    pub fn checkpoint_audit(&self, extra: Option<&Path>) -> Result<String, CatalogError> {
        let last: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (seq, hash) = last.unwrap_or((0, GENESIS.to_string()));
        self.append_checkpoint(seq, &hash, extra)
            .map_err(|e| CatalogError::Corrupt(format!("cannot write the audit checkpoint: {e}")))
    }

    /// Checks checkpoint lines against the log: each must carry a valid MAC and name an
    /// entry whose hash it records.
    fn check_checkpoints(
        &self,
        source: &str,
        text: &str,
        entries: &[AuditEntry],
        problems: &mut Vec<String>,
    ) {
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [seq, hash, at, mac] = parts[..] else {
                problems.push(format!("{source} line {}: not a checkpoint", n + 1));
                continue;
            };
            let Ok(seq_n) = seq.parse::<i64>() else {
                problems.push(format!("{source} line {}: not a checkpoint", n + 1));
                continue;
            };
            let expected = self.keys.audit_mac(&[
                b"checkpoint",
                seq.as_bytes(),
                hash.as_bytes(),
                at.as_bytes(),
            ]);
            if expected.as_deref() != Some(mac) {
                problems.push(format!(
                    "{source} line {}: checkpoint of entry {seq} is not signed by this archive's audit key",
                    n + 1
                ));
                continue;
            }
            if seq_n == 0 {
                continue;
            }
            match entries.iter().find(|e| e.seq == seq_n) {
                None => problems.push(format!(
                    "entry {seq} (checkpointed at {at}) is missing from the log"
                )),
                Some(e) if e.hash != hash => {
                    // Name the first entry that no longer matches what was checkpointed:
                    // the log up to the checkpoint was rewritten from there on.
                    problems.push(format!(
                        "the log up to entry {seq} (checkpointed at {at}) was rewritten"
                    ))
                }
                Some(_) => {}
            }
        }
    }

    pub fn audit_entries(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, user, action, subject, detail, prev_hash, hash FROM audit_log
             ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit.map_or(-1, |l| l as i64)], entry_row)?;
        let mut v = rows.collect::<Result<Vec<_>, _>>()?;
        v.reverse();
        Ok(v)
    }

    /// Walks the chain from the first entry and compares the end with the head file.
    pub fn verify_audit(
        &self,
        extra_checkpoints: &[&Path],
    ) -> Result<AuditVerification, CatalogError> {
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
                &self.keys,
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
                let keyed = self.keys.audit_keyed_from().is_some_and(|f| seq >= f);
                if keyed && parts.next() != self.head_mac(seq, hash).as_deref() {
                    problems.push(
                        "the audit head file is not signed by this archive's audit key".into(),
                    );
                }
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
        let checkpoint_files = self
            .checkpoints_path()
            .into_iter()
            .map(|p| (p, true))
            .chain(extra_checkpoints.iter().map(|p| (p.to_path_buf(), false)));
        for (path, own) in checkpoint_files {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    self.check_checkpoints(&name, &text, &entries, &mut problems)
                }
                Err(_) if own && entries.len() < CHECKPOINT_EVERY as usize => {}
                Err(e) => problems.push(format!(
                    "the audit checkpoints {} cannot be read: {e}",
                    path.display()
                )),
            }
        }
        let legacy = self
            .keys
            .audit_keyed_from()
            .map_or(entries.len() as i64, |f| {
                (f - 1).clamp(0, entries.len() as i64)
            });
        Ok(AuditVerification {
            entries: entries.len() as i64,
            unkeyed: legacy,
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
