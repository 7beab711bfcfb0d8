//! Field labels in the wordings charts print, found in a line of OCR text.
//!
//! One pattern per label, tried leftmost-first (at one position the longer wording wins:
//! `Date of Birth` before `Date`, `Patient Name` before `Patient`). Labels that are never
//! the date of service (`Dictated`, `Transcribed`, `Signed`, `Received`) are found too, so
//! their dates are not taken for a bare `Date:`.

use regex::Regex;
use std::sync::OnceLock;

/// What a date label says the date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateKind {
    /// `Date of Service`, `Service Date`, `DOS`, `Svc Date` (OCR reads `Svc` as `Sve`:
    /// no word).
    Service,
    Visit,
    Encounter,
    Admission,
    Discharge,
    /// `Exam Date`, `Date of Exam`, `Study Date`.
    Exam,
    Procedure,
    /// `Date of Surgery`, `Surgery Date`, `Date of Operation`, `Operative Date`.
    Surgery,
    Arrival,
    /// A specimen's `Collected` date.
    Collected,
    /// `Report Date`, `Date of Report`.
    Report,
    /// A bare `Date:` (a consent form's signature date).
    Bare,
    /// A letter's date line: a line holding only a date at the top of a letter.
    Letter,
    /// Dictated, transcribed, signed, received: never the date of service.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Name,
    Mrn,
    Dob,
    Date(DateKind),
}

/// A label found in a line: byte span (including its colon, if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelMatch {
    pub start: usize,
    pub end: usize,
    pub label: Label,
    /// Followed by `:` or `;` (or `#`): a label, not a word in a sentence.
    pub colon: bool,
}

/// `of` between a label's words; a speck read as a quote or a dot beside it is no word
/// (`DATE OF’ BIRTH`).
const OF: &str = r"[\s'`.,‘’]*[o0][ft][\s'`.,‘’]*";

/// `Date` after the word saying which (`Visit Date`), abbreviated (`Visit Dt`) or with its
/// time (`Visit Date/Time`; OCR may lose the thin slash: `DATE TIME`).
const DT: &str = r"(?:date|dt\b\.?)(?:\s*/?\s*time\b)?";

/// `Date of` before the word saying which, with its time (`Date/Time of Service`). Its
/// first letter may be lost where print runs to the page's edge (`ate of Service:`): `ate
/// of` is no wording of anything else.
const DATE_OF: &str = r"d?ate(?:\s*/?\s*time)?OF";

fn table() -> Vec<(Label, String)> {
    use DateKind::*;
    use Label::*;
    let date = |k| Date(k);
    // `{DT}` and `{DATE_OF}` as above, `{OF}` the `of` between a label's words.
    let p = |s: &str| {
        s.replace("{DT}", DT)
            .replace("{DATE_OF}", &DATE_OF.replace("OF", OF))
            .replace("{OF}", OF)
    };
    vec![
        (
            Dob,
            p(r"d?ate{OF}birth(?:\s*/\s*age\b)?|birth\s*{DT}|birthdate|d\.\s?[o0]\.\s?b\.?|d[o0]b\b(?:\s*/\s*age\b|\s*\(\s*age\s*\))?|born\b"),
        ),
        (
            date(Service),
            p(r"d?ates?\s*(?:\(s\)\s*)?(?:/?\s*time\s*)?{OF}(?:service|sv[ce]\b\.?)|service\s*{DT}|sv[ce]\.?\s*{DT}|d\.o\.s\.?|dos\b|(?:b[o0]|d0)s\s*[:;]"),
        ),
        (
            date(Visit),
            // An appointment's date only unqualified (see `find_labels_after`: `Next
            // Appointment Date`, `F/U Appt Date` are another one's).
            p(r"visit\s*{DT}|{DATE_OF}visit|date\s*seen\b|(?:appointment|appt\.?)\s*{DT}"),
        ),
        (date(Encounter), p(r"encounter\s*{DT}|{DATE_OF}encounter")),
        (
            date(Admission),
            p(r"admission\s*{DT}|{DATE_OF}admission|admit\s*{DT}|admitted\b|adm\.?\s*{DT}"),
        ),
        (
            date(Discharge),
            p(r"discharge\s*{DT}|{DATE_OF}discharge|discharged\b|disch\.?\s*{DT}"),
        ),
        (
            date(Exam),
            p(r"exam(?:ination)?\s*{DT}|{DATE_OF}(?:exam(?:ination)?|study)|study\s*{DT}"),
        ),
        (
            date(Procedure),
            p(r"procedure\s*{DT}|{DATE_OF}procedure|proc\.?\s*{DT}"),
        ),
        (
            date(Surgery),
            p(r"(?:surgery|operation|operative)\s*{DT}|{DATE_OF}(?:surgery|operation)"),
        ),
        (
            date(Arrival),
            p(r"a?rrival\s*{DT}|{DATE_OF}arrival|arrival\b|arrived\b"),
        ),
        (
            date(Collected),
            p(r"collection\s*{DT}|{DATE_OF}collection|(?:date(?:\s*/\s*time)?\s*)?collected\b"),
        ),
        (date(Report), p(r"report\s*{DT}|{DATE_OF}report")),
        (
            date(Other),
            p(r"(?:date\s*)?(?:dictated|transcribed|signed|received|typed|printed)\b|(?:dictation|transcription|signature|print|admission\s*time)\s*{DT}"),
        ),
        (
            Mrn,
            r"medical\s*record\s*(?:no\.?|number|num\.?|#)|med(?:ical|\.)?\s*rec(?:ord)?\.?\s*(?:no\b\.?|#|number|num\b\.?)|mrn\b|mr\s*#|mr\s*no\b\.?|mr\s*number|chart\s*(?:no\b\.?|#|number)|(?:patient|pt\.?)\s*id\b".into(),
        ),
        (
            Name,
            // OCR slips of `Patient Name` / `Patient` ("Patient Naane:", "-atient", "Patier!"),
            // and a letter's `RE:` (only with its colon). A slipped `Name` needs its colon:
            // `Patient: Nancy` is a label and a first name. The order a form asks for
            // (`Patient Name (Last, First)`) is part of the label.
            p(r"patient'?s?\s*name(?:\s*\((?:last|first|middle|mi\b|m\.i\.|[\s,/])+\))?|name{OF}patient|pt\.?\s*name|p?atie[^\s:;]{0,3}\s*na[^\s:;]{1,3}[:;]|patient\b|p?atie\S{0,3}|pt\b\.?|name\b|re\b"),
        ),
        (date(Bare), r"date\b".into()),
    ]
}

struct Compiled {
    any: Regex,
    labels: Vec<Label>,
}

fn compiled() -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let table = table();
        let alternation: Vec<String> = table
            .iter()
            .enumerate()
            .map(|(i, (_, p))| format!("(?P<l{i}>{p})"))
            .collect();
        Compiled {
            // Fixed patterns: a failure is a programming error caught by tests.
            any: Regex::new(&format!(
                r"(?i)\b(?:{})(?P<colon>\s*[:;#])?",
                alternation.join("|")
            ))
            .expect("label patterns"),
            labels: table.into_iter().map(|(l, _)| l).collect(),
        }
    })
}

/// Words before `Name:` that make it someone else's name.
const NOT_THE_PATIENT: [&str; 30] = [
    "physician",
    "doctor",
    "provider",
    "guarantor",
    "contact",
    "insured",
    "subscriber",
    "spouse",
    "mother",
    "father",
    "parent",
    "guardian",
    "relative",
    "emergency",
    "employer",
    "facility",
    "referring",
    "attending",
    "company",
    "plan",
    "witness",
    "interpreter",
    "party",
    "family",
    "nurse",
    "surgeon",
    "print",
    "printed",
    "representative",
    "user",
];

/// The labels of a line, left to right.
pub fn find_labels(line: &str) -> Vec<LabelMatch> {
    find_labels_after(line, "")
}

/// The labels of a line, left to right, knowing the line before it: a caption alone at
/// the start of a line belongs to the heading above it (`EMERGENCY CONTACT` / `NAME`).
pub fn find_labels_after(line: &str, previous_line: &str) -> Vec<LabelMatch> {
    let c = compiled();
    let mut out = Vec::new();
    // A form's rule read as `_` glued to a caption (`_Encounter Date:`) is no part of a
    // word; it is matched as a space (one byte for one: spans are the line's own).
    let unruled = if line.contains('_') {
        std::borrow::Cow::Owned(line.replace('_', " "))
    } else {
        std::borrow::Cow::Borrowed(line)
    };
    let line = unruled.as_ref();
    for caps in c.any.captures_iter(line) {
        let whole = caps.get(0).expect("group 0");
        let Some(label) = (0..c.labels.len())
            .find(|i| caps.name(&format!("l{i}")).is_some())
            .map(|i| c.labels[i])
        else {
            continue;
        };
        let colon =
            caps.name("colon").is_some() || whole.as_str().trim_end().ends_with([':', ';', '!']);
        let before = previous_word(&line[..whole.start()]).or_else(|| {
            line[..whole.start()]
                .trim()
                .is_empty()
                // A section heading: a short line.
                .then(|| {
                    (previous_line.split_whitespace().count() <= 3)
                        .then(|| previous_word(previous_line))
                })
                .flatten()
                .flatten()
        });
        match label {
            Label::Name
                if before
                    .as_ref()
                    .is_some_and(|w| NOT_THE_PATIENT.contains(&w.as_str())) =>
            {
                continue
            }
            // `re` is the patient only as a letter's `RE:`.
            Label::Name if !colon && whole.as_str().trim().eq_ignore_ascii_case("re") => continue,
            // A bare `Date` after a word is that word's date (`Dictation Date`).
            Label::Date(DateKind::Bare) if before.is_some() => continue,
            // So is an appointment's after a word on its line (`Next`, `F/U`, `Last`): the
            // visit's own appointment date is printed unqualified.
            Label::Date(DateKind::Visit)
                if whole.as_str().to_ascii_lowercase().starts_with("app")
                    && previous_word(&line[..whole.start()]).is_some() =>
            {
                continue
            }
            _ => {}
        }
        out.push(LabelMatch {
            start: whole.start(),
            end: whole.end(),
            label,
            colon,
        });
    }
    out
}

/// The alphabetic word right before a position (lowercase), if the text ends with one.
fn previous_word(text: &str) -> Option<String> {
    let t = text.trim_end();
    let word: String = t
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!word.is_empty()).then(|| word.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(line: &str) -> Vec<Label> {
        find_labels(line).iter().map(|m| m.label).collect()
    }

    #[test]
    fn longer_wordings_win() {
        use DateKind::*;
        assert_eq!(
            labels("Name: A, B Medical Record No.: 1 DOB: x Date of Service: y"),
            vec![Label::Name, Label::Mrn, Label::Dob, Label::Date(Service)]
        );
        assert_eq!(
            labels("Date of Birth: 1 Birth Date: 2 D.O.B.: 3 Born: 4"),
            vec![Label::Dob; 4]
        );
        assert_eq!(
            labels("Admission Date: 1 Discharge Date: 2 Dictation Date: 3 Date: 4"),
            vec![
                Label::Date(Admission),
                Label::Date(Discharge),
                Label::Date(Other),
                Label::Date(Bare)
            ]
        );
        assert_eq!(
            labels("Report Date: x Date Dictated: y"),
            vec![Label::Date(Report), Label::Date(Other)]
        );
        assert_eq!(
            labels("Physician Name: X Patient Name: Y"),
            vec![Label::Name]
        );
        assert_eq!(
            labels("DOS; 1 Pt: 2 MR#: 3"),
            vec![Label::Date(Service), Label::Name, Label::Mrn]
        );
    }
}
