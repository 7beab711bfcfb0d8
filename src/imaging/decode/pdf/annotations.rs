//! Text a PDF page holds in its annotations but does not draw.
//!
//! What the page image lacks is added to the page's text (and the document flagged for
//! review), never lost silently:
//! - a form field's value when the field has no appearance of its own, when its appearance
//!   cannot be loaded, or when the form says appearances are stale (`/NeedAppearances`):
//!   text values, ticked boxes and chosen radio buttons (`Allergies reviewed: Yes`), a list's
//!   chosen entries; a value a field inherits from its parent fields counts (`/Parent` chains);
//! - a comment's text: sticky notes, and the comment attached to any other markup
//!   (highlight, stamp, ink, shapes...), which a viewer shows in a pop-up, not on the page.
//!   A free-text box drawn from its own appearance shows its text and adds nothing.
//!
//! Hidden annotations, links and pop-ups (which repeat their parent's note) are left out.

use hayro::hayro_interpret::hayro_syntax::object::{
    Array, Dict, Name, Object, Stream, String as PdfString,
};
use hayro::hayro_interpret::hayro_syntax::page::Page;

/// Annotations of one page looked at, at most.
const MAX_ANNOTATIONS: usize = 2_000;
/// Bytes of undrawn annotation text kept for one page, at most (a page of text is ~5 KB).
const MAX_UNDRAWN_TEXT: usize = 64 * 1024;
/// Bytes of annotation text read for one page, at most, repeats included.
const MAX_READ: usize = 4 * MAX_UNDRAWN_TEXT;
/// Parent fields followed up a field's `/Parent` chain, at most (a loop ends here too).
const MAX_FIELD_DEPTH: usize = 32;
/// Entries of one list field's value read, at most.
const MAX_CHOICES: usize = 100;

const HIDDEN: u32 = 1 << 1;
const NO_VIEW: u32 = 1 << 5;

/// Text of the page's annotations that its drawing does not show, one entry per value.
pub(super) fn text_not_drawn(page: &Page, stale_fields: bool) -> Vec<String> {
    let Some(annots) = page.raw().get::<Array<'_>>(b"Annots") else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut kept = 0usize;
    // Bytes read, repeats included: a file listing one huge note thousands of times costs
    // no more than this.
    let mut read = 0usize;
    // Bounded whatever the file says: a hostile file can list one huge note thousands of
    // times (each entry read costs its size).
    for annot in annots.iter::<Dict<'_>>().take(MAX_ANNOTATIONS) {
        if kept >= MAX_UNDRAWN_TEXT || read >= MAX_READ {
            break;
        }
        if annot.get::<u32>(b"F").unwrap_or(0) & (HIDDEN | NO_VIEW) != 0 {
            continue;
        }
        let subtype = annot.get::<Name<'_>>(b"Subtype");
        let subtype: &[u8] = subtype.as_deref().unwrap_or(b"");
        let text = match subtype {
            b"Link" | b"Popup" => None,
            // A form field: drawn from its own appearance unless the form says appearances
            // are stale (its value may not be the one drawn).
            b"Widget" if !stale_fields && has_appearance(&annot) => None,
            b"Widget" => field_value(&annot, MAX_UNDRAWN_TEXT - kept),
            // A free-text box draws its text from its appearance.
            b"FreeText" if has_appearance(&annot) => None,
            // Every other annotation's text (a sticky note's, a highlight's or a stamp's
            // comment) shows in a pop-up, whatever its appearance draws.
            _ => annot
                .get::<PdfString<'_>>(b"Contents")
                .map(|s| bounded(&s, MAX_UNDRAWN_TEXT - kept)),
        };
        let Some(text) = text else {
            continue;
        };
        read += text.len().max(1);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.chars().any(char::is_alphanumeric) && !out.contains(&text) {
            kept += text.len();
            out.push(text);
        }
    }
    out
}

/// A form field's value as text: a text field's value, `Label: State` for a ticked box or a
/// chosen radio button (nothing when off), a list's chosen entries joined by commas. The
/// value, and the label, may be the field's own or inherited from its parents.
fn field_value(widget: &Dict<'_>, budget: usize) -> Option<String> {
    let value = inherited(widget, |d| d.get::<Object<'_>>(b"V"))?;
    let label = || {
        inherited(widget, |d| d.get::<PdfString<'_>>(b"TU"))
            .or_else(|| inherited(widget, |d| d.get::<PdfString<'_>>(b"T")))
            .map(|s| bounded(&s, budget))
            .filter(|l| l.chars().any(char::is_alphanumeric))
    };
    match value {
        Object::String(s) => Some(bounded(&s, budget)),
        Object::Name(state) => {
            let state = String::from_utf8_lossy(state.as_ref()).into_owned();
            if state == "Off" || state.is_empty() {
                return None;
            }
            Some(match label() {
                Some(label) => format!("{label}: {state}"),
                None => state,
            })
        }
        Object::Array(chosen) => {
            let mut left = budget;
            let mut entries: Vec<String> = Vec::new();
            for o in chosen.iter::<Object<'_>>().take(MAX_CHOICES) {
                if left == 0 {
                    break;
                }
                let entry = match o {
                    Object::String(s) => bounded(&s, left),
                    Object::Name(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                    _ => continue,
                };
                left = left.saturating_sub(entry.len().max(1));
                entries.push(entry);
            }
            if entries.is_empty() {
                return None;
            }
            let mut entries = entries.join(", ");
            entries.truncate(entries.floor_char_boundary(budget));
            Some(match label() {
                Some(label) => format!("{label}: {entries}"),
                None => entries,
            })
        }
        _ => None,
    }
}

/// The first value `get` finds on the field or up its `/Parent` chain.
fn inherited<'a, T>(field: &Dict<'a>, get: impl Fn(&Dict<'a>) -> Option<T>) -> Option<T> {
    let mut current = field.clone();
    for _ in 0..MAX_FIELD_DEPTH {
        if let Some(v) = get(&current) {
            return Some(v);
        }
        current = current.get::<Dict<'a>>(b"Parent")?;
    }
    None
}

/// Whether hayro draws the annotation from an appearance of its own: `/AP /N` a stream,
/// or a dictionary of states holding the one `/AS` names (as hayro selects it).
fn has_appearance(annot: &Dict<'_>) -> bool {
    let Some(normal) = annot
        .get::<Dict<'_>>(b"AP")
        .and_then(|ap| ap.get::<Object<'_>>(b"N"))
    else {
        return false;
    };
    match normal {
        Object::Stream(_) => true,
        Object::Dict(states) => annot
            .get::<Name<'_>>(b"AS")
            .and_then(|state| states.get::<Stream<'_>>(state.as_ref()))
            .is_some(),
        _ => false,
    }
}

/// At most `budget` bytes of a PDF string, as text (a huge note costs no more than that).
fn bounded(s: &PdfString<'_>, budget: usize) -> String {
    let bytes = s.as_bytes();
    text_string(&bytes[..bytes.len().min(budget)])
}

/// A PDF text string: UTF-16BE with its byte-order mark, UTF-8 with its mark, else
/// PDFDocEncoding (Latin-1 for the printable characters that matter here).
pub(super) fn text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    b.iter().map(|&c| c as char).collect()
}
