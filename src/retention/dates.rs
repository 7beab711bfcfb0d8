//! Civil-calendar date arithmetic for retention: whole years and months added on the
//! calendar (Feb 29 + N years in a non-leap year is Mar 1), and year-end cutoffs.

use chrono::{Datelike, Months, NaiveDate};

/// `date` + `years` years + `months` months on the civil calendar. A day that does not
/// exist in the target month (Feb 29 in a common year, the 31st of a short month) rolls
/// over to the first of the next month, so retention is never shortened by rounding down.
pub fn add_period(date: NaiveDate, years: u32, months: u32) -> NaiveDate {
    let total = years * 12 + months;
    let first = date.with_day(1).unwrap_or(date);
    let target_first = first
        .checked_add_months(Months::new(total))
        .unwrap_or(NaiveDate::MAX);
    match target_first.with_day(date.day()) {
        Some(d) => d,
        // The day is past the end of the target month: first of the following month.
        None => target_first
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX),
    }
}

/// Dec 31 of the date's year (annual cutoff).
pub fn year_end(date: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date)
}

/// Age in whole years on `on` of someone born on `dob`.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn leap_day_rolls_to_march_first() {
        // retention.md §7 example 6.
        assert_eq!(add_period(d("2016-02-29"), 7, 0), d("2023-03-01"));
        assert_eq!(add_period(d("2016-02-29"), 8, 0), d("2024-02-29"));
        assert_eq!(add_period(d("2019-01-31"), 0, 1), d("2019-03-01"));
        assert_eq!(add_period(d("2014-08-01"), 10, 0), d("2024-08-01"));
    }

    #[test]
    fn property_adding_years_never_shortens_and_keeps_the_day_when_it_exists() {
        // Every day of 1999-2005 (two leap years) plus 0..=30 years.
        let mut day = d("1999-01-01");
        while day <= d("2005-12-31") {
            for years in [0u32, 1, 5, 7, 10, 21, 30] {
                let r = add_period(day, years, 0);
                assert!(r >= day);
                let exact =
                    NaiveDate::from_ymd_opt(day.year() + years as i32, day.month(), day.day());
                match exact {
                    Some(e) => assert_eq!(r, e, "{day} + {years}"),
                    None => assert_eq!(
                        r,
                        NaiveDate::from_ymd_opt(day.year() + years as i32, 3, 1).unwrap()
                    ),
                }
                // Monotone: a later start never ends earlier.
                let next = day.succ_opt().unwrap();
                assert!(add_period(next, years, 0) >= r);
                // Years add up: (d + a) + b is never before d + (a + b).
                assert!(
                    add_period(add_period(day, years, 0), 3, 0) >= add_period(day, years + 3, 0)
                );
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn ages_and_year_ends() {
        assert_eq!(age_on(d("2010-05-01"), d("2012-01-15")), 1);
        assert_eq!(age_on(d("2000-05-01"), d("2018-04-30")), 17);
        assert_eq!(age_on(d("2000-05-01"), d("2018-05-01")), 18);
        assert_eq!(year_end(d("2014-08-01")), d("2014-12-31"));
    }
}
