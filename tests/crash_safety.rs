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
