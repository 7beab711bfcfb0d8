//! No page with content is dropped: a page with a few faint lines (name line at the top
//! edge, a footer at the bottom edge) is kept as content and flagged, not taken for a
//! blank back; a page of content carrying a separator's barcode stays content (flagged);
//! a duplex back with mirrored show-through is still blank, and a real separator sheet is
//! still a separator.

mod common;
use common::pdf::{pdf_of, stream};
use common::*;

use image::{GrayImage, Luma};
use std::path::Path;

fn sample() -> GrayImage {
    image::open(samples().join("scans/discharge_summary.png"))
        .unwrap()
        .into_luma8()
}

/// Row bands holding ink (text lines) of a page, top to bottom.
fn text_bands(page: &GrayImage) -> Vec<(u32, u32)> {
    let (w, h) = page.dimensions();
    let inked: Vec<bool> = (0..h)
        .map(|y| (0..w).filter(|&x| page.get_pixel(x, y).0[0] < 128).count() > 2)
        .collect();
    let mut bands = Vec::new();
    let mut start = None;
    for (y, ink) in inked.iter().enumerate() {
        match (ink, start) {
            (true, None) => start = Some(y as u32),
            (false, Some(s)) => {
                if y as u32 - s > 8 {
                    bands.push((s.saturating_sub(3), y as u32 + 3));
                }
                start = None;
            }
            _ => {}
        }
    }
    bands
}

/// A page holding a few of the sample's lines, printed faint: the name line at the top
/// edge, two lines mid-page, the last line at the bottom edge.
fn faint_short_page(page: &GrayImage) -> GrayImage {
    let bands = text_bands(page);
    assert!(bands.len() >= 5, "{bands:?}");
    let (w, h) = page.dimensions();
    let mut out = GrayImage::from_pixel(w, h, Luma([247]));
    let places = [
        (bands[1], 45),
        (bands[2], h / 2),
        (bands[3], h / 2 + 60),
        (bands[bands.len() - 1], h - 100),
    ];
    for ((y0, y1), to) in places {
        for y in y0..y1 {
            for x in 0..w {
                let v = page.get_pixel(x, y).0[0] as f32;
                // Light grey print: black becomes 145 on paper of 247.
                let faint = 247.0 - (247.0 - v).max(0.0) * 0.42;
                let ty = to + (y - y0);
                if ty < h {
                    out.put_pixel(x, ty, Luma([faint as u8]));
                }
            }
        }
    }
    out
}

/// The back of a sheet: the sample page mirrored, showing through faintly.
fn show_through_back(page: &GrayImage) -> GrayImage {
    let mirrored = image::imageops::flip_horizontal(page);
    let mut out = GrayImage::from_pixel(page.width(), page.height(), Luma([246]));
    for (x, y, p) in mirrored.enumerate_pixels() {
        let v = 246.0 - (246.0 - p.0[0] as f32).max(0.0) * 0.12;
        out.put_pixel(x, y, Luma([v as u8]));
    }
    out
}

/// The sample page, its text printed twice (a full page of content), with a big
/// separator code (`MRN00412345`) printed over its top.
fn content_with_separator_code(page: &GrayImage) -> GrayImage {
    use rxing::Writer;
    let mut out = page.clone();
    let bands = text_bands(page);
    let (first, last) = (bands[0].0, bands[bands.len() - 1].1);
    let shift = last - first + 40;
    for y in first..last {
        if y + shift < page.height() - 60 {
            for x in 0..page.width() {
                out.put_pixel(x, y + shift, *page.get_pixel(x, y));
            }
        }
    }
    let code = rxing::MultiFormatWriter
        .encode("MRN00412345", &rxing::BarcodeFormat::CODE_128, 1000, 160)
        .unwrap();
    for y in 0..code.getHeight() {
        for x in 0..code.getWidth() {
            let v = if code.get(x, y) { 10 } else { 255 };
            out.put_pixel(350 + x, 8 + y, Luma([v]));
        }
    }
    out
}

fn ingest(dir: &Path, pages: &[(&str, GrayImage)]) -> Vec<serde_json::Value> {
    let inbox = dir.join("batch");
    std::fs::create_dir_all(&inbox).unwrap();
    for (name, page) in pages {
        page.save(inbox.join(name)).unwrap();
    }
    let archive = dir.join("archive");
    let o = run(&archive, &["ingest", "--quiet", inbox.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    export(&archive)
}

#[test]
fn a_faint_short_page_is_kept_and_show_through_is_blank() {
    let dir = tempfile::tempdir().unwrap();
    let page = sample();
    let lines = ingest(
        dir.path(),
        &[
            ("p1.png", page.clone()),
            ("p2.png", faint_short_page(&page)),
            ("p3.png", show_through_back(&page)),
        ],
    );
    let scan = of_kind(&lines, "scan")[0].clone();
    assert_eq!(scan["blank_pages"], serde_json::json!([3]), "{scan}");
    let kept: Vec<(u64, String)> = of_kind(&lines, "document")
        .iter()
        .flat_map(|d| d["pages"].as_array().unwrap().clone())
        .map(|p| {
            (
                p["source_page"].as_u64().unwrap(),
                p["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let faint = kept.iter().find(|(n, _)| *n == 2);
    let text = &faint.expect("the faint page is in a document").1;
    assert!(text.contains("TESTPATIENT"), "{text}");
}

#[test]
fn a_content_page_with_a_separator_code_stays_content() {
    let dir = tempfile::tempdir().unwrap();
    let page = sample();
    let lines = ingest(
        dir.path(),
        &[
            ("p1.png", page.clone()),
            ("p2.png", content_with_separator_code(&page)),
        ],
    );
    let scan = of_kind(&lines, "scan")[0].clone();
    assert_eq!(scan["separator_pages"], serde_json::json!([]), "{scan}");
    let in_documents: Vec<u64> = of_kind(&lines, "document")
        .iter()
        .flat_map(|d| d["pages"].as_array().unwrap().clone())
        .map(|p| p["source_page"].as_u64().unwrap())
        .collect();
    assert!(in_documents.contains(&2), "{in_documents:?}");
    let archive = dir.path().join("archive");
    let review = run(&archive, &["review", "list"]);
    assert!(
        stdout(&review).contains("separator_code_on_content"),
        "{}",
        stdout(&review)
    );
    // The doubt belongs to the page: a person regrouping the pages keeps it on the
    // document that now holds page 2 (split it off, or merge it into the one before).
    let holder = holding_page(&lines, 2);
    let id = holder["doc_id"].as_str().unwrap().to_string();
    let whole = holder["pages"].as_array().unwrap().len() > 1;
    let o = if whole {
        run(
            &archive,
            &["review", "split", &id, "--at-page", "2", "--user", "jdoe"],
        )
    } else {
        run(&archive, &["review", "merge", &id, "--user", "jdoe"])
    };
    assert!(o.status.success(), "{}", stderr(&o));
    let after = export(&archive);
    let holder = holding_page(&after, 2);
    let id = holder["doc_id"].as_str().unwrap();
    let review = stdout(&run(&archive, &["review", "list"]));
    let line = review.lines().find(|l| l.starts_with(id)).unwrap_or("");
    assert!(line.contains("separator_code_on_content"), "{id}: {review}");
}

#[test]
fn the_sample_separator_sheets_are_still_separators() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let o = run(
        &archive,
        &[
            "ingest",
            "--quiet",
            samples()
                .join("scans/chart_with_separators.tif")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = export(&archive);
    let scan = of_kind(&lines, "scan")[0].clone();
    assert_eq!(scan["separator_pages"], serde_json::json!([1, 3]), "{scan}");
}

/// A PDF page with a line of text, a filled-in form field without an appearance (as forms
/// saved with NeedAppearances are), a sticky note, and a link.
fn form_pdf(widget_has_appearance: bool, note: bool, need_appearances: bool) -> Vec<u8> {
    let content =
        b"BT /F1 20 Tf 72 700 Td (Outside referral form) Tj 0 -40 Td (Patient name:) Tj ET";
    let ap = if widget_has_appearance {
        " /AP << /N 9 0 R >>"
    } else {
        ""
    };
    let catalog = if need_appearances {
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /NeedAppearances true >> >>"
    } else {
        "<< /Type /Catalog /Pages 2 0 R >>"
    };
    let objs: Vec<Vec<u8>> = vec![
        catalog.as_bytes().to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 7 0 R 8 0 R] >>"
            .to_vec(),
        stream("", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        format!(
            "<< /Type /Annot /Subtype /Widget /FT /Tx /T (patient) /V (Jane Quartermaine) \
             /Rect [220 640 500 670]{ap} >>"
        )
        .into_bytes(),
        if note {
            b"<< /Type /Annot /Subtype /Text /Contents (Call back about the biopsy result) \
               /Rect [520 700 540 720] /AP << /N 10 0 R >> >>"
                .to_vec()
        } else {
            b"<< /Type /Annot /Subtype /Square /Rect [520 700 540 720] >>".to_vec()
        },
        b"<< /Type /Annot /Subtype /Link /Contents (a link label) /Rect [0 0 10 10] >>".to_vec(),
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 280 30] /Length 0 >>\nstream\n\nendstream"
            .to_vec(),
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 20 20] /Length 0 >>\nstream\n\nendstream"
            .to_vec(),
    ];
    // The note's appearance is its icon: its text shows only in a pop-up.
    pdf_of(&objs)
}

#[test]
fn a_form_fields_value_the_page_does_not_draw_is_kept_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let file = dir.path().join("referral.pdf");
    std::fs::write(&file, form_pdf(false, true, false)).unwrap();
    ok(&run(
        &archive,
        &["ingest", "--quiet", file.to_str().unwrap()],
    ));
    let lines = export(&archive);
    let docs = of_kind(&lines, "document");
    assert_eq!(docs.len(), 1);
    let text = docs[0]["pages"][0]["text"].as_str().unwrap();
    assert!(text.contains("Outside referral form"), "{text}");
    assert!(
        text.contains("Jane Quartermaine"),
        "the field's value: {text}"
    );
    assert!(
        text.contains("Call back about the biopsy result"),
        "the note: {text}"
    );
    assert!(!text.contains("a link label"), "{text}");
    let queue = ok(&run(&archive, &["review", "list"]));
    assert!(queue.contains("content_not_drawn"), "{queue}");

    // Drawn from its appearance: the page stands as drawn and nothing is flagged for it
    // (the value is whatever the appearance shows; here an empty box).
    let archive2 = dir.path().join("archive2");
    std::fs::write(&file, form_pdf(true, false, false)).unwrap();
    ok(&run(
        &archive2,
        &["ingest", "--quiet", file.to_str().unwrap()],
    ));
    let queue = stdout(&run(&archive2, &["review", "list"]));
    assert!(!queue.contains("content_not_drawn"), "{queue}");
    let text = first_page_text(&archive2);
    assert!(!text.contains("Jane Quartermaine"), "{text}");

    // The same form saying its appearances are stale (NeedAppearances): the saved empty
    // box is not the value; the value is kept and the document flagged.
    let archive3 = dir.path().join("archive3");
    std::fs::write(&file, form_pdf(true, false, true)).unwrap();
    ok(&run(
        &archive3,
        &["ingest", "--quiet", file.to_str().unwrap()],
    ));
    let text = first_page_text(&archive3);
    assert!(text.contains("Jane Quartermaine"), "{text}");
    let queue = stdout(&run(&archive3, &["review", "list"]));
    assert!(queue.contains("content_not_drawn"), "{queue}");
}

#[test]
fn a_pdf_page_drawing_a_picture_the_file_does_not_hold_is_quarantined_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let content = b"q 612 0 0 792 0 0 cm /Im1 Do Q BT /F1 20 Tf 72 700 Td (Fax cover) Tj ET";
    let objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        stream("", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    let file = dir.path().join("fax-missing-picture.pdf");
    std::fs::write(&file, pdf_of(&objs)).unwrap();
    let o = run(&archive, &["ingest", "--quiet", file.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(
        err.contains("fax-missing-picture.pdf") && err.contains("does not contain"),
        "{err}"
    );
    assert!(of_kind(&export(&archive), "document").is_empty());
}

#[test]
fn annotations_drawn_from_their_appearances_are_not_added_again() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let content = b"BT /F1 20 Tf 72 700 Td (History and physical) Tj ET";
    let note = b"BT /F1 12 Tf 2 8 Td (Allergic to penicillin) Tj ET";
    let objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 8 0 R] >>"
            .to_vec(),
        stream("", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        // A free-text note drawn from its appearance.
        b"<< /Type /Annot /Subtype /FreeText /Contents (Allergic to penicillin) \
           /Rect [72 600 300 620] /AP << /N 7 0 R >> >>"
            .to_vec(),
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 228 20] \
             /Resources << /Font << /F1 5 0 R >> >>",
            note,
        ),
        // An unticked checkbox: its appearance dictionary has only the ticked state.
        b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (consent) /V /Off /AS /Off \
           /Rect [72 560 84 572] /AP << /N << /Yes 9 0 R >> >> >>"
            .to_vec(),
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 12 12]",
            b"0 0 12 12 re f",
        ),
    ];
    let file = dir.path().join("hp.pdf");
    std::fs::write(&file, pdf_of(&objs)).unwrap();
    ok(&run(
        &archive,
        &["ingest", "--quiet", file.to_str().unwrap()],
    ));
    let text = first_page_text(&archive);
    assert!(text.matches("penicillin").count() <= 1, "{text}");
    let queue = stdout(&run(&archive, &["review", "list"]));
    assert!(!queue.contains("content_not_drawn"), "{queue}");
}

/// The text of the first page of the first document `export` lists.
fn first_page_text(archive: &Path) -> String {
    of_kind(&export(archive), "document")[0]["pages"][0]["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The exported document that holds the scan's page `page`.
fn holding_page(lines: &[serde_json::Value], page: u64) -> &serde_json::Value {
    of_kind(lines, "document")
        .into_iter()
        .find(|d| {
            d["pages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["source_page"] == page)
        })
        .unwrap()
}
