//! With `imaging.orientation = "osd"`, an upside-down or sideways page is turned upright
//! before OCR and its rotation is reported per the contract (clockwise degrees).

mod common;
use common::*;

#[test]
fn rotated_pages_are_turned_upright_before_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let page = image::open(samples().join("scans/discharge_summary.png"))
        .unwrap()
        .into_luma8();
    image::imageops::rotate180(&page)
        .save(inbox.join("upside_down.png"))
        .unwrap();
    image::imageops::rotate90(&page)
        .save(inbox.join("sideways.png"))
        .unwrap();
    let pipeline = dir.path().join("osd.toml");
    let default = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/default.toml"),
    )
    .unwrap();
    std::fs::write(
        &pipeline,
        default.replace("orientation = \"off\"", "orientation = \"osd\""),
    )
    .unwrap();

    let archive = dir.path().join("archive");
    let o = bin()
        .arg("--archive")
        .arg(&archive)
        .arg("--pipeline")
        .arg(&pipeline)
        .args(["ingest", "--quiet"])
        .arg(&inbox)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = export(&archive);
    for d in of_kind(&lines, "document") {
        let path = d["source"]["path"].as_str().unwrap();
        let expected = if path == "upside_down.png" { 180 } else { 90 };
        assert_eq!(d["pages"][0]["rotation_deg"], expected, "{path}");
        assert!(
            d["pages"][0]["text"]
                .as_str()
                .unwrap()
                .contains("DISCHARGE SUMMARY"),
            "{path}: {}",
            d["pages"][0]["text"]
        );
    }
}
