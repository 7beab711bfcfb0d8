//! Less common scanner encodings decode to the same page: JPEG-compressed multi-page TIFF,
//! and a PDF whose page image is Flate-compressed RGB with PNG predictors.

mod common;
use common::*;

#[test]
fn jpeg_tiff_and_flate_pdf_pages_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let archive = dir.path().join("archive");
    let o = run(
        &archive,
        &[
            "ingest",
            "--quiet",
            fixtures.join("jpeg_in_tiff.tif").to_str().unwrap(),
            fixtures.join("flate_rgb.pdf").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = export(&archive);
    let scans = of_kind(&lines, "scan");
    let tif = scans
        .iter()
        .find(|s| s["source"]["path"] == "jpeg_in_tiff.tif")
        .unwrap();
    assert_eq!(tif["page_count"], 2);
    for d in of_kind(&lines, "document") {
        for p in d["pages"].as_array().unwrap() {
            let text = p["text"].as_str().unwrap();
            assert!(
                text.contains("DISCHARGE SUMMARY"),
                "{}: {text}",
                d["source"]["path"]
            );
            assert!(
                text.contains("Metoprolol"),
                "{}: {text}",
                d["source"]["path"]
            );
        }
    }
}
