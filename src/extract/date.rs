//! Dates as printed on charts: `MM/DD/YYYY`, `MM/DD/YY`, `YYYY-MM-DD`.

use chrono::{Datelike, NaiveDate};

/// Parses a date; a two-digit year takes the latest century that puts the date on or
/// before `not_after` (a birth date before the service, a service date before today).
pub fn parse_date(s: &str, not_after: NaiveDate) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return month_name_date(s);
    }
    let s: String = super::fix_digits(s)
        .chars()
        .filter(|c| !matches!(c, ' ' | ',' | '.'))
        .collect();
    // `MMDD/YYYY`: OCR lost the first slash.
    let s = match s.split_once('/') {
        Some((md, y)) if md.len() == 4 && !y.contains('/') => {
            format!("{}/{}/{y}", &md[..2], &md[2..])
        }
        _ => s,
    };
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() != 3 {
        return None;
    }
    let month: u32 = parts[0].parse().ok()?;
    let day: u32 = parts[1].parse().ok()?;
    let year: i32 = parts[2].parse().ok()?;
    match parts[2].len() {
        4 => NaiveDate::from_ymd_opt(year, month, day),
        2 => {
            let century = not_after.year() / 100 * 100;
            let d = NaiveDate::from_ymd_opt(century + year, month, day)?;
            if d <= not_after {
                Some(d)
            } else {
                NaiveDate::from_ymd_opt(century - 100 + year, month, day)
            }
        }
        _ => None,
    }
}

/// `Month D, YYYY` (full or abbreviated month names).
fn month_name_date(s: &str) -> Option<NaiveDate> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mut parts = s.split_whitespace();
    let month_word = parts.next()?.to_ascii_lowercase();
    let month = MONTHS.iter().position(|m| month_word.starts_with(m))? as u32 + 1;
    let day: u32 = super::fix_digits(parts.next()?.trim_end_matches(','))
        .parse()
        .ok()?;
    let year: i32 = super::fix_digits(parts.next()?).parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digit_years_resolve_to_the_past() {
        let bound = NaiveDate::from_ymd_opt(2021, 5, 14).unwrap();
        assert_eq!(
            parse_date("06/14/35", bound).unwrap().to_string(),
            "1935-06-14"
        );
        assert_eq!(
            parse_date("05/14/21", bound).unwrap().to_string(),
            "2021-05-14"
        );
        assert_eq!(
            parse_date("2019-03-01", bound).unwrap().to_string(),
            "2019-03-01"
        );
        assert!(parse_date("13/40/2020", bound).is_none());
        assert!(parse_date("hello", bound).is_none());
        assert_eq!(
            parse_date("September 9, 1997", bound).unwrap().to_string(),
            "1997-09-09"
        );
        assert_eq!(
            parse_date("Dec. 1O, 2001", bound).unwrap().to_string(),
            "2001-12-10"
        );
        assert_eq!(
            parse_date("07/ 16/2020", bound).unwrap().to_string(),
            "2020-07-16"
        );
    }
}
