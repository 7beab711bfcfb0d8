//! Crypto-shredding with the real binary: patient data is sealed at rest, and a purge
//! reaches backups taken before it (their copies of destroyed documents cannot be read and
//! do not come back on restore).

mod common;
use common::*;

/// Patient names, MRNs, dates and report phrases of the sample charts.
const PHI: [&str; 8] = [
    "TESTPATIENT",
    "90000017",
    "90000025",
    "90000033",
    "1958-04-12",
    "Knee pain",
    "pneumothorax",
    "pneumonia",
];

fn phi_files(dir: &std::path::Path) -> Vec<String> {
    PHI.iter()
        .flat_map(|p| files_containing(dir, p.as_bytes()))
        .collect()
}

#[test]
fn purge_reaches_a_backup_taken_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let job = approved_job(&archive);
    let keys = dir.path().join("archive.keys");
    assert!(
        keys.join("keys.db").exists(),
        "key store beside the archive"
    );

    // At rest, catalog and store hold no patient data in the clear (the search index does,
    // by design, until purge), and neither does a backup.
    for sub in ["catalog.db", "store"] {
        assert_eq!(phi_files(&archive.join(sub)), Vec::<String>::new(), "{sub}");
    }
    let backup = dir.path().join("backup");
    ok(&run(&archive, &["backup", backup.to_str().unwrap()]));
    assert_eq!(phi_files(&backup), Vec::<String>::new(), "backup");
    assert!(!backup.join("keys.db").exists() && !backup.join("master.key").exists());

    let out = ok(&cv(&archive, "exec1", &["purge", "execute", &job]));
    assert!(out.contains("4 documents destroyed"), "{out}");
    let cert_id = certificate_id(&out);
    let destroyed: Vec<String> = of_kind(&export(&archive), "document")
        .iter()
        .filter(|d| d["retention"]["status"] == "destroyed")
        .map(|d| d["doc_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(destroyed.len(), 4);

    // Restore the old backup: the destroyed documents stay destroyed.
    let restored = dir.path().join("restored");
    let out = ok(&run(&restored, &["restore", backup.to_str().unwrap()]));
    assert!(
        out.contains("4 documents destroyed since this backup stay destroyed"),
        "{out}"
    );
    assert!(out.contains("ok: every blob"), "{out}");
    for q in ["\"knee pain improved\"", "\"community acquired pneumonia\""] {
        let res: serde_json::Value =
            serde_json::from_str(&ok(&run(&restored, &["search", q, "--json"]))).unwrap();
        assert_eq!(res["total"], 0, "{q}");
    }
    for id in &destroyed {
        let o = ok(&run(&restored, &["show", id]));
        // The tombstone the key store kept names the job and certificate.
        assert!(o.contains("destroyed") && o.contains(&cert_id), "{o}");
        assert!(!o.contains("TESTPATIENT"), "{o}");
    }
    assert_eq!(
        files_containing(&restored, b"Knee pain improved"),
        Vec::<String>::new()
    );
    // What was kept is all there and readable.
    let res: serde_json::Value =
        serde_json::from_str(&ok(&run(&restored, &["search", "pneumothorax", "--json"]))).unwrap();
    assert_eq!(res["total"], 1);
    ok(&run(&restored, &["verify"]));
    ok(&run(&restored, &["audit", "verify"]));
    let log = ok(&run(&restored, &["audit", "list", "--limit", "1000"]));
    assert!(log.contains("restore_shredded"), "{log}");
}

#[test]
fn the_archive_cannot_be_read_without_its_key_store() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    ok(&run(
        &archive,
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    ));
    let status = ok(&run(&archive, &["keys", "status"]));
    assert!(
        status.contains("archive.keys") && status.contains("master.key"),
        "{status}"
    );

    // A copy of the keys, refused inside the archive, made beside it.
    let o = run(
        &archive,
        &["keys", "backup", archive.join("k").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let copy = dir.path().join("keys-copy");
    let o = ok(&run(&archive, &["keys", "backup", copy.to_str().unwrap()]));
    assert!(o.contains("with the master key"), "{o}");
    assert!(copy.join("keys.db").exists() && copy.join("master.key").exists());

    // Key store moved away: a clear error, nothing created in its place.
    let keys = dir.path().join("archive.keys");
    std::fs::rename(&keys, dir.path().join("elsewhere")).unwrap();
    let o = run(&archive, &["show", "--help"]);
    assert!(o.status.success());
    let o = run(&archive, &["verify"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("key store"), "{}", stderr(&o));
    assert!(!keys.join("keys.db").exists());

    // The copy works with --keys; a wrong master key is named as such.
    let o = run(&archive, &["--keys", copy.to_str().unwrap(), "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = bin()
        .args(["--archive", archive.to_str().unwrap()])
        .args(["--keys", copy.to_str().unwrap(), "verify"])
        .env("CHARTVAULT_MASTER_KEY", "00".repeat(32))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("master key does not open"),
        "{}",
        stderr(&o)
    );
}
