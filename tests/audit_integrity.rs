//! The audit log cannot be rewritten without the key: someone with write access to
//! `catalog.db` who edits an entry (or deletes one and renumbers the rest), recomputes every
//! hash and rewrites `audit.head` is caught by `audit verify`, which names the entry. Keyed
//! checkpoints kept elsewhere are checked too.

mod common;
use common::*;

use sha2::{Digest, Sha256};
use std::path::Path;

fn archive_with_entries(dir: &Path) -> std::path::PathBuf {
    let archive = dir.join("archive");
    let o = run(
        &archive,
        &[
            "ingest",
            "--quiet",
            samples().join("scans/consent_form.pdf").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for _ in 0..3 {
        assert!(run(&archive, &["search", "consent"]).status.success());
    }
    assert!(run(&archive, &["audit", "verify"]).status.success());
    archive
}

/// The chain as an attacker without the key computes it: plain SHA-256 over the fields.
fn plain_hash(prev: &str, seq: i64, fields: &[String]) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    for part in [prev, seq.as_str()]
        .into_iter()
        .chain(fields.iter().map(|s| s.as_str()))
    {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Rewrites every entry's hash (after `edit` changed the rows) and the head file.
fn rechain(archive: &Path, edit: &str) {
    let conn = rusqlite::Connection::open(archive.join("catalog.db")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute_batch(edit).unwrap();
    let rows: Vec<(i64, Vec<String>)> = conn
        .prepare("SELECT seq, at, user, action, subject, detail FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (1..6)
                    .map(|i| r.get(i))
                    .collect::<Result<Vec<String>, _>>()?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = "0".repeat(64);
    for (seq, fields) in &rows {
        let hash = plain_hash(&prev, *seq, fields);
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            rusqlite::params![seq, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    let last = rows.last().unwrap().0;
    std::fs::write(archive.join("audit.head"), format!("{last} {prev}\n")).unwrap();
}

fn verify_fails(archive: &Path, needle: &str) {
    let o = run(archive, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains(needle), "{}", stdout(&o));
}

#[test]
fn an_edited_entry_with_a_recomputed_chain_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_entries(dir.path());
    rechain(
        &archive,
        "UPDATE audit_log SET detail = '{\"pages\":0}' WHERE seq = 1;",
    );
    verify_fails(&archive, "entry 1: content was altered");
    verify_fails(&archive, "not signed by this archive's audit key");
}

#[test]
fn a_deleted_and_renumbered_entry_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_entries(dir.path());
    rechain(
        &archive,
        "DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2;",
    );
    verify_fails(&archive, "entry 2: content was altered");
}

#[test]
fn checkpoints_kept_elsewhere_are_signed_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_with_entries(dir.path());
    let elsewhere = dir.path().join("offsite.checkpoints");
    let o = run(
        &archive,
        &["audit", "checkpoint", "--to", elsewhere.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let line = std::fs::read_to_string(&elsewhere).unwrap();
    let own = std::fs::read_to_string(archive.join("audit.checkpoints")).unwrap();
    assert!(
        own.ends_with(&line),
        "the same line is kept in the archive: {own}"
    );
    let check = |a: &Path| {
        run(
            a,
            &[
                "audit",
                "verify",
                "--checkpoints",
                elsewhere.to_str().unwrap(),
            ],
        )
    };
    let o = check(&archive);
    assert!(o.status.success(), "{}", stdout(&o));
    // A forged checkpoint (another hash for the entry) is not signed by the archive's key.
    let mut parts: Vec<String> = line.split_whitespace().map(String::from).collect();
    parts[1] = "f".repeat(64);
    std::fs::write(&elsewhere, parts.join(" ") + "\n").unwrap();
    let o = check(&archive);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("not signed"), "{}", stdout(&o));
    // A backup carries a checkpoint line of its own, and restores with it.
    let backup = dir.path().join("backup");
    let o = run(&archive, &["backup", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("BACKUP.json")).unwrap())
            .unwrap();
    assert!(manifest["audit_checkpoint"].as_str().unwrap().len() > 64);
    assert!(backup.join("audit.checkpoints").exists());
}
