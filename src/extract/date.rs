//! Dates as charts print them, found in OCR text.
//!
//! Forms: numeric month-day-year with `/`, `-` or `.` (`07/11/1997`, `7-11-97`,
//! `07.11.1997`; US charts, so never day-month), year-month-day (`1997-07-11`,
//! `1997/07/11`), and month names or abbreviations in any case (`July 11, 1997`,
//! `Jul. 11 1997`, `11 July 1997`, `11-JUL-1997`, `JUL 11 97`, run together `11JUL1997`,
//! `1997-Jul-11`). Digits may carry OCR
//! look-alikes (`O`/`o`/`@` for 0, `l`/`I`/`|` for 1, `S` for 5, `B` for 8) as long as
//! most of the date is real digits, and OCR may put spaces around separators.
//! A two-digit year is resolved against a bound (see [`PrintedDate::resolve`]).

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::sync::OnceLock;

/// A date as printed, before a two-digit year is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintedDate {
    pub year: i32,
    /// The year was printed with two digits.
    pub short_year: bool,
    pub month: u32,
    pub day: u32,
}

impl PrintedDate {
    /// The calendar date; a two-digit year takes the latest century that puts the date on
    /// or before `not_after` (a birth before the service, a service before today).
    pub fn resolve(&self, not_after: NaiveDate) -> Option<NaiveDate> {
        if !self.short_year {
            return NaiveDate::from_ymd_opt(self.year, self.month, self.day);
        }
        let century = not_after.year() / 100 * 100;
        let d = NaiveDate::from_ymd_opt(century + self.year, self.month, self.day)?;
        if d <= not_after {
            Some(d)
        } else {
            NaiveDate::from_ymd_opt(century - 100 + self.year, self.month, self.day)
        }
    }
}

/// A date found in a text: its byte span and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMatch {
    pub start: usize,
    pub end: usize,
    pub date: PrintedDate,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A digit or an OCR look-alike of one.
const D: &str = r"[0-9OoIl|\]!SB@]";
const MONTH_NAME: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

struct Patterns {
    numeric: Regex,
    /// `MMDD/YYYY`: OCR lost the first slash.
    lost_slash: Regex,
    iso: Regex,
    month_first: Regex,
    day_first: Regex,
    /// `04MAR2019`: day, month and year run together (digits only).
    compact: Regex,
    /// `2019-Mar-04`.
    iso_named: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        // The constants below are fixed: a failure is a programming error caught by tests.
        numeric: Regex::new(&format!(
            r"({D}{{1,2}}) ?[,.]?([/.\-]) ?({D}{{1,2}}) ?[,.]?([/.\-]) ?({D}{{4}}|{D}{{2}})"
        ))
        .expect("numeric date"),
        lost_slash: Regex::new(&format!(r"({D}{{2}})({D}{{2}}) ?/ ?({D}{{4}})"))
            .expect("lost-slash date"),
        iso: Regex::new(&format!(r"({D}{{4}}) ?([/.\-]) ?({D}{{1,2}}) ?([/.\-]) ?({D}{{1,2}})"))
            .expect("iso date"),
        month_first: Regex::new(&format!(
            r"(?i)\b({MONTH_NAME})\b\.?[ \-/]*({D}{{1,2}})(?:st|nd|rd|th)?(?: ?,)?[ \-/,]*({D}{{4}}|{D}{{2}})"
        ))
        .expect("month-first date"),
        day_first: Regex::new(&format!(
            r"(?i)({D}{{1,2}})(?:st|nd|rd|th)?[ \-/.]*({MONTH_NAME})\b\.?(?: ?,)?[ \-/,]*({D}{{4}}|{D}{{2}})"
        ))
        .expect("day-first date"),
        compact: Regex::new(&format!(r"(?i)\b([0-9]{{1,2}})({MONTH_NAME})([0-9]{{4}}|[0-9]{{2}})\b"))
            .expect("compact date"),
        iso_named: Regex::new(&format!(
            r"(?i)({D}{{4}})[ \-/.]({MONTH_NAME})\b\.?[ \-/.]({D}{{1,2}})"
        ))
        .expect("iso date with a month name"),
    })
}

/// Maps OCR look-alikes to digits.
pub fn fix_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'O' | 'o' | '@' => '0',
            'I' | 'l' | '|' | ']' | '!' => '1',
            'S' => '5',
            'B' => '8',
            c => c,
        })
        .collect()
}

fn number(s: &str) -> Option<u32> {
    // `]` and `!` are a 1 only after a real digit, once (`2]`, not `!1` or `20!!`): on
    // their own they are a bracket and an exclamation.
    let loose = s.chars().filter(|c| matches!(c, ']' | '!')).count();
    if s.starts_with([']', '!']) || loose > 1 {
        return None;
    }
    fix_digits(s).parse().ok()
}

fn real_digits(s: &str) -> usize {
    s.chars().filter(char::is_ascii_digit).count()
}

/// Whether the match stands alone: not glued to letters or digits on either side (a
/// phone number, an account number or a word is not a date).
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    // A date may be followed by a period or comma ending a sentence, not by more digits
    // behind a separator (`12/15/1949/2`).
    let more_digits = text[end..].starts_with(['/', '-', '.'])
        && text[end + 1..].starts_with(|c: char| c.is_ascii_digit());
    !glued(before) && !glued(after) && !more_digits
}

fn month_of(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| w.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn year_of(s: &str) -> Option<(i32, bool)> {
    let y = number(s)? as i32;
    match s.len() {
        4 if (1800..=2199).contains(&y) => Some((y, false)),
        2 => Some((y, true)),
        _ => None,
    }
}

fn valid(year: i32, short_year: bool, month: u32, day: u32) -> Option<PrintedDate> {
    let probe = if short_year { 2000 + year } else { year };
    NaiveDate::from_ymd_opt(probe, month, day)
        .or_else(|| NaiveDate::from_ymd_opt(1900 + year, month, day).filter(|_| short_year))?;
    Some(PrintedDate {
        year,
        short_year,
        month,
        day,
    })
}

/// Every date printed in `text`, in order of position (overlapping readings resolved in
/// favour of the earliest, then the longest).
pub fn find_dates(text: &str) -> Vec<DateMatch> {
    let p = patterns();
    let mut found: Vec<DateMatch> = Vec::new();
    let mut add = |whole: regex::Match, date: Option<PrintedDate>| {
        if let Some(date) = date {
            found.push(DateMatch {
                start: whole.start(),
                end: whole.end(),
                date,
            });
        }
    };
    for c in p.numeric.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        if c[2] != c[4] || real_digits(whole.as_str()) < 4 {
            continue;
        }
        let (Some(month), Some(day), Some((year, short))) =
            (number(&c[1]), number(&c[3]), year_of(&c[5]))
        else {
            continue;
        };
        // A dotted or dashed short form (`1.5.20`) is too often a version or a number.
        if short && &c[2] != "/" && c[1].len() + c[3].len() < 4 {
            continue;
        }
        add(whole, valid(year, short, month, day));
    }
    for c in p.lost_slash.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        let (Some(month), Some(day), Some((year, false))) =
            (number(&c[1]), number(&c[2]), year_of(&c[3]))
        else {
            continue;
        };
        if real_digits(whole.as_str()) < 6 {
            continue;
        }
        add(whole, valid(year, false, month, day));
    }
    for c in p.iso.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        if c[2] != c[4] || real_digits(whole.as_str()) < 6 {
            continue;
        }
        let (Some((year, false)), Some(month), Some(day)) =
            (year_of(&c[1]), number(&c[3]), number(&c[5]))
        else {
            continue;
        };
        add(whole, valid(year, false, month, day));
    }
    for c in p.iso_named.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        let (Some((year, false)), Some(month), Some(day)) =
            (year_of(&c[1]), month_of(&c[2]), number(&c[3]))
        else {
            continue;
        };
        add(whole, valid(year, false, month, day));
    }
    for (re, month_group, day_group) in [
        (&p.month_first, 1, 2),
        (&p.day_first, 2, 1),
        (&p.compact, 2, 1),
    ] {
        for c in re.captures_iter(text) {
            let whole = c.get(0).expect("group 0");
            let (Some(month), Some(day), Some((year, short))) = (
                month_of(&c[month_group]),
                number(&c[day_group]),
                year_of(&c[3]),
            ) else {
                continue;
            };
            if real_digits(&c[3]) + real_digits(&c[day_group]) < 2 {
                continue;
            }
            add(whole, valid(year, short, month, day));
        }
    }
    found.retain(|m| stands_alone(text, m.start, m.end));
    found.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut out: Vec<DateMatch> = Vec::with_capacity(found.len());
    for m in found {
        if out.last().is_some_and(|last| m.start < last.end) {
            continue;
        }
        out.push(m);
    }
    out
}

/// Parses a text that is one date (and nothing else but spaces).
pub fn parse_date(s: &str, not_after: NaiveDate) -> Option<NaiveDate> {
    let s = s.trim();
    let m = find_dates(s).into_iter().next()?;
    (m.start == 0 && m.end == s.len()).then_some(())?;
    m.date.resolve(not_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 5, 14).unwrap()
    }

    fn iso(s: &str) -> String {
        parse_date(s, bound()).map_or_else(|| "-".into(), |d| d.to_string())
    }

    #[test]
    fn printed_forms() {
        for (text, want) in [
            ("06/14/35", "1935-06-14"),
            ("05/14/21", "2021-05-14"),
            ("2019-03-01", "2019-03-01"),
            ("2019/03/01", "2019-03-01"),
            ("7-4-1999", "1999-07-04"),
            ("07.04.1999", "1999-07-04"),
            ("September 9, 1997", "1997-09-09"),
            ("Sept. 9, 1997", "1997-09-09"),
            ("Dec. 1O, 2001", "2001-12-10"),
            ("07/ 16/2020", "2020-07-16"),
            ("23-MAY-1996", "1996-05-23"),
            ("23 May 1996", "1996-05-23"),
            ("MAY 23 1996", "1996-05-23"),
            ("may 23, 1996", "1996-05-23"),
            ("23rd May 1996", "1996-05-23"),
            ("O1/l5/2OO3", "2003-01-15"),
            ("01/15/2@03", "2003-01-15"),
            ("0405/2021", "2021-04-05"),
            ("13/40/2020", "-"),
            ("02/30/2020", "-"),
            ("hello", "-"),
            ("1.5.20", "-"),
        ] {
            assert_eq!(iso(text), want, "{text}");
        }
    }

    #[test]
    fn dates_in_a_line_in_order_and_not_inside_numbers() {
        let line = "Admission Date: 07/07/1997 Discharge Date: 07/11/1997 Acct 123/45/678901 tel 555-12-1234";
        let found: Vec<String> = find_dates(line)
            .iter()
            .map(|m| line[m.start..m.end].to_string())
            .collect();
        assert_eq!(found, vec!["07/07/1997", "07/11/1997"]);
        let text = "Seen MAY 23 1996, again 6/1/97.";
        let found = find_dates(text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[1].date.resolve(bound()).unwrap().to_string(),
            "1997-06-01"
        );
    }
}
