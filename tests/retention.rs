//! Retention on the samples with the real binary: statuses in the export, holds by patient,
//! release, search filters, and the tamper-evident audit log.

mod common;
use common::*;

use std::path::Path;

fn run_as(archive: &Path, user: &str, args: &[&str]) -> std::process::Output {
    let mut full = vec!["--user", user];
    full.extend_from_slice(args);
    run(archive, &full)
}

fn export_as_of(archive: &Path, as_of: &str) -> Vec<serde_json::Value> {
    let o = run(archive, &["export", "--as-of", as_of]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["kind"] == "document")
        .collect()
}

#[test]
fn statuses_holds_and_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let o = run_as(
        &archive,
        "clerk1",
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // Today: everything retained except the consent form without a date of service.
    let docs = export_as_of(&archive, "2026-11-24");
    for d in &docs {
        let r = &d["retention"];
        let expected = if d["service_date"].is_null() {
            "indeterminate"
        } else {
            "retained"
        };
        assert_eq!(r["status"], expected, "{d}");
        assert_eq!(
            r["class"],
            if d["doc_type"] == "radiology_report" {
                "RAD-REPORT"
            } else {
                "CLIN-CORE"
            }
        );
    }
    let rad = docs
        .iter()
        .find(|d| d["doc_type"] == "radiology_report")
        .unwrap();
    assert_eq!(rad["retention"]["eligible_on"], "2028-07-23");
    assert_eq!(
        rad["retention"]["binding_rule"],
        "patient_last_service + 10y"
    );

    // Far future: eligible. A hold on patient 90000017 keeps their documents.
    let far = "2045-01-01";
    let o = run_as(
        &archive,
        "officer1",
        &[
            "hold",
            "place",
            "--matter",
            "Doe v. Riverside",
            "--reason",
            "litigation",
            "--mrn",
            "90000017",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("hold H-0001 placed by officer1; covers 3 documents"),
        "{}",
        stdout(&o)
    );
    let docs = export_as_of(&archive, far);
    for d in &docs {
        let status = d["retention"]["status"].as_str().unwrap();
        match d["patient"]["mrn"].as_str() {
            Some("90000017") => assert_eq!(status, "on_hold"),
            _ if d["service_date"].is_null() => assert_eq!(status, "indeterminate"),
            _ => assert_eq!(status, "eligible"),
        }
    }
    let o = run(
        &archive,
        &["search", "--retention-status", "on_hold", "--json"],
    );
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(res["total"], 3);

    // Release: eligible again (nothing destroyed).
    let o = run_as(
        &archive,
        "officer1",
        &["hold", "release", "H-0001", "--reason", "settled"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let docs = export_as_of(&archive, far);
    assert!(docs
        .iter()
        .filter(|d| d["patient"]["mrn"] == "90000017")
        .all(|d| d["retention"]["status"] == "eligible"));
    let o = run(
        &archive,
        &["hold", "release", "H-0001", "--reason", "again"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no active hold with id H-0001"));

    // Audit log: intact, names users, holds no patient data.
    let o = run(&archive, &["audit", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let o = run(&archive, &["audit", "list", "--limit", "100"]);
    let log = stdout(&o);
    for action in ["ingest", "hold_place", "hold_release", "export", "search"] {
        assert!(log.contains(action), "{action} audited:\n{log}");
    }
    assert!(log.contains("officer1") && log.contains("clerk1"));
    for phi in ["90000017", "TESTPATIENT", "1958-04-12", "Doe v. Riverside"] {
        assert!(!log.contains(phi), "audit log leaks {phi}");
    }

    // Tampering is detected: an edited entry, then a removed last entry.
    let db = archive.join("catalog.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let refused = conn.execute("UPDATE audit_log SET user = 'x' WHERE seq = 2", []);
    assert!(refused.is_err(), "append-only trigger");
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         UPDATE audit_log SET detail = detail || ' ' WHERE seq = 2;",
    )
    .unwrap();
    drop(conn);
    let o = run(&archive, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("entry 2: content was altered"),
        "{}",
        stdout(&o)
    );

    let dir2 = tempfile::tempdir().unwrap();
    let archive2 = dir2.path().join("archive");
    let o = run(
        &archive2,
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    let conn = rusqlite::Connection::open(archive2.join("catalog.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_delete;
         DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log);",
    )
    .unwrap();
    drop(conn);
    let o = run(&archive2, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("removed from the end"),
        "{}",
        stdout(&o)
    );
}
