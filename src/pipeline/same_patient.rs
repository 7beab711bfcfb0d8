//! One patient's documents in a scan read each other's name and birth date.
//!
//! Documents of one scan carrying the same MRN (from a patient separator sheet, or printed
//! in their own text) are one patient's. A name or birth date OCR could not read on one of
//! them is taken from the others when they agree (the most common value, read on at least
//! two documents or the only one read), and a name read with a letter slipped (`LINDOVIST`
//! beside two documents reading `LINDQVIST`) gives way to the reading most documents made
//! of the same name. Never across identities: a document whose MRN is in doubt, or whose
//! own birth date or name contradicts the group's, takes nothing, and a different person's
//! name never replaces a reading.

use std::collections::{BTreeSet, HashMap};

use crate::describe::TEXT_READ;
use crate::model::{DocumentDraft, FieldSource, ReviewFlag};

/// Confidence of a value taken from the same patient's other documents.
const SAME_PATIENT: f32 = 0.8;

/// A field's value on a document: `None` when missing, or for a name, when its reading is
/// a guess (read without its comma, or a last name of two words: an OCR split?).
fn value(d: &DocumentDraft, field: &str) -> Option<String> {
    let guessed = d
        .provenance
        .iter()
        .any(|f| f.field == field && f.method == "text" && f.confidence < TEXT_READ);
    match field {
        "name" if guessed => None,
        "name" => d.patient.name.clone(),
        _ => d.patient.dob.clone(),
    }
}

/// The value most documents of `group` read for `field`, how many read it, and the page it
/// was read on; `None` when nothing was read, or when single readings disagree.
fn consensus(
    documents: &[DocumentDraft],
    group: &[usize],
    field: &str,
) -> Option<(String, usize, u32)> {
    let mut counts: HashMap<String, (usize, u32)> = HashMap::new();
    for &i in group {
        if let Some(v) = value(&documents[i], field) {
            let page = documents[i]
                .provenance
                .iter()
                .find(|f| f.field == field)
                .map_or(0, |f| f.page);
            counts.entry(v).or_insert((0, page)).0 += 1;
        }
    }
    let (value, (n, page)) = counts
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then_with(|| b.0.cmp(a.0)))
        .map(|(v, c)| (v.clone(), *c))?;
    // A tie (two readings against two, or single readings that differ) names no one.
    let runner_up = counts
        .iter()
        .filter(|(v, _)| **v != value)
        .map(|(_, c)| c.0)
        .max()
        .unwrap_or(0);
    if n <= runner_up {
        return None;
    }
    Some((value, n, page))
}

pub(super) fn fill_from_same_patient(documents: &mut [DocumentDraft]) {
    let mrns: BTreeSet<String> = documents
        .iter()
        .filter_map(|d| d.patient.mrn.clone())
        .collect();
    for mrn in mrns {
        let group: Vec<usize> = (0..documents.len())
            .filter(|&i| {
                let d = &documents[i];
                d.patient.mrn.as_ref() == Some(&mrn) && !d.review.contains(&ReviewFlag::MrnConflict)
            })
            .collect();
        if group.len() < 2 {
            continue;
        }
        let names = consensus(documents, &group, "name");
        let births = consensus(documents, &group, "dob");
        for (field, agreed) in [("name", &names), ("dob", &births)] {
            let Some((agreed, n, page)) = agreed else {
                continue;
            };
            for &i in &group {
                let d = &mut documents[i];
                // The document's other field must not name someone else.
                let other_agrees = match field {
                    "name" => match (&d.patient.dob, &births) {
                        (Some(own), Some((group_dob, _, _))) => own == group_dob,
                        _ => true,
                    },
                    _ => match (&d.patient.name, &names) {
                        (Some(own), Some((group_name, _, _))) => {
                            crate::extract::same_name(own, group_name)
                        }
                        _ => true,
                    },
                };
                // An MRN read from the page's text (one digit misread may name another
                // patient) carries identity only with a name or birth date that agrees; a
                // separator sheet's code is the patient's by the sheet.
                let from_sheet = d
                    .provenance
                    .iter()
                    .any(|f| f.field == "mrn" && f.method == "barcode");
                let vouched = from_sheet || d.patient.name.is_some() || d.patient.dob.is_some();
                if !other_agrees || !vouched {
                    continue;
                }
                let take = match (value(d, field), field) {
                    (None, "name") => d
                        .patient
                        .name
                        .as_ref()
                        // A guessed name gives way only to a reading of the same name.
                        .is_none_or(|guess| crate::extract::same_name(guess, agreed)),
                    (None, _) => true,
                    // A letter slipped in one reading of the name most documents read.
                    (Some(own), "name") => {
                        own != *agreed && *n >= 2 && crate::extract::same_name(&own, agreed)
                    }
                    (Some(_), _) => false,
                };
                if !take {
                    continue;
                }
                d.provenance.retain(|f| f.field != field);
                match field {
                    "name" => d.patient.name = Some(agreed.clone()),
                    _ => d.patient.dob = Some(agreed.clone()),
                }
                d.provenance.push(FieldSource {
                    field: field.into(),
                    page: *page,
                    span: None,
                    method: "same_patient".into(),
                    confidence: SAME_PATIENT,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocType, Patient};

    fn doc(mrn: &str, name: Option<&str>, dob: Option<&str>, sheet: bool) -> DocumentDraft {
        let mut provenance = vec![FieldSource {
            field: "mrn".into(),
            page: 1,
            span: None,
            method: if sheet { "barcode" } else { "text" }.into(),
            confidence: 1.0,
        }];
        if name.is_some() {
            provenance.push(FieldSource {
                field: "name".into(),
                page: 2,
                span: Some((0, 4)),
                method: "text".into(),
                confidence: TEXT_READ,
            });
        }
        DocumentDraft {
            doc_id: "d".into(),
            pages: vec![2],
            doc_type: DocType::ProgressNote,
            doc_type_confidence: 1.0,
            patient: Patient {
                mrn: Some(mrn.into()),
                name: name.map(str::to_string),
                dob: dob.map(str::to_string),
            },
            service_date: None,
            boundary_confidence: 1.0,
            review: vec![],
            provenance,
        }
    }

    #[test]
    fn missing_fields_come_from_agreeing_documents_of_the_same_mrn() {
        let mut docs = vec![
            doc("00412345", Some("DOE, JANE"), Some("1960-01-02"), true),
            doc("00412345", Some("DOE, JANE"), None, true),
            doc("00412345", None, None, true),
            // The MRN printed in its text, no sheet, a DOB that agrees: the same patient.
            doc("00412345", None, Some("1960-01-02"), false),
            // The MRN printed in its text and nothing else read: not vouched for.
            doc("00412345", None, None, false),
            doc("99999999", None, None, false),
        ];
        fill_from_same_patient(&mut docs);
        assert_eq!(docs[2].patient.name.as_deref(), Some("DOE, JANE"));
        assert_eq!(docs[1].patient.dob.as_deref(), Some("1960-01-02"));
        assert!(docs[2]
            .provenance
            .iter()
            .any(|f| f.field == "name" && f.method == "same_patient"));
        assert_eq!(docs[3].patient.name.as_deref(), Some("DOE, JANE"));
        assert!(
            docs[4].patient.name.is_none(),
            "another MRN: nothing shared"
        );
    }

    #[test]
    fn disagreeing_single_readings_are_not_shared() {
        let mut docs = vec![
            doc("00412345", Some("DOE, JANE"), None, true),
            doc("00412345", Some("DOE, JANA"), None, true),
            doc("00412345", None, None, true),
        ];
        fill_from_same_patient(&mut docs);
        assert!(docs[2].patient.name.is_none());
        assert_eq!(docs[1].patient.name.as_deref(), Some("DOE, JANA"));
    }

    #[test]
    fn a_slipped_letter_gives_way_to_the_reading_most_documents_made() {
        let mut docs = vec![
            doc("00412345", Some("LINDOVIST, ROSA"), None, false),
            doc("00412345", Some("LINDQVIST, ROSA"), None, false),
            doc("00412345", Some("LINDQVIST, ROSA"), None, false),
        ];
        fill_from_same_patient(&mut docs);
        assert_eq!(docs[0].patient.name.as_deref(), Some("LINDQVIST, ROSA"));
        assert!(docs[0]
            .provenance
            .iter()
            .any(|f| f.field == "name" && f.method == "same_patient"));
    }

    #[test]
    fn a_tie_changes_nothing() {
        let mut docs = vec![
            doc("00412345", Some("LINDOVIST, ROSA"), None, true),
            doc("00412345", Some("LINDOVIST, ROSA"), None, true),
            doc("00412345", Some("LINDQVIST, ROSA"), None, true),
            doc("00412345", Some("LINDQVIST, ROSA"), None, true),
        ];
        fill_from_same_patient(&mut docs);
        assert_eq!(docs[2].patient.name.as_deref(), Some("LINDQVIST, ROSA"));
        assert_eq!(docs[0].patient.name.as_deref(), Some("LINDOVIST, ROSA"));
    }

    #[test]
    fn nothing_crosses_to_another_identity() {
        let mut docs = vec![
            doc("00412345", Some("DOE, JANE"), Some("1960-01-02"), false),
            doc("00412345", Some("DOE, JANE"), Some("1960-01-02"), false),
            // Same MRN read, but born another day: not taken for the same person.
            doc("00412345", None, Some("1971-05-05"), false),
            // Another person's name is never replaced.
            doc("00412345", Some("ROE, RICHARD"), None, false),
            // An MRN in doubt (sheet and text disagree) takes nothing.
            doc("00412345", None, None, true),
        ];
        docs[4].review.push(ReviewFlag::MrnConflict);
        fill_from_same_patient(&mut docs);
        assert!(docs[2].patient.name.is_none());
        assert_eq!(docs[3].patient.name.as_deref(), Some("ROE, RICHARD"));
        assert!(docs[3].patient.dob.is_none(), "a different name: no DOB");
        assert!(docs[4].patient.name.is_none());
    }
}
