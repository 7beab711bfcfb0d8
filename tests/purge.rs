//! Purge end to end with the real binary: a hold, a plan on a test-clock day when the samples
//! are eligible, two approvals, execution, verification, certificate; then what is gone is
//! gone and what is held stays.
//! Crash safety: SIGKILL at several points of `purge execute`, rerun, exact result.

mod common;
use common::*;

#[test]
fn purge_destroys_eligible_documents_and_keeps_held_ones() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let job = approved_job(&archive);
    let lines = export(&archive);
    let destroyed_ids: Vec<String> = of_kind(&lines, "document")
        .iter()
        .filter(|d| d["doc_type"] == "discharge_summary" || d["doc_type"] == "progress_note")
        .map(|d| d["doc_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(destroyed_ids.len(), 4);
    let phrase = b"Knee pain improved";
    assert!(
        !files_containing(&archive.join("index"), phrase).is_empty(),
        "text in the index before"
    );
    let blobs_before = walkdir::WalkDir::new(archive.join("store"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();

    let out = ok(&cv(&archive, "exec1", &["purge", "execute", &job]));
    assert!(out.contains("4 documents destroyed"), "{out}");
    let cert_id = certificate_id(&out);

    // Gone: no hit by phrase or id, no text in any index file or blob, tombstone on show.
    for q in ["\"knee pain improved\"", "\"community acquired pneumonia\""] {
        let o = ok(&run(&archive, &["search", q, "--json"]));
        let res: serde_json::Value = serde_json::from_str(&o).unwrap();
        assert_eq!(res["total"], 0, "{q}");
    }
    assert!(
        files_containing(&archive.join("index"), phrase).is_empty(),
        "no segment file holds the text"
    );
    assert_eq!(
        files_containing(&archive, phrase),
        Vec::<String>::new(),
        "nowhere in the archive"
    );
    for id in &destroyed_ids {
        let o = ok(&run(&archive, &["show", id]));
        assert!(o.contains("destroyed") && o.contains(&cert_id), "{o}");
        assert!(!o.contains("TESTPATIENT"));
    }
    let blobs_after = walkdir::WalkDir::new(archive.join("store"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    assert!(blobs_after < blobs_before, "{blobs_after} < {blobs_before}");
    let o = ok(&run(&archive, &["verify"]));
    assert!(o.contains("0 problems") || !o.contains("missing"), "{o}");

    // Kept: the held radiology report and the undated consent form.
    let o = ok(&run(&archive, &["search", "pneumothorax", "--json"]));
    let res: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(res["total"], 1);
    let lines = export(&archive);
    let docs = of_kind(&lines, "document");
    let destroyed: Vec<_> = docs
        .iter()
        .filter(|d| d["retention"]["status"] == "destroyed")
        .collect();
    assert_eq!(destroyed.len(), 4);
    assert!(destroyed
        .iter()
        .all(|d| d.get("patient").is_none() && d.get("pages").is_none()));

    // No PHI of destroyed documents in the certificate, its HTML, or the logs.
    let cert = ok(&run(&archive, &["purge", "certificate", &cert_id]));
    let html = ok(&run(
        &archive,
        &["purge", "certificate", &cert_id, "--html"],
    ));
    let log = ok(&run(&archive, &["audit", "list", "--limit", "1000"]));
    let c: serde_json::Value = serde_json::from_str(&cert).unwrap();
    assert_eq!(c["counts"]["documents"], 4);
    assert_eq!(c["counts"]["patients"], 2);
    assert_eq!(
        c["approved_by"],
        serde_json::json!(["approver1", "approver2"])
    );
    assert_eq!(c["verification"]["ok"], true);
    for text in [&cert, &html, &log] {
        for phi in [
            "TESTPATIENT",
            "ALICE",
            "BRIAN",
            "90000017",
            "90000025",
            "1958-04-12",
            "04/12/1958",
            "1971-09-30",
            "Knee pain",
            "pneumonia",
            "2019-03-18",
            "2020-11-02",
        ] {
            assert!(!text.contains(phi), "{phi} leaked");
        }
    }
    assert!(archive
        .join(format!("certificates/{cert_id}.html"))
        .exists());
    ok(&run(&archive, &["audit", "verify"]));
    // Running it again changes nothing.
    let again = ok(&cv(&archive, "exec1", &["purge", "execute", &job]));
    assert!(again.contains("0 documents destroyed"), "{again}");
}

#[test]
fn a_plan_changed_after_approval_cannot_execute() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let job = approved_job(&archive);
    let conn = rusqlite::Connection::open(archive.join("catalog.db")).unwrap();
    conn.execute(
        "UPDATE purge_jobs SET manifest = replace(manifest, '\"pages\":1', '\"pages\":2') WHERE id = ?1",
        [&job],
    )
    .unwrap();
    drop(conn);
    let o = cv(&archive, "exec1", &["purge", "execute", &job]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("manifest changed after it was planned"),
        "{}",
        stderr(&o)
    );
    let o = ok(&run(&archive, &["search", "\"knee pain\"", "--json"]));
    assert!(o.contains("\"total\": 2"), "nothing destroyed: {o}");
}

#[test]
fn sigkill_during_execute_then_rerun_completes_exactly() {
    for point in [
        "purge_destroyed:1",
        "purge_destroyed:3",
        "purge_cleanup:1",
        "purge_verify:1",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("archive");
        let job = approved_job(&archive);
        let o = command(&archive)
            .args(["--user", "exec1", "purge", "execute", &job])
            .env("CHARTVAULT_FAILPOINT", point)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{point}: killed");
        let out = ok(&cv(&archive, "exec1", &["purge", "execute", &job]));
        assert!(out.contains("certificate of destruction"), "{point}: {out}");
        let cert_id = certificate_id(&out);
        let c: serde_json::Value =
            serde_json::from_str(&ok(&run(&archive, &["purge", "certificate", &cert_id]))).unwrap();
        assert_eq!(c["counts"]["documents"], 4, "{point}");
        assert_eq!(c["counts"]["pages"], 4, "{point}");
        assert_eq!(c["verification"]["ok"], true, "{point}");
        let lines = export(&archive);
        let destroyed = of_kind(&lines, "document")
            .iter()
            .filter(|d| d["retention"]["status"] == "destroyed")
            .count();
        assert_eq!(destroyed, 4, "{point}");
        assert!(
            files_containing(&archive.join("index"), b"Knee pain improved").is_empty(),
            "{point}"
        );
        ok(&run(&archive, &["audit", "verify"]));
    }
}

#[test]
fn scheduler_plans_yearly_and_executes_only_approved_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    ok(&cv(
        &archive,
        "clerk1",
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    ));
    common::server::add_user(&archive, "approver1", "approver", PW);
    common::server::add_user(&archive, "approver2", "approver", PW);
    // Nothing is eligible yet: no plan.
    set_clock(&archive, "2026-11-24");
    let o = ok(&run(&archive, &["scheduler", "run-once"]));
    assert!(!o.contains("planned"), "{o}");
    set_clock(&archive, "2045-01-01");
    let o = ok(&run(&archive, &["scheduler", "run-once"]));
    assert!(o.contains("planned purge job"), "{o}");
    let job = o
        .split("planned purge job ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    // Same year again: no second plan, nothing executed without approvals.
    set_clock(&archive, "2045-01-10");
    let o = ok(&run(&archive, &["scheduler", "run-once"]));
    assert!(!o.contains("planned") && !o.contains("executed"), "{o}");
    let o = ok(&run(&archive, &["search", "\"knee pain\"", "--json"]));
    assert!(o.contains("\"total\": 2"));
    ok(&approve(&archive, "approver1", &job));
    ok(&approve(&archive, "approver2", &job));
    set_clock(&archive, "2045-01-11");
    let o = ok(&run(&archive, &["scheduler", "run-once"]));
    assert!(o.contains(&format!("executed purge job {job}")), "{o}");
    let o = ok(&run(&archive, &["search", "\"knee pain\"", "--json"]));
    assert!(o.contains("\"total\": 0"));
    ok(&run(&archive, &["audit", "verify"]));
    // The sweep has no date of its own to be given.
    let o = run(
        &archive,
        &["scheduler", "run-once", "--as-of", "2099-01-01"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn the_scheduler_daemon_sweeps_today_and_releases_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    ok(&cv(
        &archive,
        "clerk1",
        &[
            "ingest",
            "--quiet",
            samples().join("scans").to_str().unwrap(),
        ],
    ));
    let o = ok(&run(&archive, &["scheduler", "run", "--max-sweeps", "1"]));
    let today = chrono::Local::now().date_naive().to_string();
    assert!(
        o.contains(&format!("retention sweep as of {today}: 6 documents")),
        "{o}"
    );
    // The archive is free again: another command can write.
    ok(&run(&archive, &["reindex"]));
}
