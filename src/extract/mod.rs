//! Extraction of patient fields and the date of service from a document's OCR text.
//!
//! Input: page texts of one document (first page first) and its type. Output:
//! [`Extracted`] fields, each with the page and text span it came from.
//!
//! A field is a value right after its label on the same line (`DOB: 12/15/1949`), or, when
//! a line holds only labels (a form's row of captions), the value in the same order on
//! the next line. Label wordings are those charts print ([`labels`]); dates in the forms
//! charts print ([`date`]); identifiers tolerate OCR look-alikes (O/0, l/1, S/5, B/8).
//!
//! **Which date is the date of service** ([`SERVICE_DATE_RULE`]): a date labelled as the
//! date of service (`Date of Service`, `Service Date`, `DOS`) wherever printed; otherwise
//! the first kind, in the order listed for the document's type, that the document prints:
//! a discharge summary's discharge date, an operative report's date of surgery, a
//! radiology report's exam date... then any other encounter date, then a report date,
//! then a bare `Date:`. Dates are checked, never guessed: no date of service in the
//! future, no birth after the service; an implausible value is dropped (`None`).

mod date;
pub mod labels;

pub use date::{find_dates, fix_digits, parse_date, DateMatch, PrintedDate};
use labels::{find_labels, find_labels_after, DateKind, Label, LabelMatch};

use chrono::NaiveDate;
use regex::Regex;
use std::sync::OnceLock;

use crate::model::DocType;

/// A value and the 1-based position of the page (within the document) it was read on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<T> {
    pub value: T,
    pub doc_page: usize,
    /// Byte offsets of the value in that page's text.
    pub span: (usize, usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub name: Option<Found<String>>,
    pub mrn: Option<Found<String>>,
    pub dob: Option<Found<NaiveDate>>,
    pub service_date: Option<Found<NaiveDate>>,
    /// The name was printed `LAST, FIRST` with a one-word last name; otherwise which word
    /// is the last name is a reading of the print, not certain.
    pub name_certain: bool,
    /// Fields (`name`, `mrn`, `dob`) printed with two different values in the document.
    pub conflicts: Vec<&'static str>,
}

/// The date-of-service rule: after a date labelled as the date of service, the kinds of
/// date that stand for it, by document type, most telling first. Kinds not listed for a
/// type follow in [`ENCOUNTER_ORDER`], then a report date, then a bare `Date:`.
pub const SERVICE_DATE_RULE: [(DocType, &[DateKind]); 11] = {
    use DateKind::*;
    [
        (DocType::DischargeSummary, &[Discharge, Admission]),
        (
            DocType::HistoryAndPhysical,
            &[Admission, Visit, Encounter, Exam],
        ),
        (DocType::OperativeReport, &[Surgery, Procedure, Admission]),
        (DocType::RadiologyReport, &[Exam, Procedure]),
        (DocType::EmergencyReport, &[Arrival, Visit, Encounter]),
        (DocType::ProgressNote, &[Visit, Encounter, Exam]),
        (DocType::PathologyReport, &[Procedure, Collected, Surgery]),
        (DocType::ConsentForm, &[Procedure, Surgery, Bare]),
        (DocType::FaceSheet, &[Admission, Encounter, Visit]),
        (DocType::Correspondence, &[Letter, Visit, Encounter]),
        (DocType::Unclassified, &[]),
    ]
};

/// Encounter dates in the order they stand for the date of service when the type's own
/// list names none printed.
pub const ENCOUNTER_ORDER: [DateKind; 10] = {
    use DateKind::*;
    [
        Visit, Encounter, Admission, Exam, Procedure, Surgery, Arrival, Discharge, Collected,
        Letter,
    ]
};

/// The kinds of date, in the order they are taken as a document's date of service.
pub fn service_date_order(doc_type: Option<DocType>) -> Vec<DateKind> {
    let own = SERVICE_DATE_RULE
        .iter()
        .find(|(t, _)| Some(*t) == doc_type)
        .map_or(&[][..], |(_, kinds)| *kinds);
    let mut order = vec![DateKind::Service];
    for k in own.iter().chain(ENCOUNTER_ORDER.iter()) {
        if !order.contains(k) {
            order.push(*k);
        }
    }
    order.extend([DateKind::Report, DateKind::Bare]);
    order
}

/// One labelled value found in a document.
#[derive(Debug, Clone)]
struct Candidate<T> {
    value: T,
    doc_page: usize,
    span: (usize, usize),
}

#[derive(Debug, Default)]
struct Candidates {
    /// Names, and whether each was printed in the certain `LAST, FIRST` form.
    names: Vec<Candidate<(String, bool)>>,
    mrns: Vec<Candidate<String>>,
    dobs: Vec<Candidate<PrintedDate>>,
    dates: Vec<(DateKind, Candidate<PrintedDate>)>,
}

/// A word of a name: letters, apostrophes and hyphens. The first set of patterns also lets
/// OCR set a space after a hyphen (`SMITH- HARTLEY`), which the value drops; when that joins
/// a label word to a name (`DOE- MRN`), the second set, without it, reads the line.
const WORDS: [&str; 2] = [r"[A-Z](?:- |[A-Za-z'\-])+", r"[A-Z][A-Za-z'\-]+"];

/// `LAST, FIRST [M.]` and `First [M.] Last`, with and without the hyphen-space allowance.
fn name_patterns() -> &'static [(Regex, Regex); 2] {
    static P: OnceLock<[(Regex, Regex); 2]> = OnceLock::new();
    P.get_or_init(|| {
        WORDS.map(|word| {
            (
                // `LAST, FIRST [M.]` (a period for the comma is an OCR slip).
                // The last name may be three words (`DE LA CRUZ`).
                Regex::new(
                    &r"^(W(?: W){0,2}) ?[,.] ?(W)(?: ([A-Z])\.?)?(?:\s|$|[,;])".replace('W', word),
                )
                .expect("name pattern"),
                // `First [M.] Last`. The middle initial's period may be read as a letter
                // (`P.` as `PR`).
                Regex::new(
                    &r"^(W)(?: ([A-Z][A-Z]?)\.?)? (W)[’”\x22]?(?:\s|$|[,;])".replace('W', word),
                )
                .expect("name pattern"),
            )
        })
    })
}

/// Words that are not names (labels and header words a name may run into).
const NOT_A_NAME: [&str; 24] = [
    "mrn",
    "dob",
    "medical",
    "record",
    "date",
    "sex",
    "age",
    "account",
    "acct",
    "room",
    "gender",
    "visit",
    "admit",
    "admission",
    "male",
    "female",
    "birth",
    "mr",
    "mrs",
    "ms",
    "dr",
    "miss",
    "service",
    "patient",
];

/// A word that begins a last name of several words (`DE LA CRUZ`, `VAN DER BERG`).
fn particle(word: &str) -> bool {
    const PARTICLES: [&str; 18] = [
        "de", "del", "della", "la", "le", "van", "von", "der", "den", "da", "di", "dos", "du",
        "st", "st.", "mac", "al", "el",
    ];
    PARTICLES.contains(&word.to_ascii_lowercase().as_str())
}

/// A patient name at the start of `s` (leading spaces and punctuation skipped): its byte
/// span in `s` and the `LAST, FIRST` form. `First Last` only after a label with a colon.
fn name_at(s: &str, first_last: bool) -> Option<(usize, usize, (String, bool))> {
    let skip = s.len() - s.trim_start_matches([' ', ':', ';', '-', '.', '#']).len();
    let fixed = capital_look_alikes(&s[skip..]);
    let rest = fixed.as_str();
    // Every part of a word (hyphens apart) must be no label or header word.
    let word_ok = |w: &str| {
        w.len() >= 2
            && w.split('-')
                .filter(|p| !p.is_empty())
                .all(|p| !NOT_A_NAME.contains(&p.to_ascii_lowercase().as_str()))
    };
    for (comma, plain) in name_patterns() {
        if let Some(c) = comma.captures(rest) {
            let last = c[1]
                .replace("- ", "-")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            // A hyphen OCR read after the name is not part of it.
            let first = c[2].replace("- ", "-");
            let first = first.trim_end_matches(['-', ' ']);
            let words: Vec<&str> = last.split(' ').collect();
            // Three words only after a caption, and led by a particle (`DE LA CRUZ`, `VAN
            // DER BERG`): else a heading (`PATIENT HEALTH HISTORY QUESTIONNAIRE, ADULT`).
            let long_ok = words.len() < 3 || (first_last && words[..2].iter().any(|w| particle(w)));
            // A period read for the comma (`Franklin. Galloway`) may as well be a speck
            // after a first name: the reading is not certain.
            let comma =
                rest[c.get(1).expect("last").end()..c.get(2).expect("first").start()].contains(',');
            if long_ok && words.iter().all(|w| word_ok(w)) && word_ok(first) {
                let end = c.get(3).map_or(c.get(2).expect("first").end(), |m| m.end());
                let value = format!("{last}, {first}").to_uppercase();
                return Some((skip, skip + end, (value, comma && !last.contains(' '))));
            }
        }
        if first_last {
            if let Some(c) = plain.captures(rest) {
                // A quote OCR read after the name is not part of it.
                let last = c[3].trim_end_matches(['\'', '-', ' ']);
                let first = c[1].replace("- ", "-");
                if word_ok(&first) && word_ok(&last.replace("- ", "-")) {
                    let end = c.get(3).expect("last").start() + last.len();
                    let value = format!("{}, {first}", last.replace("- ", "-")).to_uppercase();
                    return Some((skip, skip + end, (value, false)));
                }
            }
        }
    }
    None
}

/// `s` with the OCR look-alikes of capitals inside words printed in capitals put right
/// (`IMAN!` -> `IMANI`, `R0SA` -> `ROSA`, `|VERSON` -> `IVERSON`): `!`, `|` and `1` next
/// to a capital read as `I`, `0` as `O`. A word holding a small letter or fewer than two
/// capitals is left as it is. Byte offsets are unchanged (one ASCII byte for another).
fn capital_look_alikes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let capitals = word.chars().filter(char::is_ascii_uppercase).count();
        if capitals < 2 || word.chars().any(|c| c.is_lowercase()) {
            out.push_str(word);
            continue;
        }
        let chars: Vec<char> = word.chars().collect();
        for (j, &c) in chars.iter().enumerate() {
            let capital_beside = (j > 0 && chars[j - 1].is_ascii_uppercase())
                || chars.get(j + 1).is_some_and(char::is_ascii_uppercase);
            out.push(match c {
                // A table's rule stuck to the end of a word (`JANE|`) is no letter.
                '|' if j + 1 == chars.len() => c,
                '!' | '|' | '1' if capital_beside => 'I',
                '0' if capital_beside => 'O',
                _ => c,
            });
        }
    }
    out
}

/// A medical record number at the start of `s`: 5-12 digits (OCR look-alikes allowed, at
/// least four real digits).
fn mrn_at(s: &str) -> Option<(usize, usize, String)> {
    static P: OnceLock<Regex> = OnceLock::new();
    let re = P.get_or_init(|| Regex::new(r"^[\s:;#.\-]*([0-9OIlSB]{5,12})\b").expect("mrn"));
    let c = re.captures(s)?;
    let m = c.get(1)?;
    (m.as_str().chars().filter(char::is_ascii_digit).count() >= 4)
        .then(|| (m.start(), m.end(), fix_digits(m.as_str())))
}

/// The first date of `s` if only spaces and punctuation (an opening bracket too) stand
/// before it, or the day of the week (`Monday, March 4, 2019`).
fn date_at(s: &str) -> Option<DateMatch> {
    static WEEKDAY: OnceLock<Regex> = OnceLock::new();
    let weekday = WEEKDAY.get_or_init(|| {
        Regex::new(r"(?i)^(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?$")
            .expect("weekday")
    });
    let d = find_dates(s).into_iter().next()?;
    let punctuation = |c: char| {
        c.is_whitespace() || matches!(c, ':' | ';' | '.' | '-' | '=' | '_' | ',' | '(' | '[')
    };
    let before = s[..d.start].trim_matches(punctuation);
    (before.is_empty() || weekday.is_match(before)).then_some(d)
}

fn only_punctuation(s: &str) -> bool {
    s.chars().all(speck)
}

/// A character that is no letter or digit: punctuation, or what OCR makes of a speck or a
/// form's rule (`‘`, `”`, `|`, `—`, `©`).
fn speck(c: char) -> bool {
    !c.is_alphanumeric()
}

/// A value read for a label, as a byte span of the page and what it is.
#[derive(Clone)]
enum Value {
    Name((String, bool)),
    Mrn(String),
    Date(PrintedDate),
}

fn value_for(
    label: &LabelMatch,
    region: &str,
    after_caption: bool,
) -> Option<(usize, usize, Value)> {
    match label.label {
        Label::Name => {
            name_at(region, label.colon || after_caption).map(|(s, e, v)| (s, e, Value::Name(v)))
        }
        Label::Mrn => mrn_at(region).map(|(s, e, v)| (s, e, Value::Mrn(v))),
        Label::Dob | Label::Date(_) => {
            date_at(region).map(|d| (d.start, d.end, Value::Date(d.date)))
        }
    }
}

/// One item of a row of values under a row of captions, left to right: a value read, or
/// a word that is none of the values (the value of a caption that is no field, such as
/// `Sex:` or `Account:`).
enum Item {
    Value(usize, usize, Value),
    Other,
}

/// The items of a row of values, in the order of the row.
fn values_in_row(row: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < row.len() {
        let rest = &row[at..];
        let skip = rest.len() - rest.trim_start().len();
        if skip == rest.len() {
            break;
        }
        let rest = &rest[skip..];
        let base = at + skip;
        let found = date_at(rest)
            .map(|d| (d.start, d.end, Value::Date(d.date)))
            .or_else(|| mrn_at(rest).map(|(s, e, v)| (s, e, Value::Mrn(v))))
            .or_else(|| name_at(rest, true).map(|(s, e, v)| (s, e, Value::Name(v))));
        match found {
            Some((s, e, v)) => {
                out.push(Item::Value(base + s, base + e, v));
                at = base + e.max(1);
            }
            None => {
                // One word that is no field's value.
                out.push(Item::Other);
                at = base + rest.find(char::is_whitespace).unwrap_or(rest.len());
            }
        }
    }
    out
}

/// Whether `s` holds only captions of fields that are not read (`Sex:`, `Account:`,
/// `Job #:`): one to three words each, every caption ending in a colon, no digits.
pub(crate) fn only_other_captions(s: &str) -> bool {
    // Specks read as punctuation around the captions are no text.
    let t = s.trim_matches(|c: char| speck(c) && c != ':');
    t.ends_with(':')
        && t.split(':').all(|c| {
            let words = c.split_whitespace().count();
            // Any characters but digits: OCR reads `Medical` as `Medica}`.
            words <= 3 && !c.contains(|ch: char| ch.is_ascii_digit())
        })
        && caption_count(t) > 0
}

/// The number of captions in a run of captions that are not read: a colon with no words
/// before it is a speck or a box's edge read as `:` (`Admission Date: : Sex:`).
fn caption_count(s: &str) -> usize {
    let t = s.trim_end_matches(|c: char| c != ':');
    t.split(':').filter(|c| !c.trim().is_empty()).count()
}

fn push(out: &mut Candidates, label: Label, value: Value, doc_page: usize, span: (usize, usize)) {
    match (label, value) {
        (Label::Name, Value::Name(value)) => out.names.push(Candidate {
            value,
            doc_page,
            span,
        }),
        (Label::Mrn, Value::Mrn(value)) => out.mrns.push(Candidate {
            value,
            doc_page,
            span,
        }),
        (Label::Dob, Value::Date(value)) => out.dobs.push(Candidate {
            value,
            doc_page,
            span,
        }),
        (Label::Date(kind), Value::Date(value)) => out.dates.push((
            kind,
            Candidate {
                value,
                doc_page,
                span,
            },
        )),
        _ => {}
    }
}

/// Lines that may hold a letter's date line: the first few of a document's first page.
const LETTER_DATE_LINES: usize = 8;

/// Whether line `index` of `text` or one of the two after it carries an MRN or a birth
/// date label (a patient's identifiers block).
fn identifiers_follow(text: &str, index: usize) -> bool {
    text.split('\n').skip(index).take(3).any(|l| {
        find_labels(l)
            .iter()
            .any(|m| matches!(m.label, Label::Mrn | Label::Dob))
    })
}

/// Reads the labelled values of one page into `out`.
fn collect(text: &str, doc_page: usize, out: &mut Candidates) {
    let mut pending: Vec<Option<Label>> = Vec::new();
    // How many of `pending` were carried over a row of captions from the line above it.
    let mut carried = 0;
    let mut offset = 0;
    let mut previous = "";
    for (index, line) in text.split('\n').enumerate() {
        let base = offset;
        offset += line.len() + 1;
        let labels = find_labels_after(line, previous);
        previous = line;
        let head = &line[..labels.first().map_or(line.len(), |l| l.start)];
        // Captions carried over a caption row count only when the values line holds a
        // value for each caption; otherwise its values are the caption row's own (a blank
        // `PATIENT NAME: DOB:` over `WITNESS: DATE:` gives the witness no patient's name).
        if carried > 0 && values_in_row(head).len() != pending.len() {
            pending.drain(..carried.min(pending.len()));
        }
        carried = 0;
        // Values for the captions of the line before, in their order (`None`: a caption
        // of a field that is not read).
        let known: Vec<Label> = pending.iter().flatten().copied().collect();
        match (known.as_slice(), pending.len()) {
            ([], _) => {}
            ([one], 1) => {
                let probe = LabelMatch {
                    start: 0,
                    end: 0,
                    label: *one,
                    colon: true,
                };
                // The value is all the line holds before any label of its own (a name
                // followed by more words is the start of a sentence or a letterhead).
                if let Some((s, e, v)) = value_for(&probe, head, true) {
                    if *one != Label::Name || only_punctuation(&head[e..]) {
                        push(out, *one, v, doc_page, (base + s, base + e));
                    }
                }
            }
            _ => {
                let items = values_in_row(head);
                let fits = |label: &Label, v: &Value| {
                    matches!(
                        (label, v),
                        (Label::Dob | Label::Date(_), Value::Date(_))
                            | (Label::Mrn, Value::Mrn(_))
                            | (Label::Name, Value::Name(_))
                    )
                };
                // As many values as captions, each of the kind its caption asks for:
                // column by column.
                let aligned = items.len() == pending.len()
                    && pending
                        .iter()
                        .zip(&items)
                        .all(|(label, item)| match (label, item) {
                            (Some(label), Item::Value(_, _, v)) => fits(label, v),
                            (Some(_), Item::Other) => false,
                            (None, _) => true,
                        });
                if aligned {
                    for (label, item) in pending.iter().zip(&items) {
                        if let (Some(label), Item::Value(s, e, v)) = (label, item) {
                            push(out, *label, v.clone(), doc_page, (base + s, base + e));
                        }
                    }
                } else {
                    // Otherwise by kind: dates in order, the MRN when no caption not
                    // read could own the number, the name.
                    let values: Vec<(usize, usize, &Value)> = items
                        .iter()
                        .filter_map(|i| match i {
                            Item::Value(s, e, v) => Some((*s, *e, v)),
                            Item::Other => None,
                        })
                        .collect();
                    let mut dates = values.iter().filter(|v| matches!(v.2, Value::Date(_)));
                    let mrns: Vec<_> = values
                        .iter()
                        .filter(|v| matches!(v.2, Value::Mrn(_)))
                        .collect();
                    let unread = pending.len() > known.len();
                    for label in &known {
                        let value = match label {
                            Label::Dob | Label::Date(_) => dates.next(),
                            // Beside a caption not read (`Account:`), a lone number
                            // may be that caption's.
                            Label::Mrn if unread => None,
                            Label::Mrn => mrns.first().copied(),
                            Label::Name => values.iter().find(|v| matches!(v.2, Value::Name(_))),
                        };
                        if let Some((s, e, v)) = value {
                            push(out, *label, (*v).clone(), doc_page, (base + s, base + e));
                        }
                    }
                }
            }
        }
        let waiting = std::mem::take(&mut pending);
        // A row of captions only: every label followed by nothing or by captions of
        // fields that are not read, and nothing but such captions before the first.
        let head_captions = if only_punctuation(head) {
            Some(0)
        } else if only_other_captions(head) {
            Some(caption_count(head))
        } else {
            None
        };
        let mut columns: Vec<Option<Label>> = Vec::new();
        let mut caption_row = head_captions.is_some() && !labels.is_empty();
        columns.extend(std::iter::repeat_n(None, head_captions.unwrap_or(0)));
        for (i, l) in labels.iter().enumerate() {
            let end = labels.get(i + 1).map_or(line.len(), |n| n.start);
            let region = &line[l.end..end];
            // A letter's `RE:` names the patient when the name is all the line holds
            // there (`RE: Follow-up of your visit` is a subject).
            let subject = l.label == Label::Name
                && line[l.start..l.end]
                    .trim_end_matches([':', ';', ' '])
                    .eq_ignore_ascii_case("re");
            match value_for(l, region, false) {
                // and is printed `LAST, FIRST` or sits over the patient's MRN or birth
                // date (`RE: Knee Pain` is a subject too).
                Some((s, e, _))
                    if subject
                        && (!only_punctuation(&region[e..])
                            || !(region[s..e].contains(',')
                                || identifiers_follow(text, index))) =>
                {
                    caption_row = false
                }
                Some((s, e, v)) => {
                    caption_row = false;
                    push(
                        out,
                        l.label,
                        v,
                        doc_page,
                        (base + l.end + s, base + l.end + e),
                    )
                }
                None if only_punctuation(region) => columns.push(Some(l.label)),
                None if only_other_captions(region) => {
                    columns.push(Some(l.label));
                    columns.extend(std::iter::repeat_n(None, caption_count(region)));
                }
                None => caption_row = false,
            }
        }
        if caption_row {
            // Captions still waiting for their values when the line under them holds
            // captions only (`PT:` that OCR set a line above `MR NO: DOB:`) keep waiting,
            // before this row's: the values line holds theirs first.
            carried = waiting.len();
            pending = waiting.into_iter().chain(columns).collect();
        } else {
            // Labels with nothing after them on a line that also holds values: each
            // waits for its own value on the next line, as before.
            pending = columns.into_iter().filter(|c| c.is_some()).collect();
        }
        // A letter's date line: a line that is one date, near the top of the first page.
        if doc_page == 1 && index < LETTER_DATE_LINES && labels.is_empty() {
            let trimmed = line.trim_end_matches(|c: char| c.is_whitespace() || c == '.');
            if let Some(d) = find_dates(trimmed).into_iter().next() {
                if only_punctuation(&trimmed[..d.start]) && d.end == trimmed.len() {
                    push(
                        out,
                        Label::Date(DateKind::Letter),
                        Value::Date(d.date),
                        doc_page,
                        (base + d.start, base + d.end),
                    );
                }
            }
        }
    }
}

/// The date a page's header gives for its encounter (a date of service, else the first
/// encounter date: admission, visit, exam...), as printed; used to tell documents apart.
/// A letter's date line and a bare `Date:` count only when the page `opens` like a first
/// page (under a letterhead): on a continuation page a date alone on a line is an entry's
/// date and a bare `Date:` a signature's. The flag says the date is a letter's date line or
/// a bare `Date:` near the top, weaker evidence (a letterhead may repeat on every page).
pub fn header_date(text: &str, opens: bool) -> Option<(PrintedDate, bool)> {
    let mut c = Candidates::default();
    collect(text, if opens { 1 } else { 2 }, &mut c);
    let strong = |k: &DateKind| ENCOUNTER_ORDER.contains(k) && *k != DateKind::Letter;
    // A bare `Date:` counts in the header only (a signature's date sits lower).
    let in_header = |d: &Candidate<PrintedDate>| {
        text.get(..d.span.0).map_or(0, |t| t.matches('\n').count()) < HEADER_DATE_LINES
    };
    c.dates
        .iter()
        .find(|(k, _)| *k == DateKind::Service)
        .or_else(|| c.dates.iter().find(|(k, _)| strong(k)))
        .map(|(_, d)| (d.value, false))
        .or_else(|| {
            opens
                .then(|| {
                    c.dates.iter().find(|(k, d)| {
                        *k == DateKind::Letter || (*k == DateKind::Bare && in_header(d))
                    })
                })
                .flatten()
                .map(|(_, d)| (d.value, true))
        })
}

/// Lines at the top of a page where a bare `Date:` is the document's own.
const HEADER_DATE_LINES: usize = 12;

/// The date captions of one line of OCR text (dates of birth and encounter dates, not
/// `Dictated` or `Signed`; labels with their colon) with something printed after them, each with whether a date
/// was read there: `false` is a date OCR garbled (`Date of Service: Gs lad`,
/// `01/99/2024`), which a second look at the line may read.
pub fn date_labels_read(line: &str) -> Vec<(Label, bool)> {
    let labels = find_labels_after(line, "");
    let mut out = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        // A form's caption has its colon; `admitted` or `born` in a sentence is prose.
        if !l.colon
            || !matches!(l.label, Label::Dob | Label::Date(_))
            || l.label == Label::Date(DateKind::Other)
        {
            continue;
        }
        let end = labels.get(i + 1).map_or(line.len(), |n| n.start);
        let region = &line[l.end..end];
        if only_punctuation(region) || only_other_captions(region) {
            continue;
        }
        out.push((l.label, value_for(l, region, false).is_some()));
    }
    out
}

fn found<T>(c: &Candidate<impl Sized>, value: T) -> Found<T> {
    Found {
        value,
        doc_page: c.doc_page,
        span: c.span,
    }
}

/// Extracts fields from the pages of one document of the given type (`None`: not yet
/// known); `today` bounds dates of service. The first value read of a field stands; a
/// different value of the name, MRN or birth date elsewhere in the document is a conflict
/// (listed in [`Extracted::conflicts`]).
pub fn extract(pages: &[&str], doc_type: Option<DocType>, today: NaiveDate) -> Extracted {
    let mut c = Candidates::default();
    for (i, text) in pages.iter().enumerate() {
        // A form's rule read as `_` is no part of a label or a value (one byte for one:
        // spans stay the page text's own).
        collect(&text.replace('_', " "), i + 1, &mut c);
    }
    let mut out = Extracted::default();
    let earliest = NaiveDate::from_ymd_opt(1880, 1, 1).expect("a date");
    out.service_date = service_date_order(doc_type).iter().find_map(|kind| {
        c.dates
            .iter()
            .filter(|(k, _)| k == kind)
            .find_map(|(_, cand)| {
                let d = cand.value.resolve(today)?;
                (d <= today && d >= earliest).then(|| found(cand, d))
            })
    });
    let bound = out.service_date.as_ref().map_or(today, |f| f.value);
    let births: Vec<(usize, NaiveDate)> = c
        .dobs
        .iter()
        .enumerate()
        .filter_map(|(i, cand)| cand.value.resolve(bound).map(|d| (i, d)))
        .collect();
    // A birth after the service (or before 1880) is implausible: dropped, not guessed.
    if let Some((i, d)) = births.first() {
        if *d <= bound && *d >= earliest {
            out.dob = Some(found(&c.dobs[*i], *d));
        }
    }
    if births
        .iter()
        .any(|(_, d)| Some(d) != births.first().map(|b| &b.1))
    {
        out.conflicts.push("dob");
    }
    let name = c.names.first();
    out.name = name.map(|n| found(n, n.value.0.clone()));
    out.name_certain = name.is_some_and(|n| n.value.1);
    if c.names
        .iter()
        .any(|n| n.value.1 && Some(&n.value.0) != out.name.as_ref().map(|f| &f.value))
    {
        out.conflicts.insert(0, "name");
    }
    out.mrn = c.mrns.first().map(|n| found(n, n.value.clone()));
    if c.mrns
        .iter()
        .any(|n| Some(&n.value) != out.mrn.as_ref().map(|f| &f.value))
    {
        let at = out
            .conflicts
            .iter()
            .position(|f| *f == "dob")
            .unwrap_or(out.conflicts.len());
        out.conflicts.insert(at, "mrn");
    }
    out
}
/// Whether two `LAST, FIRST` values name the same person as read: the same words in any
/// order, or the same first name and last names a couple of letters apart (spaces
/// ignored: `BE AKE` for `BLAKE`).
pub fn same_name(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        let mut w: Vec<String> = s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        w.sort();
        w
    };
    if words(a) == words(b) {
        return true;
    }
    let split = |s: &str| {
        let (last, first) = s.split_once(',').unwrap_or((s, ""));
        (last.replace(' ', ""), first.trim().to_string())
    };
    let ((la, fa), (lb, fb)) = (split(a), split(b));
    fa == fb && !fa.is_empty() && edit_distance(&la, &lb) <= 2
}

/// Levenshtein distance of two short strings (characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
