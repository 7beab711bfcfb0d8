//! PDF pages whose content is not all in their drawing, or whose drawing is damaged: the
//! real binary ingests each and is checked for what it keeps, flags or refuses.
//!
//! - form values a viewer shows but the saved page does not draw (ticked boxes, chosen
//!   list entries, values a field inherits from its parent fields) and comments attached
//!   to markup (a highlight's note) are kept in the page's text and flagged for review;
//! - drawing instructions cut short (a truncated compressed stream), damaged part way, or
//!   naming a picture the file lacks inside a nested drawing: the scan is quarantined with
//!   a reason naming the file and the page, never archived as if whole.

mod common;
use common::pdf::{pdf_of, stream};
use common::*;

use std::io::Write;

const TEXT: &[u8] = b"BT /F1 20 Tf 72 700 Td (Outside referral form) Tj ET";

fn catalog(need_appearances: bool) -> Vec<u8> {
    let form = if need_appearances {
        " /AcroForm << /Fields [6 0 R 8 0 R 9 0 R] /NeedAppearances true >>"
    } else {
        ""
    };
    format!("<< /Type /Catalog /Pages 2 0 R{form} >>").into_bytes()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A page of text with a ticked box and a list drawn from stale appearances, a field whose
/// value sits two parents up, and a highlight carrying a comment.
fn form_page() -> Vec<u8> {
    let objs: Vec<Vec<u8>> = vec![
        catalog(true),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 8 0 R 11 0 R 12 0 R] >>"
            .to_vec(),
        stream("", TEXT),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        // 6: a ticked box; its saved appearance may be stale (NeedAppearances).
        b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (allergies) /TU (Allergies reviewed) \
           /V /Yes /AS /Yes /Rect [72 560 84 572] /AP << /N << /Yes 7 0 R /Off 7 0 R >> >> >>"
            .to_vec(),
        stream("/Type /XObject /Subtype /Form /BBox [0 0 12 12]", b""),
        // 8: a list with two entries chosen.
        b"<< /Type /Annot /Subtype /Widget /FT /Ch /T (services) \
           /V [(Cardiology) (Oncology records)] /Rect [72 500 300 540] >>"
            .to_vec(),
        // 9, 10: a field whose value is its grandparent's; 11 is the widget on the page.
        b"<< /T (referral) /FT /Tx /V (Referred by Dr Okonkwo-Baptiste) /Kids [10 0 R] >>".to_vec(),
        b"<< /T (by) /Parent 9 0 R /Kids [11 0 R] >>".to_vec(),
        b"<< /Type /Annot /Subtype /Widget /Parent 10 0 R /Rect [72 440 400 460] >>".to_vec(),
        // 12: a highlight drawn from its appearance; its comment shows only in a pop-up.
        b"<< /Type /Annot /Subtype /Highlight /Contents (Confirm the penicillin reaction) \
           /Rect [72 690 300 720] /QuadPoints [72 720 300 720 72 690 300 690] \
           /AP << /N 7 0 R >> >>"
            .to_vec(),
    ];
    pdf_of(&objs)
}

#[test]
fn form_values_and_comments_the_page_does_not_draw_are_kept_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let file = dir.path().join("referral.pdf");
    std::fs::write(&file, form_page()).unwrap();
    ok(&run(
        &archive,
        &["ingest", "--quiet", file.to_str().unwrap()],
    ));
    let text = of_kind(&export(&archive), "document")[0]["pages"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("Outside referral form"), "{text}");
    assert!(
        text.contains("Allergies reviewed: Yes"),
        "ticked box: {text}"
    );
    assert!(
        text.contains("services: Cardiology, Oncology records"),
        "list entries: {text}"
    );
    assert!(
        text.contains("Referred by Dr Okonkwo-Baptiste"),
        "inherited value: {text}"
    );
    assert!(
        text.contains("Confirm the penicillin reaction"),
        "highlight comment: {text}"
    );
    let queue = ok(&run(&archive, &["review", "list"]));
    assert!(queue.contains("content_not_drawn"), "{queue}");
}

/// A page of text, its instructions as given (compressed when `flate`), using a drawing
/// (object 6) whose own instructions are `form`.
fn page_with(content: &[u8], flate: bool, form: &[u8]) -> Vec<u8> {
    let contents = if flate {
        stream("/Filter /FlateDecode", &deflate(content))
    } else {
        stream("", content)
    };
    let objs: Vec<Vec<u8>> = vec![
        catalog(false),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> >>"
            .to_vec(),
        contents,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 612 792] \
             /Resources << /Font << /F1 5 0 R >> >>",
            form,
        ),
    ];
    pdf_of(&objs)
}

fn body() -> Vec<u8> {
    let mut b = TEXT.to_vec();
    for i in 0..40 {
        b.extend_from_slice(
            format!(
                " BT /F1 11 Tf 72 {} Td (Progress note line {i}) Tj ET",
                660 - i * 14
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(b" /Fm1 Do");
    b
}

/// Ingests `bytes` as `name`; returns stderr and the documents archived.
fn ingest(name: &str, bytes: &[u8]) -> (String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let o = run(&archive, &["ingest", "--quiet", file.to_str().unwrap()]);
    let docs = if archive.join("catalog.db").exists() {
        of_kind(&export(&archive), "document").len()
    } else {
        0
    };
    (stderr(&o), docs)
}

#[test]
fn a_whole_compressed_page_with_a_nested_drawing_is_read() {
    let form = b"BT /F1 11 Tf 72 60 Td (Signed electronically) Tj ET";
    let (err, docs) = ingest("note.pdf", &page_with(&body(), true, form));
    assert_eq!(docs, 1, "{err}");
}

#[test]
fn damaged_drawing_instructions_are_quarantined_with_the_reason() {
    let form = b"BT /F1 11 Tf 72 60 Td (Signed electronically) Tj ET";
    // Cut short: the compressed instructions lose their second half in transfer.
    let whole = deflate(&body());
    let mut file = page_with(&body(), true, form);
    let at = file
        .windows(whole.len())
        .position(|w| w == whole.as_slice())
        .unwrap();
    let keep = whole.len() / 2;
    file.drain(at + keep..at + whole.len());
    let (err, docs) = ingest("cut-note.pdf", &file);
    assert_eq!(docs, 0, "{err}");
    assert!(
        err.contains("cut-note.pdf") && err.contains("page 1") && err.contains("cut short"),
        "{err}"
    );

    // Damaged part way: a string that never ends swallows the rest of the page.
    let mut broken = body();
    broken.splice(200..200, b" (Patient refused".iter().copied());
    let (err, docs) = ingest("garbled-note.pdf", &page_with(&broken, false, form));
    assert_eq!(docs, 0, "{err}");
    assert!(
        err.contains("garbled-note.pdf") && err.contains("damaged part way"),
        "{err}"
    );

    // A nested drawing names a picture the file does not hold.
    let (err, docs) = ingest(
        "hole.pdf",
        &page_with(&body(), false, b"q 100 0 0 100 0 0 cm /Im9 Do Q"),
    );
    assert_eq!(docs, 0, "{err}");
    assert!(
        err.contains("hole.pdf") && err.contains("\"Im9\"") && err.contains("does not contain"),
        "{err}"
    );
}
