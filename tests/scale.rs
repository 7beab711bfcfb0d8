//! The scale generator and search benchmark with the real binary, on a small archive.

mod common;
use common::*;

#[test]
fn synthetic_archive_is_searchable_verifiable_and_benchmarked() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let none = dir.path().join("no-corpus");
    let out = ok(&run(
        &archive,
        &[
            "bench",
            "generate",
            "--documents",
            "400",
            "--batch-scans",
            "30",
            "--corpus",
            none.to_str().unwrap(),
        ],
    ));
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["added"]["documents"], 400, "{out}");
    assert_eq!(r["documents_in_index"], 400, "{out}");
    assert!(r["index_bytes_per_document"].as_f64().unwrap() > 100.0);

    // Real documents: searchable by text and by MRN, sealed at rest, verify clean.
    let res: serde_json::Value =
        serde_json::from_str(&ok(&run(&archive, &["search", "pneumothorax", "--json"]))).unwrap();
    assert!(res["total"].as_u64().unwrap() > 0, "{res}");
    let res: serde_json::Value = serde_json::from_str(&ok(&run(
        &archive,
        &["search", "--mrn", "10000001", "--json"],
    )))
    .unwrap();
    assert!(res["total"].as_u64().unwrap() > 0, "{res}");
    assert!(files_containing(&archive.join("catalog.db"), b"pneumothorax").is_empty());
    let v = ok(&run(&archive, &["verify"]));
    assert!(v.contains("ok:"), "{v}");
    assert_eq!(of_kind(&export(&archive), "document").len(), 400);

    // Adding more keeps the count exact (another seed: new scans); --merge leaves one segment.
    let out = ok(&run(
        &archive,
        &[
            "bench",
            "generate",
            "--documents",
            "100",
            "--seed",
            "2",
            "--merge",
            "--corpus",
            none.to_str().unwrap(),
        ],
    ));
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["documents_in_index"], 500, "{out}");
    assert_eq!(r["index_segments"], 1, "{out}");
    assert!(r["merge_secs"].as_f64().is_some(), "{out}");
    let out = ok(&run(
        &archive,
        &[
            "bench",
            "search",
            "--queries",
            "20",
            "--json",
            "--corpus",
            none.to_str().unwrap(),
        ],
    ));
    let b: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(b["documents"], 500);
    let kinds: Vec<&str> = b["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["term", "phrase", "mrn", "date_range", "facets", "fuzzy"]
    );
    for k in b["kinds"].as_array().unwrap() {
        assert_eq!(k["queries"], 20);
        assert!(k["p99_ms"].as_f64().unwrap() >= k["p50_ms"].as_f64().unwrap());
    }
    // MRN queries find that patient's documents.
    assert!(b["kinds"][2]["mean_total_hits"].as_f64().unwrap() > 0.0);
}

#[test]
fn indexing_benchmark_runs_both_indexes_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("untouched");
    let none = dir.path().join("no-corpus");
    let out = ok(&run(
        &archive,
        &[
            "bench",
            "indexing",
            "--documents",
            "300",
            "--rounds",
            "2",
            "--json",
            "--corpus",
            none.to_str().unwrap(),
        ],
    ));
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["documents"], 300, "{out}");
    for key in ["archive_docs_per_sec", "bare_docs_per_sec"] {
        let rounds = r[key].as_array().unwrap();
        assert_eq!(rounds.len(), 2, "{out}");
        assert!(rounds.iter().all(|v| v.as_f64().unwrap() > 0.0), "{out}");
    }
    assert!(r["ratio"].as_f64().unwrap() > 0.0, "{out}");
    // The archive index stores the text and word pairs: larger than the bare one.
    assert!(
        r["archive_bytes_per_doc"].as_f64().unwrap() > r["bare_bytes_per_doc"].as_f64().unwrap(),
        "{out}"
    );
    assert!(
        !archive.exists(),
        "the benchmark writes only temporary folders"
    );
}

#[test]
fn an_index_of_an_older_format_is_rebuilt_from_the_catalog_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let none = dir.path().join("no-corpus");
    let gen = ["bench", "generate", "--documents", "150", "--corpus"];
    let mut args = gen.to_vec();
    args.push(none.to_str().unwrap());
    ok(&run(&archive, &args));
    let phrase = |archive: &std::path::Path| -> u64 {
        let out = ok(&run(archive, &["search", "\"the patient\"", "--json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["total"].as_u64().unwrap()
    };
    let before = phrase(&archive);
    assert!(before > 0);
    // An index written by the previous build: every pair, under the old analyzer name.
    let meta = archive.join("index").join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    assert!(text.contains("chart_text_pairs_f2"));
    std::fs::write(
        &meta,
        text.replace("chart_text_pairs_f2", "chart_text_pairs"),
    )
    .unwrap();
    // Opening the archive rebuilds the index (and says so): same documents, same hits.
    let out = run(&archive, &["verify"]);
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(said.contains("rebuilding it from the catalog"), "{said}");
    let v = ok(&out);
    assert!(v.contains("150 documents (150 in the index)"), "{v}");
    assert!(std::fs::read_to_string(&meta)
        .unwrap()
        .contains("chart_text_pairs_f2"));
    assert_eq!(phrase(&archive), before);
}
