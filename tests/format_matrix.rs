//! The format matrix (`tests/formats/`, made by `tools/make-format-matrix.sh` with standard
//! tools): every encoding a scanner, fax server or outside provider sends is ingested by the
//! real binary in one run, and each page must come out with the text it shows (CER at most
//! 2% against the manifest), the right page count, and the right text source (`pdf_text`
//! only for the real text of born-digital PDFs, with that text exactly).

mod common;
use common::*;

use rxing::Writer;
use std::collections::HashMap;
use std::path::Path;

struct Cell {
    file: String,
    pages: usize,
    texts: Vec<String>,
    text_source: String,
}

fn manifest() -> Vec<Cell> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats");
    std::fs::read_to_string(dir.join("manifest.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Cell {
                file: v["file"].as_str().unwrap().to_string(),
                pages: v["pages"].as_u64().unwrap() as usize,
                texts: v["texts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
                text_source: v["text_source"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn normal(s: &str) -> Vec<char> {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect()
}

/// Character error rate: edit distance over the reference length.
fn cer(reference: &str, read: &str) -> f64 {
    let (a, b) = (normal(reference), normal(read));
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + (ca != cb) as usize)
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()] as f64 / a.len().max(1) as f64
}

#[test]
fn cer_counts_edits() {
    assert_eq!(cer("abcd", "abcd"), 0.0);
    assert_eq!(cer("abcd", "abxd"), 0.25);
    assert_eq!(cer("a  b\nc", "a b c"), 0.0);
    assert_eq!(cer("abcd", ""), 1.0);
}

#[test]
fn every_cell_of_the_format_matrix_ingests_with_its_text() {
    let cells = manifest();
    assert!(cells.len() >= 40, "the matrix has {} cells", cells.len());
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let formats = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats");
    for c in &cells {
        std::fs::copy(formats.join(&c.file), inbox.join(&c.file)).unwrap();
    }
    let archive = dir.path().join("archive");
    let o = run(&archive, &["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = export(&archive);
    let mut scans = HashMap::new();
    for s in of_kind(&lines, "scan") {
        let name = s["source"]["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        scans.insert(name, s.clone());
    }
    // (file, page) -> (text, text source)
    let mut pages: HashMap<(String, u64), (String, String)> = HashMap::new();
    for d in of_kind(&lines, "document") {
        let name = d["source"]["path"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        for p in d["pages"].as_array().unwrap() {
            pages.insert(
                (name.clone(), p["source_page"].as_u64().unwrap()),
                (
                    p["text"].as_str().unwrap().to_string(),
                    p["text_source"].as_str().unwrap_or("?").to_string(),
                ),
            );
        }
    }
    let mut failures = Vec::new();
    let mut worst = 0.0f64;
    for c in &cells {
        let Some(scan) = scans.get(&c.file) else {
            failures.push(format!("{}: not archived", c.file));
            continue;
        };
        if scan["page_count"].as_u64() != Some(c.pages as u64) {
            failures.push(format!(
                "{}: {} pages, expected {}",
                c.file, scan["page_count"], c.pages
            ));
        }
        for (i, want) in c.texts.iter().enumerate() {
            let Some((text, source)) = pages.get(&(c.file.clone(), i as u64 + 1)) else {
                failures.push(format!("{} page {}: in no document", c.file, i + 1));
                continue;
            };
            let e = cer(want, text);
            worst = worst.max(e);
            if e > 0.02 {
                failures.push(format!(
                    "{} page {}: CER {:.1}%: {text:?}",
                    c.file,
                    i + 1,
                    e * 100.0
                ));
            }
            if *source != c.text_source {
                failures.push(format!(
                    "{} page {}: text source {source}, expected {}",
                    c.file,
                    i + 1,
                    c.text_source
                ));
            }
            // A mixed page's pictures are read by OCR; the rest of its text is the PDF's own.
            let mixed = c.file.contains("mixed");
            if c.text_source == "pdf_text" && !mixed && normal(want) != normal(text) {
                failures.push(format!(
                    "{} page {}: PDF text not exact: {text:?}",
                    c.file,
                    i + 1
                ));
            }
        }
    }
    eprintln!(
        "format matrix: {} cells, worst page CER {:.2}%",
        cells.len(),
        worst * 100.0
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn formats_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/formats")
        .join(name)
}

fn text_of(lines: &[serde_json::Value], file: &str) -> String {
    of_kind(lines, "document")
        .iter()
        .filter(|d| d["source"]["path"].as_str().unwrap().ends_with(file))
        .flat_map(|d| d["pages"].as_array().unwrap().clone())
        .map(|p| p["text"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A page stored light on dark (a negative, or a file whose polarity tag is wrong) is read
/// as dark on light: never archived as the garbage a reading of the negative gives.
#[test]
fn an_inverted_page_is_read_right_way_round() {
    let dir = tempfile::tempdir().unwrap();
    let mut page = image::open(formats_file("F32-png-gray8.png"))
        .unwrap()
        .into_luma8();
    image::imageops::invert(&mut page);
    let file = dir.path().join("negative.png");
    page.save(&file).unwrap();
    let archive = dir.path().join("archive");
    let o = run(&archive, &["ingest", "--quiet", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = text_of(&export(&archive), "negative.png");
    let want = manifest()
        .into_iter()
        .find(|c| c.file.starts_with("F32"))
        .unwrap()
        .texts[0]
        .clone();
    assert!(cer(&want, &text) <= 0.02, "{text:?}");
}

/// A page that reads as nonsense (no text a person would recognise) is archived, never
/// dropped, and goes to the review queue with the reason.
#[test]
fn an_implausible_reading_goes_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 7u32;
    let noise = image::GrayImage::from_fn(1275, 1650, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        image::Luma([if (seed >> 16).is_multiple_of(5) {
            0
        } else {
            255
        }])
    });
    let file = dir.path().join("static.png");
    noise.save(&file).unwrap();
    let archive = dir.path().join("archive");
    let o = run(&archive, &["ingest", "--quiet", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let scans = export(&archive);
    let scan = of_kind(&scans, "scan")[0].clone();
    assert_eq!(scan["page_count"], 1);
    assert_eq!(
        scan["documents"].as_array().unwrap().len(),
        1,
        "the page is kept as a document: {scan}"
    );
    let o = run(&archive, &["review", "list"]);
    let out = stdout(&o);
    assert!(out.contains("low_ocr_confidence"), "{out}");
}

/// A `document_start` barcode (a form code on page one) starts a document on the page that
/// carries it, keeps the page, and sets the type (and MRN) the rule says.
#[test]
fn a_document_start_barcode_keeps_its_page_and_sets_the_type() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    let embedded = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/default.toml"),
    )
    .unwrap();
    std::fs::write(
        &pipeline,
        embedded.replacen(
            "[[barcodes]]",
            "[[barcodes]]\npattern = \"^FORM-CONSENT-(?P<mrn>[0-9]{8})$\"\naction = \"document_start\"\ndoc_type = \"consent_form\"\n\n[[barcodes]]",
            1,
        ),
    )
    .unwrap();
    // Two pages of text; the second carries the form code in its corner.
    let folder = dir.path().join("batch");
    std::fs::create_dir(&folder).unwrap();
    for (i, file) in ["F39-jpeg-gray-baseline.jpg", "F32-png-gray8.png"]
        .iter()
        .enumerate()
    {
        let text = image::open(formats_file(file)).unwrap().into_luma8();
        let mut page = image::GrayImage::from_pixel(1700, 2200, image::Luma([255]));
        image::imageops::overlay(&mut page, &text, 100, 400);
        if i == 1 {
            let code = rxing::MultiFormatWriter
                .encode(
                    "FORM-CONSENT-00777777",
                    &rxing::BarcodeFormat::CODE_128,
                    600,
                    120,
                )
                .unwrap();
            for y in 0..code.getHeight() {
                for x in 0..code.getWidth() {
                    if code.get(x, y) {
                        page.put_pixel(1000 + x, 100 + y, image::Luma([0]));
                    }
                }
            }
        }
        page.save(folder.join(format!("page{}.png", i + 1)))
            .unwrap();
    }
    let archive = dir.path().join("archive");
    let o = run(
        &archive,
        &[
            "ingest",
            "--quiet",
            "--pipeline",
            pipeline.to_str().unwrap(),
            folder.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = export(&archive);
    let docs = of_kind(&lines, "document");
    assert_eq!(docs.len(), 2, "{docs:?}");
    let second = docs
        .iter()
        .find(|d| d["source"]["pages"] == serde_json::json!([2]))
        .expect("page 2 starts its own document and stays in it");
    assert_eq!(second["doc_type"], "consent_form");
    assert_eq!(second["patient"]["mrn"], "00777777");
}

/// A page that draws one picture thousands of times (rendering would decode it each time,
/// minutes per page) is refused with the reason before anything is rendered.
#[test]
fn a_page_drawing_a_picture_thousands_of_times_is_refused_quickly() {
    use lopdf::{dictionary, Document, Object, Stream};
    let dir = tempfile::tempdir().unwrap();
    let mut doc = Document::with_version("1.5");
    let pixels = vec![0xFFu8; 1000 * 1000];
    let mut image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1000, "Height" => 1000,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        pixels,
    );
    image.compress().unwrap();
    let image_id = doc.add_object(image);
    let content = "q 612 0 0 792 0 0 cm /Im1 Do Q\n".repeat(3000);
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => image_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let file = dir.path().join("repeat.pdf");
    doc.save(&file).unwrap();
    let archive = dir.path().join("archive");
    let o = run(&archive, &["ingest", "--quiet", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("pictures totalling"), "{}", stderr(&o));
}
