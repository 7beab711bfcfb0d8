//! SIGKILL during ingest, several times at different points, then a full rerun: every scan
//! ends archived exactly once, the index holds no document without its catalog rows and
//! blobs, and `verify` passes.

mod common;
use common::*;
use std::time::Duration;

#[test]
fn killed_ingests_resume_without_loss_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    // Twelve distinct scans: the samples, and copies made distinct by trailing bytes.
    let scans = samples().join("scans");
    let mut n = 0;
    for copy in 0..3u8 {
        for name in [
            "consent_form.pdf",
            "discharge_summary.png",
            "progress_note.tif",
            "radiology_report.pdf",
        ] {
            let mut bytes = std::fs::read(scans.join(name)).unwrap();
            if copy > 0 {
                if name.ends_with(".pdf") {
                    bytes.extend_from_slice(format!("\n%copy {copy}\n").as_bytes());
                } else {
                    bytes.extend(std::iter::repeat_n(copy, 16));
                }
            }
            std::fs::write(inbox.join(format!("c{copy}_{name}")), bytes).unwrap();
            n += 1;
        }
    }
    let archive = dir.path().join("archive");
    for delay_ms in [150u64, 700, 1300, 2100, 3000] {
        let mut child = bin()
            .arg("--archive")
            .arg(&archive)
            .args(["ingest", "--quiet", inbox.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let o = run(&archive, &["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert!(o.status.success(), "final ingest: {}", stderr(&o));

    let lines = export(&archive);
    let scans_out = of_kind(&lines, "scan");
    assert_eq!(scans_out.len(), n, "every scan exactly once");
    let mut shas: Vec<&str> = scans_out
        .iter()
        .map(|s| s["source"]["sha256"].as_str().unwrap())
        .collect();
    shas.sort();
    shas.dedup();
    assert_eq!(shas.len(), n);
    assert!(scans_out.iter().all(|s| s["status"] == "ingested"));
    assert_eq!(of_kind(&lines, "document").len(), n);

    let o = run(&archive, &["verify"]);
    assert!(o.status.success(), "verify: {}", stdout(&o));
    let o = run(&archive, &["search", "pneumothorax", "--json"]);
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        res["total"], 3,
        "one per radiology copy, no duplicates in the index"
    );
}

#[test]
fn a_killed_reindex_makes_search_say_the_index_is_incomplete_not_zero_hits() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    common::ingest_samples(&archive);
    let o = common::command(&archive)
        .args(["reindex"])
        .env("CHARTVAULT_FAILPOINT", "reindex_emptied:1")
        .output()
        .unwrap();
    assert!(!o.status.success(), "killed");
    // Not "0 documents match": an error that says what is wrong, and a non-zero exit.
    let o = common::run(&archive, &["search", "pneumothorax", "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stdout(&o));
    assert!(
        common::stderr(&o).contains("search index is incomplete"),
        "{}",
        common::stderr(&o)
    );
    // The API answers 503 with its code.
    common::server::add_user(&archive, "reader", "viewer", common::PW);
    {
        let server = common::server::Server::start(&archive, &[]);
        let s = server.login("reader", common::PW);
        let r = s.get("/api/v1/search?q=pneumothorax");
        assert_eq!(r.status, 503, "{}", r.text());
        assert_eq!(r.json()["code"], "index_incomplete");
    }
    // A finished rebuild answers again.
    common::ok(&common::run(&archive, &["reindex"]));
    let o = common::ok(&common::run(
        &archive,
        &["search", "pneumothorax", "--json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(v["total"], 1);
}
