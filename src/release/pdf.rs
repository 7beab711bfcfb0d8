//! The release PDF, written with lopdf: one page per archived page image (JPEG, shown at
//! its scan resolution) with the OCR words as invisible text (render mode 3) on their
//! boxes, so the PDF is searchable and text can be selected where it is printed.

use lopdf::{dictionary, Document, Object, Stream};

use crate::model::OcrWord;

/// One archived page to release.
pub struct ReleasePage {
    /// The viewer image (JPEG) of the page.
    pub jpeg: Vec<u8>,
    /// Size in pixels of the image OCR read (the word boxes' frame) and its resolution.
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: u32,
    pub words: Vec<OcrWord>,
}

/// The first page: who receives what, and why.
pub struct CoverSheet {
    pub disclosure_id: String,
    /// Who asked for the release.
    pub requester: String,
    pub recipient: String,
    pub purpose: String,
    /// What permits it, in words, and the authorization on file (or why none is needed).
    pub basis: String,
    pub authorization: String,
    pub released_by: String,
    pub released_at: String,
    pub facility: String,
    /// Each patient the release concerns: name, MRN, date of birth.
    pub patients: Vec<String>,
    /// Each document in release order: type, date of service, pages.
    pub contents: Vec<String>,
    pub documents: usize,
    pub pages: usize,
}

/// Why a release PDF could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("page {page}: the page image is not a readable JPEG: {source}")]
    PageImage {
        page: usize,
        source: image::ImageError,
    },
    #[error("cannot write the PDF: {0}")]
    Write(#[from] std::io::Error),
}

pub fn build_pdf(cover: &CoverSheet, pages: &[ReleasePage]) -> Result<Vec<u8>, ReleaseError> {
    build(
        Some(cover),
        &format!("Release of information {}", cover.disclosure_id),
        pages,
    )
}

/// One document's pages as a searchable PDF, without a cover sheet (a download for the
/// archive's own staff, not a release).
pub fn pages_pdf(title: &str, pages: &[ReleasePage]) -> Result<Vec<u8>, ReleaseError> {
    build(None, title, pages)
}

fn build(
    cover: Option<&CoverSheet>,
    title: &str,
    pages: &[ReleasePage],
) -> Result<Vec<u8>, ReleaseError> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut kids = Vec::new();
    if let Some(cover) = cover {
        kids.extend(cover_pages(&mut doc, pages_id, font_id, cover));
    }
    for (i, p) in pages.iter().enumerate() {
        kids.push(
            image_page(&mut doc, pages_id, font_id, p).map_err(|source| {
                ReleaseError::PageImage {
                    page: i + 1,
                    source,
                }
            })?,
        );
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids.into_iter().map(Object::Reference).collect::<Vec<_>>(),
            "Count" => count,
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::string_literal(title),
        "Producer" => Object::string_literal("ChartVault"),
    });
    doc.trailer.set("Info", info_id);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

/// The cover sheet: who asked, who receives it, why and on what basis, the patients and
/// every document released, and signature lines; as many pages as its list needs.
fn cover_pages(
    doc: &mut Document,
    parent: lopdf::ObjectId,
    font: lopdf::ObjectId,
    c: &CoverSheet,
) -> Vec<lopdf::ObjectId> {
    let mut lines: Vec<(f32, String)> = vec![
        (18.0, "Release of Information".to_string()),
        (11.0, c.facility.clone()),
        (6.0, String::new()),
        (11.0, format!("Disclosure: {}", c.disclosure_id)),
        (11.0, format!("Date: {}", c.released_at)),
        (11.0, format!("Requested by: {}", c.requester)),
        (11.0, format!("Released to: {}", c.recipient)),
        (11.0, format!("Purpose: {}", c.purpose)),
        (11.0, format!("Basis: {}", c.basis)),
        (11.0, format!("Authorization: {}", c.authorization)),
        (11.0, format!("Released by: {}", c.released_by)),
        (6.0, String::new()),
        (
            12.0,
            if c.patients.len() == 1 {
                "Patient".into()
            } else {
                format!("Patients ({})", c.patients.len())
            },
        ),
    ];
    lines.extend(c.patients.iter().map(|p| (10.0, format!("    {p}"))));
    lines.push((6.0, String::new()));
    lines.push((
        12.0,
        format!("Contents: {} documents, {} pages", c.documents, c.pages),
    ));
    lines.extend(c.contents.iter().map(|d| (10.0, format!("    {d}"))));
    lines.push((6.0, String::new()));
    lines.push((
        9.0,
        "This release is recorded in the accounting of disclosures.".to_string(),
    ));
    lines.push((
        9.0,
        "Confidential health information: do not re-disclose without authorization.".to_string(),
    ));
    lines.push((14.0, String::new()));
    lines.push((
        10.0,
        "Released by (signature): ______________________________   Date: ____________".to_string(),
    ));
    lines.push((14.0, String::new()));
    lines.push((
        10.0,
        "Received by (signature): ______________________________   Date: ____________".to_string(),
    ));
    let mut pages = Vec::new();
    let mut ops = String::from("BT\n");
    let mut y = 720.0;
    for (size, text) in lines {
        if y < 72.0 {
            ops.push_str("ET\n");
            pages.push(add_page(
                doc,
                parent,
                font,
                None,
                612.0,
                792.0,
                std::mem::take(&mut ops),
            ));
            ops.push_str("BT\n");
            y = 720.0;
        }
        if !text.is_empty() {
            ops.push_str(&format!(
                "/F1 {size} Tf 1 0 0 1 72 {y:.1} Tm ({}) Tj\n",
                pdf_text(&text)
            ));
        }
        y -= size * 1.6;
    }
    ops.push_str("ET\n");
    pages.push(add_page(doc, parent, font, None, 612.0, 792.0, ops));
    pages
}

fn image_page(
    doc: &mut Document,
    parent: lopdf::ObjectId,
    font: lopdf::ObjectId,
    p: &ReleasePage,
) -> Result<lopdf::ObjectId, image::ImageError> {
    let (iw, ih, gray) = jpeg_info(&p.jpeg)?;
    let dpi = if p.dpi > 0 { p.dpi as f32 } else { 300.0 };
    let (fw, fh) = if p.width_px > 0 && p.height_px > 0 {
        (p.width_px as f32, p.height_px as f32)
    } else {
        (iw as f32, ih as f32)
    };
    let (pw, ph) = (fw / dpi * 72.0, fh / dpi * 72.0);
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => iw as i64,
            "Height" => ih as i64,
            "ColorSpace" => if gray { "DeviceGray" } else { "DeviceRGB" },
            "BitsPerComponent" => 8,
            "Filter" => "DCTDecode",
        },
        p.jpeg.clone(),
    )
    .with_compression(false);
    let image_id = doc.add_object(image);
    let mut ops = format!("q {pw:.2} 0 0 {ph:.2} 0 0 cm /Im0 Do Q\nBT 3 Tr\n");
    let (sx, sy) = (pw / fw, ph / fh);
    for w in &p.words {
        let text = pdf_text(&w.text);
        if text.is_empty() || w.width == 0 || w.height == 0 {
            continue;
        }
        let size = (w.height as f32 * sy).max(1.0);
        // Helvetica averages about half an em per character: stretch to the box width.
        let natural = size * 0.5 * w.text.chars().count() as f32;
        let stretch = (w.width as f32 * sx / natural * 100.0).clamp(10.0, 1000.0);
        let x = w.left as f32 * sx;
        let y = ph - (w.top + w.height) as f32 * sy + size * 0.2;
        ops.push_str(&format!(
            "/F1 {size:.2} Tf {stretch:.1} Tz 1 0 0 1 {x:.2} {y:.2} Tm ({text}) Tj\n"
        ));
    }
    ops.push_str("ET\n");
    Ok(add_page(doc, parent, font, Some(image_id), pw, ph, ops))
}

fn add_page(
    doc: &mut Document,
    parent: lopdf::ObjectId,
    font: lopdf::ObjectId,
    image: Option<lopdf::ObjectId>,
    w: f32,
    h: f32,
    ops: String,
) -> lopdf::ObjectId {
    let content_id = doc.add_object(Stream::new(dictionary! {}, ops.into_bytes()));
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    if let Some(img) = image {
        resources.set("XObject", dictionary! { "Im0" => img });
    }
    doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => parent,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)],
        "Resources" => resources,
        "Contents" => content_id,
    })
}

/// Width, height and whether the JPEG is grayscale.
fn jpeg_info(jpeg: &[u8]) -> Result<(u32, u32, bool), image::ImageError> {
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(jpeg))?;
    use image::ImageDecoder;
    let _ = &mut decoder;
    let (w, h) = decoder.dimensions();
    let gray = matches!(decoder.color_type(), image::ColorType::L8);
    Ok((w, h, gray))
}

/// A PDF literal string body in WinAnsi: escapes `\`, `(`, `)`; characters outside
/// Latin-1 become `?`.
fn pdf_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            c if (' '..='~').contains(&c) => out.push(c),
            c if (c as u32) >= 0xA0 && (c as u32) <= 0xFF => {
                out.push_str(&format!("\\{:03o}", c as u32));
            }
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> ReleasePage {
        let img = image::GrayImage::from_pixel(200, 260, image::Luma([255]));
        ReleasePage {
            jpeg: crate::imaging::viewer::viewer_jpeg(&img, 2000, 80),
            width_px: 400,
            height_px: 520,
            dpi: 200,
            words: vec![OcrWord {
                text: "Discharge(summary)".into(),
                left: 40,
                top: 50,
                width: 200,
                height: 20,
                conf: 90.0,
                line: 0,
            }],
        }
    }

    #[test]
    fn pdf_has_cover_and_pages_with_invisible_text() {
        let cover = cover(1);
        let bytes = build_pdf(&cover, &[page(), page()]).unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 3);
        let text = doc.extract_text(&[2]).unwrap();
        assert!(text.contains("Discharge(summary)"), "{text}");
        let page2 = *doc.get_pages().get(&2).unwrap();
        let content = doc.get_page_content(page2).unwrap();
        let content = String::from_utf8_lossy(&content);
        assert!(content.contains("3 Tr"));
        // 400 px at 200 dpi is 144 pt.
        assert!(content.contains("144.00 0 0 187.20 0 0 cm"), "{content}");
    }

    fn cover(documents: usize) -> CoverSheet {
        CoverSheet {
            disclosure_id: "ROI-1".into(),
            requester: "Dr. Lee, Eastside Clinic".into(),
            recipient: "Dr. Lee".into(),
            purpose: "continuity of care".into(),
            basis: "Treatment (continuity of care)".into(),
            authorization: "not required".into(),
            released_by: "clerk1".into(),
            released_at: "2026-12-03".into(),
            facility: "General".into(),
            patients: vec!["DOE, JANE  MRN 00412345  DOB 1961-02-03".into()],
            contents: (1..=documents)
                .map(|i| {
                    format!(
                        "{i}. Discharge summary, service 2024-01-0{}, 2 pages",
                        i % 9
                    )
                })
                .collect(),
            documents,
            pages: 2,
        }
    }

    #[test]
    fn the_cover_names_patient_documents_and_signatures_and_grows_with_its_list() {
        let bytes = build_pdf(&cover(3), &[page()]).unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        let text = doc.extract_text(&[1]).unwrap();
        for want in [
            "Requested(by:",
            "DOE,(JANE",
            "Discharge(summary,(service",
            "signature",
        ] {
            assert!(text.replace(' ', "(").contains(want), "{want}: {text}");
        }
        // Two hundred documents do not fit one cover page: the list goes on.
        let bytes = build_pdf(&cover(200), &[page()]).unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        assert!(doc.get_pages().len() >= 5, "{}", doc.get_pages().len());
        // The same inputs build the same bytes (a past release is rebuilt and checked).
        assert_eq!(
            build_pdf(&cover(2), &[page()]).unwrap(),
            build_pdf(&cover(2), &[page()]).unwrap()
        );
    }

    #[test]
    fn text_escapes() {
        assert_eq!(pdf_text("a(b)\\"), "a\\(b\\)\\\\");
        assert_eq!(pdf_text("é→"), "\\351?");
    }
}
