//! Extraction of patient fields and the date of service from a document's OCR text.
//!
//! Input: page texts of one document (first page first). Output: [`Extracted`] fields, each
//! with the page it came from. Labels are those printed in chart headers (`Name:`,
//! `Patient Name:`, `MRN:`, `MR#:`, `Medical Record No.:`, `DOB:`, `Birth Date:`,
//! `Date of Service:`, `DOS:`, `Service Date:`, `Visit Date:`). Identifiers tolerate OCR
//! confusions (O/0, l/1/I, S/5, B/8). Dates are checked: no date of service in the future,
//! no birth after the service; an implausible value is dropped (`None`), never guessed.

mod date;

pub use date::parse_date;

use chrono::NaiveDate;
use regex::Regex;
use std::sync::OnceLock;

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
    /// Fields (`name`, `mrn`, `dob`) printed with two different values in the document.
    pub conflicts: Vec<&'static str>,
}

struct Patterns {
    name: Regex,
    mrn: Regex,
    dob: Regex,
    service: Regex,
}

/// A printed date: `MM/DD/YYYY`, `MM/DD/YY` (OCR may put spaces around the slashes),
/// `YYYY-MM-DD`, or `Month D, YYYY`.
pub const DATE: &str = r"([0-9OIlSB]{1,2} ?[,.]?/ ?[0-9OIlSB]{1,2} ?[,.]?/ ?[0-9OIlSB]{2,4}|[0-9OIlSB]{4}/[0-9OIlSB]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? [0-9OIl]{1,2}, [0-9OIlSB]{4})";

/// Labels of the date of service in chart headers.
pub const SERVICE_LABEL: &str = r"(?:Date o[ft] Service|DOS|Service Date|Visit Date)";

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        // The regexes are constants: a failure here is a programming error caught by tests.
        // Labels as OCR reads them too ("Patient Naane", "-atient:", "Patier! Name"); the
        // value must look like `LAST, FIRST` (a period for the comma is an OCR slip).
        name: Regex::new(
            r"(?m)(?:^|\s)(?i:[a-z\-]?atie\S{0,3}\s*na\S{1,3}|[a-z\-]?atie\S{0,3}|name)\s*[:;!.]?\s*([A-Z][A-Za-z'\-]+[,.]\s*[A-Z][A-Za-z'\-]+(?:\s[A-Z]\.)?)",
        )
        .expect("name pattern"),
        mrn: Regex::new(r"(?i)(?:MRN|MR\s?#|Medical Record (?:No\.?|Number|#))\s*[:#]?\s*([0-9OIlSB]{6,10})\b")
            .expect("mrn pattern"),
        dob: Regex::new(&format!(r"(?i)(?:DOB|Date o[ft] Birth|Birth Date)\s*[:;]\s*{DATE}"))
            .expect("dob pattern"),
        service: Regex::new(&format!(r"(?i){SERVICE_LABEL}\s*[:;]\s*{DATE}"))
        .expect("service pattern"),
    })
}

/// Maps OCR look-alikes to digits in an identifier.
pub fn fix_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'I' | 'l' => '1',
            'S' => '5',
            'B' => '8',
            c => c,
        })
        .collect()
}

/// Extracts fields from the pages of one document; `today` bounds dates of service.
/// The first page that carries a field gives its value; a later page carrying a different
/// value of the same field is a conflict (listed in [`Extracted::conflicts`]).
pub fn extract(pages: &[&str], today: NaiveDate) -> Extracted {
    let p = patterns();
    let mut out = Extracted::default();
    let mut conflicts: Vec<&'static str> = Vec::new();
    let mut conflict = |field: &'static str| {
        if !conflicts.contains(&field) {
            conflicts.push(field);
        }
    };
    for (i, text) in pages.iter().enumerate() {
        let doc_page = i + 1;
        if let Some(c) = p.name.captures(text) {
            let m = c.get(1).map(|m| (m.start(), m.end())).unwrap_or_default();
            let name = c[1].split_whitespace().collect::<Vec<_>>().join(" ");
            let value = name.replacen('.', ",", 1).replace(" ,", ",").to_uppercase();
            match &out.name {
                None => {
                    out.name = Some(Found {
                        value,
                        doc_page,
                        span: m,
                    })
                }
                Some(f) if f.value != value => conflict("name"),
                _ => {}
            }
        }
        if let Some(c) = p.mrn.captures(text) {
            let m = c.get(1).map(|m| (m.start(), m.end())).unwrap_or_default();
            let value = fix_digits(&c[1]);
            match &out.mrn {
                None => {
                    out.mrn = Some(Found {
                        value,
                        doc_page,
                        span: m,
                    })
                }
                Some(f) if f.value != value => conflict("mrn"),
                _ => {}
            }
        }
        if out.service_date.is_none() {
            if let Some(c) = p.service.captures(text) {
                let m = c.get(1).map(|m| (m.start(), m.end())).unwrap_or_default();
                if let Some(d) = parse_date(&c[1], today).filter(|d| *d <= today) {
                    out.service_date = Some(Found {
                        value: d,
                        doc_page,
                        span: m,
                    });
                }
            }
        }
        let bound = out.service_date.as_ref().map(|f| f.value).unwrap_or(today);
        if let Some(c) = p.dob.captures(text) {
            let m = c.get(1).map(|m| (m.start(), m.end())).unwrap_or_default();
            if let Some(d) = parse_date(&c[1], bound) {
                match &out.dob {
                    None => {
                        out.dob = Some(Found {
                            value: d,
                            doc_page,
                            span: m,
                        })
                    }
                    Some(f) if f.value != d => conflict("dob"),
                    _ => {}
                }
            }
        }
    }
    // A birth after the service is implausible: drop the birth date rather than guess.
    if let (Some(dob), Some(svc)) = (&out.dob, &out.service_date) {
        if dob.value > svc.value {
            out.dob = None;
        }
    }
    out.conflicts = conflicts;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn corpus_header_styles() {
        let e = extract(
            &["Clinic\nName: PEREZ, DANIEL Medical Record No.: 76420187 DOB: 12/15/1949\nDate of Service: 07/11/1997 Account: 674831898"],
            today(),
        );
        assert_eq!(e.name.unwrap().value, "PEREZ, DANIEL");
        assert_eq!(e.mrn.unwrap().value, "76420187");
        assert_eq!(e.dob.unwrap().value.to_string(), "1949-12-15");
        assert_eq!(e.service_date.unwrap().value.to_string(), "1997-07-11");

        let e = extract(
            &["Patient Name: WOODS, NICOLE MR#: 2179280l\nBirth Date: 06/14/35 DOS: 05/14/21"],
            today(),
        );
        assert_eq!(e.mrn.unwrap().value, "21792801", "l read as 1");
        assert_eq!(e.dob.unwrap().value.to_string(), "1935-06-14");
        assert_eq!(e.service_date.unwrap().value.to_string(), "2021-05-14");

        let e = extract(
            &["MR#: 73710172\nDOB: January 2, 1974\nDate of Service: 07/ 16/2022"],
            today(),
        );
        assert_eq!(e.dob.unwrap().value.to_string(), "1974-01-02");
        assert_eq!(e.service_date.unwrap().value.to_string(), "2022-07-16");
    }

    #[test]
    fn continuation_pages_fill_what_the_first_lacks() {
        let e = extract(
            &["no header here", "Patient: DOE, JANE MRN: 00412345"],
            today(),
        );
        assert_eq!(e.mrn.as_ref().unwrap().doc_page, 2);
        assert!(e.service_date.is_none());
    }

    #[test]
    fn two_values_of_a_field_are_a_conflict_and_the_first_is_kept() {
        let e = extract(
            &[
                "Patient: DOE, JANE MRN: 00412345",
                "Patient: DOE, JANE MRN: 00412346",
            ],
            today(),
        );
        assert_eq!(e.mrn.as_ref().unwrap().value, "00412345");
        assert_eq!(e.conflicts, vec!["mrn"]);
        let e = extract(&["MRN: 0O412345", "MRN: 00412345"], today());
        assert!(e.conflicts.is_empty(), "OCR look-alikes are the same MRN");
    }

    #[test]
    fn ocr_slips_in_labels_and_values() {
        let e = extract(
            &["Patient Naane: SMITH. KATHERINE\nDOS; 08/08/2011 DOB: 10,/20/1975"],
            today(),
        );
        assert_eq!(e.name.unwrap().value, "SMITH, KATHERINE");
        assert_eq!(e.service_date.unwrap().value.to_string(), "2011-08-08");
        assert_eq!(e.dob.unwrap().value.to_string(), "1975-10-20");
        let e = extract(
            &["Patier! Name CRAIG, KATHLEEN\nService Date: 0405/2021"],
            today(),
        );
        assert_eq!(e.name.unwrap().value, "CRAIG, KATHLEEN");
        assert_eq!(e.service_date.unwrap().value.to_string(), "2021-04-05");
        let e = extract(&["-atient: JACKSON, MISTY"], today());
        assert_eq!(e.name.unwrap().value, "JACKSON, MISTY");
    }

    #[test]
    fn spans_point_at_the_value() {
        let text = "Clinic\nMRN: 00412345 DOB: 01/02/1960";
        let e = extract(&[text], today());
        let m = e.mrn.unwrap();
        assert_eq!(&text[m.span.0..m.span.1], "00412345");
        let d = e.dob.unwrap();
        assert_eq!(&text[d.span.0..d.span.1], "01/02/1960");
    }

    #[test]
    fn implausible_dates_are_dropped() {
        let e = extract(&["DOB: 01/01/2020 Date of Service: 01/01/2019"], today());
        assert!(e.dob.is_none(), "born after the service");
        let e = extract(&["Date of Service: 01/01/2031"], today());
        assert!(e.service_date.is_none(), "service in the future");
    }
}
