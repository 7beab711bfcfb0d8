//! Backup and restore drill with the real binary.

mod common;
use common::*;

#[test]
fn backup_and_restore_drill_passes_verify() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let o = run(
        &archive,
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let backup = dir.path().join("backup");
    let o = run(&archive, &["backup", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("backup of 6 documents"),
        "{}",
        stdout(&o)
    );
    assert!(!backup.join("index").exists(), "no index in a backup");
    // A second backup into the same folder is refused.
    let o = run(&archive, &["backup", backup.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not empty"));

    let restored = dir.path().join("restored");
    let o = run(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("6 documents indexed") && stdout(&o).contains("ok: every blob"));
    let a: Vec<_> = export(&archive)
        .into_iter()
        .filter(|l| l["kind"] == "document")
        .map(|l| l["doc_id"].clone())
        .collect();
    let b: Vec<_> = export(&restored)
        .into_iter()
        .filter(|l| l["kind"] == "document")
        .map(|l| l["doc_id"].clone())
        .collect();
    assert_eq!(a, b);
    let o = run(&restored, &["search", "pneumothorax", "--json"]);
    assert!(stdout(&o).contains("\"total\": 1"));
    let o = run(&restored, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));

    // Not a backup: clear error.
    let o = run(
        &dir.path().join("x"),
        &["restore", archive.join("store").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a ChartVault backup"));
}
