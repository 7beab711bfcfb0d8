//! Quarantined scans have a retention class: kept the longest any record of the profile
//! may need from the day they were quarantined, held by any hold that might name them, and
//! destroyed only by an approved purge job (reviewed, certified, verified, key shredded).

mod common;

use common::server::add_user;
use common::{cv, ok, run, set_clock, stderr, stdout, PW};

fn job_of(plan: &str) -> String {
    plan.split_whitespace().nth(2).unwrap().to_string()
}

#[test]
fn a_quarantined_scan_is_kept_under_its_class_and_destroyed_only_by_an_approved_job() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    set_clock(&archive, "2026-12-01");
    let bad = dir.path().join("unreadable-referral.pdf");
    std::fs::write(
        &bad,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nnot a real pdf\n",
    )
    .unwrap();
    let o = run(&archive, &["ingest", "--quiet", bad.to_str().unwrap()]);
    assert!(
        stderr(&o).contains("unreadable-referral.pdf"),
        "{}",
        stderr(&o)
    );
    let backup = dir.path().join("backup");
    ok(&run(&archive, &["backup", backup.to_str().unwrap()]));
    // AHIMA baseline: 28 years (a newborn's record under the minor rule) from that day.
    let list = ok(&run(&archive, &["quarantine", "list"]));
    assert!(list.contains("QUARANTINE: kept until 2054-12-01"), "{list}");
    let report = ok(&run(&archive, &["retention", "report"]));
    assert!(report.contains("QUARANTINE"), "{report}");
    add_user(&archive, "officer1", "retention_officer", PW);
    add_user(&archive, "approver1", "approver", PW);
    add_user(&archive, "approver2", "approver", PW);

    // On its last day it is not planned.
    set_clock(&archive, "2054-12-01");
    let plan = ok(&cv(&archive, "officer1", &["purge", "plan"]));
    assert!(plan.contains("0 documents eligible"), "{plan}");
    assert!(
        plan.contains("excluded: quarantined scan retained (1)"),
        "{plan}"
    );

    // The day after, a patient hold keeps it: its patient cannot be read.
    set_clock(&archive, "2054-12-02");
    hold_patient(&archive, "Case 9");
    let plan = ok(&cv(&archive, "officer1", &["purge", "plan"]));
    assert!(
        plan.contains("excluded: quarantined scan on_hold (1)"),
        "{plan}"
    );
    let list = ok(&run(&archive, &["quarantine", "list"]));
    assert!(list.contains("on legal hold (H-0001)"), "{list}");
    assert!(list_has_scan(&archive));
    ok(&cv(
        &archive,
        "officer1",
        &["hold", "release", "H-0001", "--reason", "settled"],
    ));

    // Released: eligible, planned, reviewed with its file name, approved by two people.
    let plan = ok(&cv(&archive, "officer1", &["purge", "plan"]));
    assert!(
        plan.contains("1 documents eligible as of 2054-12-02 (1 of them quarantined scans)"),
        "{plan}"
    );
    let job = job_of(&plan);
    let review = ok(&cv(
        &archive,
        "officer1",
        &["purge", "show", &job, "--review"],
    ));
    assert!(
        review.contains("quarantine:") && review.contains("unreadable-referral.pdf"),
        "{review}"
    );
    // Not before two approvals.
    let o = cv(&archive, "officer1", &["purge", "execute", &job]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(list_has_scan(&archive));
    ok(&common::approve(&archive, "approver1", &job));
    ok(&common::approve(&archive, "approver2", &job));
    let out = ok(&cv(&archive, "officer1", &["purge", "execute", &job]));
    let cert = common::certificate_id(&out);
    let body: serde_json::Value = serde_json::from_str(&ok(&cv(
        &archive,
        "officer1",
        &["purge", "certificate", &cert],
    )))
    .unwrap();
    assert_eq!(body["counts"]["quarantined_scans"], 1, "{body}");
    assert_eq!(body["counts"]["documents"], 0, "{body}");
    assert_eq!(body["verification"]["ok"], true, "{body}");
    assert!(
        body["classes"][0]["class"] == "QUARANTINE",
        "{}",
        body["classes"]
    );
    // Gone: not listed, not exportable, its folder removed, the archive verifies clean.
    assert!(!list_has_scan(&archive));
    assert_eq!(
        std::fs::read_dir(archive.join("quarantine"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
    let v = run(&archive, &["verify"]);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));

    // The same file sent again is a new quarantine with its own key: the old job, run
    // again, leaves it alone, even under a hold.
    run(&archive, &["ingest", "--quiet", bad.to_str().unwrap()]);
    assert!(list_has_scan(&archive));
    hold_patient(&archive, "Case 10");
    let _ = cv(&archive, "officer1", &["purge", "execute", &job]);
    let list = ok(&run(&archive, &["quarantine", "list"]));
    let id = list.split_whitespace().next().unwrap().to_string();
    let back = dir.path().join("back.pdf");
    ok(&run(
        &archive,
        &["quarantine", "export", &id, "--out", back.to_str().unwrap()],
    ));
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&bad).unwrap());
    let v = run(&archive, &["verify"]);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));

    // Released, and its own period run, it is destroyed by a job of its own (its own
    // tombstone beside the first one's).
    ok(&cv(
        &archive,
        "officer1",
        &["hold", "release", "H-0002", "--reason", "settled"],
    ));
    set_clock(&archive, "2082-12-03");
    let plan = ok(&cv(&archive, "officer1", &["purge", "plan"]));
    assert!(plan.contains("(1 of them quarantined scans)"), "{plan}");
    let job2 = job_of(&plan);
    ok(&common::approve(&archive, "approver1", &job2));
    ok(&common::approve(&archive, "approver2", &job2));
    ok(&cv(&archive, "officer1", &["purge", "execute", &job2]));
    assert!(!list_has_scan(&archive));

    // A backup made before the first destruction, restored: the destroyed quarantines stay
    // destroyed (their keys are gone), not listed or planned again.
    let restored = dir.path().join("restored");
    let keys = dir.path().join("archive.keys");
    let o = common::bin()
        .args([
            "--archive",
            restored.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
        ])
        .args(["restore", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("and 1 quarantined scans destroyed since"),
        "{}",
        stdout(&o)
    );
    assert!(!list_has_scan(&restored));
}

fn list_has_scan(archive: &std::path::Path) -> bool {
    stdout(&run(archive, &["quarantine", "list"])).contains("unreadable-referral.pdf")
}

#[test]
fn a_schedule_cannot_give_quarantined_scans_a_date_they_do_not_have() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let text = chartvault::retention::schedule::DEFAULT_RETENTION_TOML.replacen(
        "{ trigger = \"ingested_at\", years = 28 }",
        "{ trigger = \"service_date\", years = 28 }",
        1,
    );
    let path = dir.path().join("retention.toml");
    std::fs::write(&path, text).unwrap();
    let o = run(
        &archive,
        &["--retention", path.to_str().unwrap(), "retention", "report"],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("quarantined_scan terms count from ingested_at"),
        "{}",
        stderr(&o)
    );
}

/// A retention officer's hold on patient 77001234 (whose records no scan here shows).
fn hold_patient(archive: &std::path::Path, matter: &str) {
    common::hold_mrn(archive, matter, "77001234");
}
