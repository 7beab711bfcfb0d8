//! The review queue, hand reclassification and training from reviewed documents, on the
//! committed samples with the real binary.

mod common;
use common::*;

fn doc_of<'a>(docs: &[&'a serde_json::Value], path: &str, page: u64) -> &'a serde_json::Value {
    docs.iter()
        .copied()
        .find(|d| d["source"]["path"] == path && d["source"]["pages"][0] == page)
        .unwrap_or_else(|| panic!("no document of {path} page {page}"))
}

#[test]
fn review_reclassify_and_train_from_reviewed_documents() {
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
    let lines = export(&archive);
    let docs = of_kind(&lines, "document");

    // The document printing MRN 90000025 under the MRN90000017 sheet is flagged, and it
    // keeps the sheet's MRN (never silently switched).
    let conflict = doc_of(&docs, "chart_with_separators.tif", 4);
    assert_eq!(conflict["patient"]["mrn"], "90000017");
    let conflict_id = conflict["doc_id"].as_str().unwrap();
    let o = run(&archive, &["review", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let queue: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["doc_id"], conflict_id);
    assert_eq!(queue[0]["flags"], serde_json::json!(["mrn_conflict"]));

    // Reclassify by hand: recorded, exported, searchable by the new type.
    let radiology = doc_of(&docs, "radiology_report.pdf", 1)["doc_id"]
        .as_str()
        .unwrap()
        .to_string();
    let o = run(
        &archive,
        &[
            "reclassify",
            &radiology,
            "correspondence",
            "--user",
            "clerk1",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("radiology_report -> correspondence"));
    let lines = export(&archive);
    let docs = of_kind(&lines, "document");
    let changed = doc_of(&docs, "radiology_report.pdf", 1);
    assert_eq!(changed["doc_type"], "correspondence");
    assert_eq!(changed["doc_type_confidence"], 1.0);
    let o = run(
        &archive,
        &[
            "search",
            "pneumothorax",
            "--type",
            "correspondence",
            "--json",
        ],
    );
    let res: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(res["total"], 1, "index follows the new type");
    let o = run(&archive, &["show", &radiology]);
    assert!(
        stdout(&o).contains("corrected  doc_type: radiology_report -> correspondence by clerk1")
    );

    // Bad input is a clear error.
    let o = run(&archive, &["reclassify", &radiology, "memo", "--user", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown document type \"memo\""));
    let o = run(
        &archive,
        &["reclassify", "dnope", "consent_form", "--user", "x"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no document with id dnope"));

    // One reviewed type is not enough to train; two are.
    let o = run(&archive, &["train", "--from-archive"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("at least two document types"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &archive,
        &["review", "confirm", conflict_id, "--user", "clerk2"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&archive, &["review"]);
    assert!(stdout(&o).contains("nothing to review"));
    let o = run(&archive, &["train", "--from-archive"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("model version 1 stored"),
        "{}",
        stdout(&o)
    );
    assert!(archive.join("models/doctype-v1.json.zst").exists());

    // The archive's model is what classification now uses; a tampered model file is refused.
    let mut c = bin()
        .arg("--archive")
        .arg(&archive)
        .arg("classify")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    c.stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":1,\"text\":\"chest radiograph pneumothorax\"}\n")
        .unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(out.status.success());
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["id"], 1);
    std::fs::write(archive.join("models/doctype-v1.json.zst"), b"tampered").unwrap();
    let o = run(
        &archive,
        &["ingest", samples().join("scans").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("does not match its recorded hash"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn review_merge_and_split_on_the_command_line_keep_the_export_whole() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    ingest_samples(&archive);
    let before = export(&archive);
    let docs = of_kind(&before, "document");
    let first = doc_of(&docs, "chart_with_separators.tif", 2)["doc_id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = doc_of(&docs, "chart_with_separators.tif", 4)["doc_id"]
        .as_str()
        .unwrap()
        .to_string();
    let text_of = |lines: &[serde_json::Value], id: &str| -> Vec<String> {
        of_kind(lines, "document")
            .iter()
            .find(|d| d["doc_id"] == id)
            .map(|d| {
                d["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["text"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (t1, t2) = (text_of(&before, &first), text_of(&before, &second));

    let o = run(&archive, &["review", "merge", &second, "--user", "jdoe"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("merged away"), "{}", stdout(&o));
    let merged = export(&archive);
    assert_eq!(of_kind(&merged, "document").len(), docs.len() - 1);
    let mut both = t1.clone();
    both.extend(t2.clone());
    assert_eq!(text_of(&merged, &first), both);
    let o = run(&archive, &["verify"]);
    assert!(o.status.success(), "{}", stdout(&o));

    let o = run(
        &archive,
        &[
            "review",
            "split",
            &first,
            "--at-page",
            "1",
            "--user",
            "jdoe",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "page 1 is not in the document");
    assert!(
        stderr(&o).contains("not a page of document"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &archive,
        &[
            "review",
            "split",
            &first,
            "--at-page",
            "4",
            "--user",
            "jdoe",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let after = export(&archive);
    assert_eq!(of_kind(&after, "document").len(), docs.len());
    assert_eq!(text_of(&after, &first), t1);
    assert_eq!(text_of(&after, &second), t2);
    // Search finds the split-off document by its own words again.
    let o = run(&archive, &["search", "--json", "--mrn", "90000017"]);
    assert!(stdout(&o).contains(&second), "{}", stdout(&o));
    let o = run(&archive, &["audit", "verify"]);
    assert!(o.status.success());
}
