//! The one clock retention, purges, approvals and catalog timestamps read.
//!
//! Destruction is decided against *today*: a purge job's own "as of" date never stands in
//! for it, and no user flag moves it. Tests need other days (the day before and the day of
//! an eligible-on date, approvals that expire, a document that ages into eligibility), so a
//! build with the `test-hooks` feature — never the shipped binary — reads
//! `CHARTVAULT_TEST_CLOCK`: a date (`2045-01-01`) or the path of a file holding one (a test
//! moves a running server's day by rewriting the file). Times of day stay the real ones, so
//! timestamps keep their order within a test.

use chrono::{DateTime, NaiveDate, Utc};

/// Today's date where the archive is (local time).
pub fn today() -> NaiveDate {
    match test_day() {
        Some(d) => d,
        None => chrono::Local::now().date_naive(),
    }
}

/// The date destruction is checked against: the earliest calendar date anywhere on Earth
/// (UTC-12), never later than the local date. An eligible-on date has then arrived in every
/// time zone, whatever `TZ` the process runs under (a server on UTC serving a facility in
/// Chicago, or a `TZ` set ahead on purpose): destruction may come up to a day after the
/// facility's own midnight, never before it. Destruction is permitted, never required.
pub fn destruction_day() -> NaiveDate {
    match test_day() {
        Some(d) => d,
        None => {
            let earliest = (Utc::now() - chrono::Duration::hours(12)).date_naive();
            chrono::Local::now().date_naive().min(earliest)
        }
    }
}

/// Now, in UTC.
pub fn now() -> DateTime<Utc> {
    let real = Utc::now();
    match test_day() {
        Some(d) => d.and_time(real.time()).and_utc(),
        None => real,
    }
}

/// Now as RFC 3339 with milliseconds (`2026-12-06T19:32:28.123Z`): catalog timestamps.
pub fn now_rfc3339() -> String {
    now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Now as RFC 3339 in whole seconds (certificates, tombstones, reports).
pub fn now_rfc3339_secs() -> String {
    now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(feature = "test-hooks")]
fn test_day() -> Option<NaiveDate> {
    let v = std::env::var("CHARTVAULT_TEST_CLOCK").ok()?;
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some(d);
    }
    let text = std::fs::read_to_string(v)
        .unwrap_or_else(|e| panic!("CHARTVAULT_TEST_CLOCK file {v}: {e}"));
    Some(
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("CHARTVAULT_TEST_CLOCK file {v} holds no date: {e}")),
    )
}

#[cfg(not(feature = "test-hooks"))]
#[inline]
fn test_day() -> Option<NaiveDate> {
    None
}

/// Crash injection for the crash-safety tests (`test-hooks` builds only):
/// `CHARTVAULT_FAILPOINT=name:n` makes the process SIGKILL itself at that point (no
/// destructors, no flushing), as a power cut would. A no-op in the shipped binary.
#[cfg(feature = "test-hooks")]
pub fn failpoint(name: &str, n: usize) {
    if std::env::var("CHARTVAULT_FAILPOINT").ok().as_deref() == Some(&format!("{name}:{n}")) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &std::process::id().to_string()])
            .status();
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline]
pub fn failpoint(_name: &str, _n: usize) {}

/// A slowed OCR engine for the concurrency tests (`test-hooks` builds only):
/// `CHARTVAULT_TEST_PAGE_DELAY_MS=n` makes every page worker wait n ms per page, so a
/// test can act while an ingest is surely still reading. A no-op in the shipped binary.
#[cfg(feature = "test-hooks")]
pub fn page_delay() {
    if let Some(ms) = std::env::var("CHARTVAULT_TEST_PAGE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline]
pub fn page_delay() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_today_unless_a_test_build_sets_it() {
        // Without the variable every build reads the real clock.
        if std::env::var_os("CHARTVAULT_TEST_CLOCK").is_none() {
            assert_eq!(today(), chrono::Local::now().date_naive());
            assert!((now() - Utc::now()).num_seconds().abs() < 5);
        }
        assert_eq!(now_rfc3339().len(), "2026-12-06T19:32:28.123Z".len());
        // Never after the local date, never after the date anywhere on Earth.
        assert!(destruction_day() <= today());
        assert!(destruction_day() <= (Utc::now() - chrono::Duration::hours(12)).date_naive());
    }
}
