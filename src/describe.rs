//! Describing a document from its pages: type, patient fields, date of service, where each
//! was found, and why a person should look at it. One pure step, used when a scan is
//! ingested (`pipeline`) and when a person re-groups pages (`archive::regroup`), so a
//! document reads the same whichever way its pages came together.
//!
//! Input: the document's pages (text, OCR confidence, doubts raised while reading), a type
//! a barcode gave, the split's confidence. Output: [`Described`]. The MRN is the caller's
//! business (a separator sheet or a person gave it); the MRN printed in the text is
//! returned for the caller to use or compare.

use chrono::NaiveDate;

use crate::classify::Classifier;
use crate::config::ReviewConfig;
use crate::model::{DocType, FieldSource, ReviewFlag};

/// One page as the description needs it.
#[derive(Debug, Clone, Copy)]
pub struct PageText<'a> {
    /// The page's number in its scan (provenance names it).
    pub page_no: u32,
    pub text: &'a str,
    /// Mean OCR word confidence (0-100); `None` for a page that was not OCR'd.
    pub ocr_confidence: Option<f32>,
    /// Doubts raised while reading the page (a nearly blank page kept, a separator's code
    /// on a page of content).
    pub doubts: &'a [ReviewFlag],
}

/// Confidence of a field read from the text (a name in the `LAST, FIRST` form included).
pub const TEXT_READ: f32 = 0.9;
/// Confidence of a name read in another form: a guess at which word is the last name.
pub const NAME_GUESSED: f32 = 0.6;

#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub doc_type: DocType,
    pub doc_type_confidence: f32,
    pub name: Option<String>,
    pub dob: Option<String>,
    pub service_date: Option<String>,
    /// The MRN printed in the text, with where it was found.
    pub text_mrn: Option<(String, FieldSource)>,
    /// The text prints two different MRNs.
    pub mrn_conflict: bool,
    /// Where the name, DOB, date of service and type came from.
    pub provenance: Vec<FieldSource>,
    /// Flags for the review queue (MRN conflicts are the caller's to add).
    pub review: Vec<ReviewFlag>,
}

/// Describes one document. `type_from_code` is a type a document-start barcode named (it
/// wins over the classifier); `boundary_confidence` is the split's weakest decision inside
/// the document (1.0 for a grouping a person made).
pub fn describe(
    pages: &[PageText],
    type_from_code: Option<DocType>,
    boundary_confidence: f32,
    classifier: &Classifier,
    review: &ReviewConfig,
    today: NaiveDate,
) -> Described {
    let texts: Vec<&str> = pages.iter().map(|p| p.text).collect();
    // The type first: which printed date is the date of service depends on it.
    let full_text = texts.join("\n");
    let mut c = classifier.classify(texts.first().copied().unwrap_or(""), &full_text);
    let mut method = "rules+model";
    if let Some(t) = type_from_code {
        c.doc_type = t;
        c.confidence = 1.0;
        method = "barcode";
    }
    let found = crate::extract::extract(&texts, Some(c.doc_type), today);
    let page_of = |doc_page: usize| {
        doc_page
            .checked_sub(1)
            .and_then(|i| pages.get(i))
            .map_or(0, |p| p.page_no)
    };
    // Where a field was read: its page in the scan and its span in that page's text.
    let source =
        |field: &str, doc_page: usize, span: (usize, usize), confidence: f32| FieldSource {
            field: field.into(),
            page: page_of(doc_page),
            span: Some(span),
            method: "text".into(),
            confidence,
        };
    let mut provenance = Vec::new();
    if let Some(f) = &found.name {
        let confidence = if found.name_certain {
            TEXT_READ
        } else {
            NAME_GUESSED
        };
        provenance.push(source("name", f.doc_page, f.span, confidence));
    }
    if let Some(f) = &found.dob {
        provenance.push(source("dob", f.doc_page, f.span, TEXT_READ));
    }
    if let Some(f) = &found.service_date {
        provenance.push(source("service_date", f.doc_page, f.span, TEXT_READ));
    }
    provenance.push(FieldSource {
        field: "doc_type".into(),
        page: pages.first().map_or(0, |p| p.page_no),
        span: None,
        method: method.into(),
        confidence: c.confidence,
    });
    let mut flags = Vec::new();
    if found.conflicts.iter().any(|f| *f != "mrn") {
        flags.push(ReviewFlag::FieldConflict);
    }
    if c.doc_type == DocType::Unclassified {
        flags.push(ReviewFlag::Unclassified);
    }
    if boundary_confidence < review.min_boundary_confidence {
        flags.push(ReviewFlag::UncertainBoundary);
    }
    if pages.iter().any(|p| {
        p.ocr_confidence
            .is_some_and(|c| c < review.min_ocr_confidence)
    }) {
        flags.push(ReviewFlag::LowOcrConfidence);
    }
    for flag in pages.iter().flat_map(|p| p.doubts.iter()) {
        if !flags.contains(flag) {
            flags.push(*flag);
        }
    }
    Described {
        doc_type: c.doc_type,
        doc_type_confidence: c.confidence,
        name: found.name.map(|f| f.value),
        dob: found.dob.map(|f| f.value.to_string()),
        service_date: found.service_date.map(|f| f.value.to_string()),
        text_mrn: found.mrn.map(|f| {
            let from = source("mrn", f.doc_page, f.span, TEXT_READ);
            (f.value, from)
        }),
        mrn_conflict: found.conflicts.contains(&"mrn"),
        provenance,
        review: flags,
    }
}
