//! Whether a PDF page's drawing instructions are whole.
//!
//! A renderer draws what it can: a content stream cut short (a truncated Flate stream
//! inflates to its first part), garbage in the middle of one (the parser stops there), a
//! picture or drawing the page names but the file lacks, all give a page drawn in part with
//! no error. Each is found here, on the page and in every drawing (form XObject) it uses,
//! however deeply nested, so that such a page is refused with the reason instead of
//! archived as if whole.

use std::collections::HashSet;

use hayro::hayro_interpret::hayro_syntax::content::ops::TypedInstruction;
use hayro::hayro_interpret::hayro_syntax::content::TypedIter;
use hayro::hayro_interpret::hayro_syntax::object::{Array, Dict, Name, Stream};
use hayro::hayro_interpret::hayro_syntax::page::{Page, Resources};
use hayro::hayro_interpret::hayro_syntax::Filter;

/// Drawings nested in drawings followed, at most (a loop ends here too).
const MAX_DEPTH: usize = 16;
/// Distinct pictures and drawings checked on one page, at most.
const MAX_OBJECTS: usize = 2_000;
/// An operator no content stream holds, put after the page's own instructions: reading
/// reaches it only when everything before it parsed.
const SENTINEL: &[u8] = b"\nchartvault_end_of_content\n";

/// What is damaged on the page, in words, or `None` when it is whole.
pub(super) fn damage(page: &Page<'_>) -> Option<String> {
    let mut checker = Checker {
        seen: HashSet::new(),
    };
    if let Some(streams) = content_streams(page) {
        for (i, s) in streams.iter().enumerate() {
            if let Some(problem) = flate_damage(s) {
                return Some(format!(
                    "the page's drawing instructions (content stream {}) are {problem}",
                    i + 1
                ));
            }
        }
    }
    let content = page.page_stream().unwrap_or(&[]);
    checker.instructions(
        content,
        page.resources(),
        "the page's drawing instructions",
        0,
    )
}

/// The page's content streams as the file lists them (one, or an array).
fn content_streams<'a>(page: &Page<'a>) -> Option<Vec<Stream<'a>>> {
    if let Some(s) = page.raw().get::<Stream<'a>>(b"Contents") {
        return Some(vec![s]);
    }
    let array = page.raw().get::<Array<'a>>(b"Contents")?;
    Some(array.iter::<Stream<'a>>().collect())
}

struct Checker {
    /// Objects already checked (a drawing used on every row of a table is checked once).
    seen: HashSet<(u32, i32)>,
}

impl Checker {
    /// Checks one content stream's instructions and every picture and drawing they use.
    fn instructions(
        &mut self,
        content: &[u8],
        resources: &Resources<'_>,
        what: &str,
        depth: usize,
    ) -> Option<String> {
        let mut data = Vec::with_capacity(content.len() + SENTINEL.len());
        data.extend_from_slice(content);
        data.extend_from_slice(SENTINEL);
        let sentinel = &SENTINEL[1..SENTINEL.len() - 1];
        let mut ops = TypedIter::new(&data);
        let mut used: Vec<Vec<u8>> = Vec::new();
        let mut reached_end = false;
        while let Some(op) = ops.next() {
            match op {
                TypedInstruction::XObject(x) => {
                    let name = x.0.as_ref().to_vec();
                    if !used.contains(&name) {
                        used.push(name);
                    }
                }
                TypedInstruction::Fallback(op) if **op == *sentinel => {
                    reached_end = true;
                    break;
                }
                _ => {}
            }
        }
        if !reached_end {
            return Some(format!(
                "{what} are damaged part way through: the rest of the page cannot be drawn"
            ));
        }
        for name in used {
            let name = Name::new_unescaped(&name);
            let Some(object) = resources.get_x_object(&name) else {
                return Some(format!(
                    "{what} draw {:?}, which the file does not contain",
                    String::from_utf8_lossy(name.as_ref())
                ));
            };
            if let Some(problem) = self.object(&object, resources, depth) {
                return Some(problem);
            }
        }
        None
    }

    /// Checks a picture's or a drawing's data, and a drawing's own instructions.
    fn object(
        &mut self,
        object: &Stream<'_>,
        parent: &Resources<'_>,
        depth: usize,
    ) -> Option<String> {
        let id = object.obj_id();
        let key = (id.obj_number, id.gen_number);
        if self.seen.len() >= MAX_OBJECTS || !self.seen.insert(key) {
            return None;
        }
        let dict = object.dict();
        let subtype = dict.get::<Name<'_>>(b"Subtype");
        let is_form = subtype.as_deref() == Some(&b"Form"[..]);
        let kind = if is_form { "a drawing" } else { "a picture" };
        if let Some(problem) = flate_damage(object) {
            return Some(format!(
                "{kind} on the page (object {}) is {problem}",
                id.obj_number
            ));
        }
        if !is_form || depth >= MAX_DEPTH {
            return None;
        }
        let content = object.decoded_data().ok()?;
        // A drawing without resources of its own uses its parent's (older files).
        let own = dict.get::<Dict<'_>>(b"Resources").map(Resources::new);
        let resources = own.as_ref().unwrap_or(parent);
        let what = format!("the drawing instructions of object {}", id.obj_number);
        self.instructions(&content, resources, &what, depth + 1)
    }
}

/// Why a stream whose first filter is Flate does not inflate to its end, if it does not: cut
/// short, or damaged. The deflate data is checked to its final block; the zlib checksum
/// after it is not (readers ignore it, and files with a wrong or missing one draw whole).
/// An empty stream is an empty drawing. Other encodings are checked by their decoders.
fn flate_damage(stream: &Stream<'_>) -> Option<&'static str> {
    if stream.filters().first() != Some(&Filter::FlateDecode) {
        return None;
    }
    let raw = stream.raw_data();
    let zlib = raw.len() >= 2
        && raw[0] & 0x0f == 0x08
        && (u16::from(raw[0]) << 8 | u16::from(raw[1])).is_multiple_of(31);
    let data = if zlib { &raw[2..] } else { &raw[..] };
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let mut inflater = flate2::Decompress::new(false);
    let mut sink = vec![0u8; 64 * 1024];
    loop {
        let before_in = inflater.total_in();
        let before_out = inflater.total_out();
        let input = &data[before_in as usize..];
        match inflater.decompress(input, &mut sink, flate2::FlushDecompress::None) {
            Ok(flate2::Status::StreamEnd) => return None,
            Ok(_) => {
                if inflater.total_in() == before_in && inflater.total_out() == before_out {
                    return Some(if input.is_empty() {
                        "cut short (the compressed data ends early)"
                    } else {
                        "damaged (the compressed data cannot be read)"
                    });
                }
            }
            Err(_) => return Some("damaged (the compressed data cannot be read)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// A one-page PDF whose page content is `content` (Flate-compressed when `flate`), with
    /// a form XObject `/F1` drawing `form`.
    pub(crate) fn pdf(content: &[u8], flate: bool, form: &[u8]) -> Vec<u8> {
        let body = if flate {
            deflate(content)
        } else {
            content.to_vec()
        };
        let filter = if flate { "/Filter /FlateDecode " } else { "" };
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        let mut obj = |out: &mut Vec<u8>, text: Vec<u8>| {
            offsets.push(out.len());
            out.extend_from_slice(&text);
        };
        obj(
            &mut out,
            b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n".to_vec(),
        );
        obj(
            &mut out,
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n".to_vec(),
        );
        obj(
            &mut out,
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R \
              /Resources << /XObject << /F1 5 0 R >> >> >> endobj\n"
                .to_vec(),
        );
        let mut s = format!("4 0 obj << {filter}/Length {} >> stream\n", body.len()).into_bytes();
        s.extend_from_slice(&body);
        s.extend_from_slice(b"\nendstream endobj\n");
        obj(&mut out, s);
        let mut s = format!(
            "5 0 obj << /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Length {} >> stream\n",
            form.len()
        )
        .into_bytes();
        s.extend_from_slice(form);
        s.extend_from_slice(b"\nendstream endobj\n");
        obj(&mut out, s);
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
        );
        for o in &offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer << /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                offsets.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    fn damage_of(bytes: Vec<u8>) -> Option<String> {
        use hayro::hayro_interpret::hayro_syntax::Pdf;
        let pdf = Pdf::new(std::sync::Arc::new(bytes)).expect("pdf");
        let pages = pdf.pages();
        damage(&pages[0])
    }

    const DRAWING: &[u8] = b"0 0 m 100 100 l S /F1 Do 10 10 50 50 re f";

    #[test]
    fn a_whole_page_is_whole() {
        assert_eq!(damage_of(pdf(DRAWING, false, b"0 0 m 5 5 l S")), None);
        assert_eq!(damage_of(pdf(DRAWING, true, b"0 0 m 5 5 l S")), None);
    }

    #[test]
    fn content_cut_short_is_found() {
        // The compressed page instructions lose their last bytes.
        let long: Vec<u8> = DRAWING.repeat(200);
        let mut bytes = pdf(&long, true, b"");
        let whole = deflate(&long);
        let at = bytes
            .windows(whole.len())
            .position(|w| w == whole.as_slice())
            .unwrap();
        let cut = whole.len() / 2;
        bytes.drain(at + cut..at + whole.len());
        // The stream's /Length still says the old length: fix it so the file parses.
        let old = format!("/Length {}", whole.len());
        let new = format!("/Length {}", cut);
        let text = replace_once(&bytes, old.as_bytes(), new.as_bytes());
        let d = damage_of(text).expect("damage");
        assert!(d.contains("cut short"), "{d}");
    }

    #[test]
    fn a_wrong_or_missing_checksum_and_an_empty_stream_are_whole() {
        let mut wrong = deflate(DRAWING);
        let n = wrong.len();
        wrong[n - 1] ^= 0xff;
        let missing = deflate(DRAWING)[..n - 4].to_vec();
        for body in [wrong, missing] {
            let bytes = pdf_with_raw_contents(&body, b"0 0 m 5 5 l S");
            assert_eq!(damage_of(bytes), None);
        }
        assert_eq!(damage_of(pdf_with_raw_contents(b"", b"")), None);
    }

    /// [`pdf`] with the page's Flate stream given as already compressed bytes.
    fn pdf_with_raw_contents(body: &[u8], form: &[u8]) -> Vec<u8> {
        let marker = b"MARKER-BODY";
        let bytes = pdf(marker, false, form);
        let at = bytes
            .windows(marker.len())
            .position(|w| w == marker)
            .unwrap();
        let mut out = bytes[..at].to_vec();
        out.extend_from_slice(body);
        out.extend_from_slice(&bytes[at + marker.len()..]);
        let old = format!("<< /Length {} >>", marker.len());
        let new = format!("<< /Filter /FlateDecode /Length {} >>", body.len());
        replace_once(&out, old.as_bytes(), new.as_bytes())
    }

    #[test]
    fn garbage_part_way_is_found() {
        let d = damage_of(pdf(
            b"0 0 m 100 100 l S (unterminated 10 10 50 50 re f",
            false,
            b"",
        ))
        .expect("damage");
        assert!(d.contains("damaged part way"), "{d}");
    }

    #[test]
    fn a_missing_picture_in_a_nested_drawing_is_found() {
        let d = damage_of(pdf(DRAWING, false, b"/Missing Do")).expect("damage");
        assert!(d.contains("\"Missing\"") && d.contains("object 5"), "{d}");
        let d = damage_of(pdf(b"/Nope Do", false, b"")).expect("damage");
        assert!(
            d.contains("page's drawing instructions draw \"Nope\""),
            "{d}"
        );
    }

    fn replace_once(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = hay.windows(from.len()).position(|w| w == from).unwrap();
        let mut out = hay[..at].to_vec();
        out.extend_from_slice(to);
        out.extend_from_slice(&hay[at + from.len()..]);
        out
    }
}
