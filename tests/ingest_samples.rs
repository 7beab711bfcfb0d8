//! End to end on the committed samples: ingest, search, show, export, verify, reindex.

mod common;
use common::*;

#[test]
fn samples_are_archived_searchable_and_exported_per_contract() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let scans = samples().join("scans");

    let o = run(&archive, &["ingest", "--quiet", scans.to_str().unwrap()]);
    assert!(o.status.success(), "ingest failed: {}", stderr(&o));
    assert!(stdout(&o).contains("ingested 5 scans"), "{}", stdout(&o));

    let lines = export(&archive);
    let scans_out = of_kind(&lines, "scan");
    let docs = of_kind(&lines, "document");
    assert_eq!(scans_out.len(), 5);
    assert_eq!(docs.len(), 6);
    for s in &scans_out {
        assert_eq!(s["v"], 1);
        assert_eq!(s["status"], "ingested");
        assert_eq!(s["source"]["sha256"].as_str().unwrap().len(), 64);
    }
    let tif = scans_out
        .iter()
        .find(|s| s["source"]["path"] == "progress_note.tif")
        .expect("tif scan");
    assert_eq!(tif["page_count"], 2);
    assert_eq!(
        tif["blank_pages"],
        serde_json::json!([2]),
        "duplex back is blank"
    );

    // Separator sheets (one upside down) are found from their barcodes, not OCR'd, and the
    // patient separator's MRN goes to every document after it.
    let chart = scans_out
        .iter()
        .find(|s| s["source"]["path"] == "chart_with_separators.tif")
        .expect("chart scan");
    assert_eq!(chart["separator_pages"], serde_json::json!([1, 3]));
    assert_eq!(chart["documents"].as_array().unwrap().len(), 2);
    let chart_docs: Vec<_> = docs
        .iter()
        .filter(|d| d["source"]["path"] == "chart_with_separators.tif")
        .collect();
    assert_eq!(chart_docs[0]["source"]["pages"], serde_json::json!([2]));
    assert_eq!(chart_docs[1]["source"]["pages"], serde_json::json!([4]));
    for d in &chart_docs {
        assert_eq!(d["patient"]["mrn"], "90000017");
    }
    // Patient fields and the date of service are read from the header; what is not
    // printed stays null.
    let png = docs
        .iter()
        .find(|d| d["source"]["path"] == "discharge_summary.png")
        .unwrap();
    assert_eq!(png["patient"]["mrn"], "90000017");
    assert_eq!(png["patient"]["name"], "TESTPATIENT, ALICE");
    assert_eq!(png["patient"]["dob"], "1958-04-12");
    assert_eq!(png["service_date"], "2019-03-18");
    let consent = docs
        .iter()
        .find(|d| d["source"]["path"] == "consent_form.pdf")
        .unwrap();
    assert!(
        consent["service_date"].is_null(),
        "no date of service printed"
    );

    // OCR text matches what was printed (character error rate under 5%).
    for d in &docs {
        let path = d["source"]["path"].as_str().unwrap();
        if path == "chart_with_separators.tif" {
            continue;
        }
        let stem = path.split('.').next().unwrap();
        let expected =
            std::fs::read_to_string(samples().join(format!("expected/{stem}.txt"))).unwrap();
        let got = d["pages"][0]["text"].as_str().unwrap();
        let truth = chartvault::eval::normalize_text(&expected);
        let cer =
            chartvault::eval::char_edit_distance(&truth, &chartvault::eval::normalize_text(got))
                as f64
                / truth.len() as f64;
        assert!(cer < 0.05, "{path}: CER {cer:.3}\n{got}");
        // Each sample is named after its document type.
        assert_eq!(d["doc_type"], stem, "{path}");
        assert!(d["doc_type_confidence"].as_f64().unwrap() >= 0.6);
        assert!(d["pages"][0]["ocr_confidence"].as_f64().unwrap() > 50.0);
    }

    // Search finds the unique phrase in the right document, with a snippet.
    let o = run(&archive, &["search", "pneumothorax", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(res["total"], 1);
    assert_eq!(res["hits"][0]["source_path"], "radiology_report.pdf");
    assert!(res["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .contains("pneumothorax"));
    let o = run(
        &archive,
        &["search", "pneumothorax", "--type", "face_sheet", "--json"],
    );
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(res["total"], 0, "type filter applies");

    // show
    let id = docs[0]["doc_id"].as_str().unwrap();
    let o = run(&archive, &["show", id]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("TESTPATIENT"));
    let o = run(&archive, &["show", "dnosuchdoc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no document with id dnosuchdoc"));

    // Re-ingest: every scan is a duplicate; nothing changes.
    let o = run(&archive, &["ingest", "--quiet", scans.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("5 duplicates"), "{}", stdout(&o));
    assert_eq!(export(&archive).len(), 11);

    // verify, then reindex from the catalog after deleting the index.
    let o = run(&archive, &["verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    std::fs::remove_dir_all(archive.join("index")).unwrap();
    let o = run(&archive, &["reindex"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("reindexed 6 documents"));
    let o = run(&archive, &["search", "metoprolol", "--json"]);
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(res["total"], 2, "the PNG and the chart's copy");
    let o = run(
        &archive,
        &["search", "metoprolol", "--mrn", "90000017", "--json"],
    );
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        res["total"], 2,
        "MRN from the PNG's header and from the chart's separator"
    );
    let o = run(&archive, &["search", "", "--mrn", "90000033", "--json"]);
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(res["total"], 1);
    assert_eq!(res["hits"][0]["source_path"], "radiology_report.pdf");
    let o = run(
        &archive,
        &[
            "search",
            "",
            "--from",
            "2019-01-01",
            "--to",
            "2019-12-31",
            "--json",
        ],
    );
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        res["total"], 2,
        "service date 2019-03-18: the PNG and the chart's copy"
    );
}

#[test]
fn a_corrupted_blob_is_reported_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let png = samples().join("scans/discharge_summary.png");
    let o = run(&archive, &["ingest", "--quiet", png.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let blob = walkdir::WalkDir::new(archive.join("store"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "zst"))
        .unwrap();
    std::fs::write(blob.path(), b"garbage").unwrap();
    let o = run(&archive, &["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("corrupt"), "{}", stdout(&o));
}

#[test]
fn commands_on_a_missing_archive_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&dir.path().join("nope"), &["search", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no archive at"), "{}", stderr(&o));
}

#[test]
fn a_second_writer_is_refused_before_doing_work() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    // A ten-page folder batch keeps the first ingest busy for several seconds.
    let page = std::fs::read(samples().join("scans/discharge_summary.png")).unwrap();
    for i in 0..10u8 {
        let mut bytes = page.clone();
        bytes.extend_from_slice(&[i; 8]);
        std::fs::write(inbox.join(format!("p{i}.png")), bytes).unwrap();
    }
    let mut first = bin()
        .arg("--archive")
        .arg(&archive)
        .args(["ingest", "--quiet"])
        .arg(&inbox)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let second = samples().join("scans/radiology_report.pdf");
    let o = run(&archive, &["ingest", "--quiet", second.to_str().unwrap()]);
    let first_status = first.wait().unwrap();
    assert!(first_status.success());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("archive is busy"), "{}", stderr(&o));
    // The refused run recorded nothing; the first run's batch is all there.
    let lines = export(&archive);
    let scans = of_kind(&lines, "scan");
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0]["page_count"], 10);
}
