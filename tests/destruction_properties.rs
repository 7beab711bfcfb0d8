//! Destruction safety as a property, with the real binary on the test clock: archives
//! generated with random dates of service, ages and patients (`bench generate`), random
//! legal holds (placed before the plan or after the approvals), random plan dates and
//! execution days, executed through the CLI, the scheduler or the HTTP API. Whatever the
//! draw:
//! - no document is destroyed before its eligible-on date (computed here, independently of
//!   the archive's rules, from the facts exported before the purge),
//! - nor while a hold covers it, nor without two approvals of real accounts,
//! - a plan dated after its day is a forecast and destroys nothing,
//! - every destroyed document is on the job's certificate, every approved one not destroyed
//!   is skipped with a reason.
//!
//! `CHARTVAULT_PROPERTY_CASES` sets the number of draws (default 9: three per front door).

mod common;
use common::server::{add_user, Server};
use common::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{Datelike, NaiveDate};

/// A small deterministic generator (xorshift64*), so a failing draw can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn day(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1) as u64;
        from + chrono::Days::new(self.below(span))
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `date + years` on the civil calendar, Feb 29 going to Mar 1 in a common year
/// (retention.md §2), written here without the archive's code.
fn plus_years(date: NaiveDate, years: i32) -> NaiveDate {
    let y = date.year() + years;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 3, 1).unwrap())
}

fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

#[derive(Debug, Clone)]
struct Facts {
    doc_type: String,
    service: Option<NaiveDate>,
    dob: Option<NaiveDate>,
    mrn: Option<String>,
}

/// The first day the default schedule (AHIMA baseline) permits destroying a document,
/// from the facts alone; `None` when it never may (unclassified, missing inputs).
fn oracle_eligible_on(f: &Facts, last_service: &HashMap<String, NaiveDate>) -> Option<NaiveDate> {
    let service = f.service?;
    let through = match f.doc_type.as_str() {
        "unclassified" => return None,
        "correspondence" => plus_years(service, 6),
        t => {
            let last = *last_service.get(f.mrn.as_ref()?)?;
            let mut through = plus_years(last.max(service), 10);
            if t == "pathology_report" {
                through = through.max(plus_years(service, 10));
            }
            let dob = f.dob?;
            if age_on(dob, service) < 18 {
                through = through.max(plus_years(dob, 28));
            }
            through
        }
    };
    through.succ_opt()
}

fn facts_of(archive: &Path) -> HashMap<String, Facts> {
    of_kind(&export(archive), "document")
        .iter()
        .filter(|x| x["retention"]["status"] != "destroyed")
        .map(|x| {
            let date = |v: &serde_json::Value| v.as_str().map(d);
            (
                x["doc_id"].as_str().unwrap().to_string(),
                Facts {
                    doc_type: x["doc_type"].as_str().unwrap().to_string(),
                    service: date(&x["service_date"]),
                    dob: date(&x["patient"]["dob"]),
                    mrn: x["patient"]["mrn"].as_str().map(str::to_string),
                },
            )
        })
        .collect()
}

fn job_of(out: &str) -> String {
    out.split_whitespace()
        .find(|w| w.starts_with("PJ-"))
        .unwrap_or_else(|| panic!("no job in {out}"))
        .trim_end_matches([',', ':', ')'])
        .to_string()
}

fn hold_mrn(archive: &Path, mrn: &str) {
    ok(&cv(
        archive,
        "officer",
        &[
            "hold", "place", "--matter", "Matter", "--reason", "notice", "--mrn", mrn,
        ],
    ));
}

#[derive(Debug, Clone, Copy)]
enum Door {
    Cli,
    Scheduler,
    Api,
}

#[test]
fn no_document_is_destroyed_early_held_or_unapproved_whatever_the_draw() {
    let cases: u64 = std::env::var("CHARTVAULT_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9);
    let mut destroyed_total = 0;
    let mut skipped_total = 0;
    let mut forecasts = 0;
    for case in 0..cases {
        let seed = 0x9e37_79b9_7f4a_7c15u64 ^ (case + 1).wrapping_mul(0x1234_5678_9abc);
        let door = [Door::Cli, Door::Scheduler, Door::Api][(case % 3) as usize];
        let (destroyed, skipped, forecast) = one_draw(seed, door);
        destroyed_total += destroyed;
        skipped_total += skipped;
        forecasts += forecast as usize;
    }
    eprintln!(
        "{cases} draws: {destroyed_total} documents destroyed, {skipped_total} skipped, {forecasts} forecasts"
    );
    // The draws must exercise destruction at all, or the property says nothing.
    assert!(destroyed_total > 0, "no draw destroyed anything");
}

/// One random archive and purge; returns (destroyed, skipped, was a forecast).
fn one_draw(seed: u64, door: Door) -> (usize, usize, bool) {
    let ctx = format!("seed {seed:#x} via {door:?}");
    let mut rng = Rng(seed | 1);
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    set_clock(&archive, "2026-12-06");
    ok(&run(
        &archive,
        &[
            "bench",
            "generate",
            "--documents",
            "40",
            "--seed",
            &(seed % 100_000).to_string(),
            "--page-chars",
            "300",
        ],
    ));
    for (name, role) in [
        ("officer", "retention_officer"),
        ("approver1", "approver"),
        ("approver2", "approver"),
    ] {
        add_user(&archive, name, role, PW);
    }
    let facts = facts_of(&archive);
    let mut last_service: HashMap<String, NaiveDate> = HashMap::new();
    for f in facts.values() {
        if let (Some(m), Some(s)) = (&f.mrn, f.service) {
            let e = last_service.entry(m.clone()).or_insert(s);
            *e = (*e).max(s);
        }
    }
    let mrns: Vec<String> = {
        let mut v: Vec<String> = last_service.keys().cloned().collect();
        v.sort();
        v
    };
    let mut held: HashSet<String> = HashSet::new();
    for _ in 0..rng.below(3) {
        let m = mrns[rng.below(mrns.len() as u64) as usize].clone();
        hold_mrn(&archive, &m);
        held.insert(m);
    }

    // The day of the plan, and the date it looks at (sometimes after that day).
    let today = rng.day(d("2027-01-01"), d("2070-01-01"));
    let as_of = match rng.below(4) {
        0 => rng.day(today, d("2090-01-01")),
        1 => rng.day(d("2010-01-01"), today),
        _ => today,
    };
    set_clock(&archive, &today.to_string());
    let plan = ok(&cv(
        &archive,
        "officer",
        &["purge", "plan", "--as-of", &as_of.to_string()],
    ));
    let job = job_of(&plan);
    let forecast = as_of > today;
    assert_eq!(plan.contains("FORECAST"), forecast, "{ctx}: {plan}");

    // Two approvals (refused for a forecast), sometimes a hold placed after them, then
    // execution some days later (within the 30 days approvals last) through one door.
    let approvals: Vec<bool> = ["approver1", "approver2"]
        .iter()
        .map(|a| approve(&archive, a, &job).status.success())
        .collect();
    if forecast {
        assert_eq!(approvals, [false, false], "{ctx}: a forecast was approved");
    } else {
        assert_eq!(approvals, [true, true], "{ctx}");
    }
    if rng.below(2) == 0 {
        let m = mrns[rng.below(mrns.len() as u64) as usize].clone();
        hold_mrn(&archive, &m);
        held.insert(m);
    }
    let exec_day = today + chrono::Days::new(rng.below(25));
    set_clock(&archive, &exec_day.to_string());
    match door {
        Door::Cli => {
            let _ = cv(&archive, "officer", &["purge", "execute", &job]);
        }
        Door::Scheduler => {
            let _ = run(&archive, &["scheduler", "run-once"]);
        }
        Door::Api => {
            let server = Server::start(&archive, &[]);
            let s = server.login("officer", PW);
            let r = s.send(
                "POST",
                &format!("/api/v1/purge-jobs/{job}/execute"),
                &serde_json::json!({}),
            );
            assert!(r.status == 200 || r.status == 409, "{ctx}: {}", r.text());
        }
    }

    // The invariants.
    let lines = export(&archive);
    let destroyed: Vec<String> = of_kind(&lines, "document")
        .iter()
        .filter(|x| x["retention"]["status"] == "destroyed")
        .map(|x| x["doc_id"].as_str().unwrap().to_string())
        .collect();
    if forecast {
        assert!(
            destroyed.is_empty(),
            "{ctx}: a forecast destroyed {destroyed:?}"
        );
    }
    for id in &destroyed {
        let f = &facts[id];
        let e = oracle_eligible_on(f, &last_service);
        assert!(
            e.is_some_and(|e| e <= exec_day),
            "{ctx}: {id} ({f:?}) destroyed on {exec_day}, eligible on {e:?}"
        );
        assert!(
            !f.mrn.as_ref().is_some_and(|m| held.contains(m)),
            "{ctx}: {id} destroyed under a hold"
        );
    }
    let show = ok(&run(&archive, &["purge", "show", &job]));
    let planned: usize = show
        .lines()
        .find_map(|l| {
            l.strip_prefix("documents ")?
                .split(';')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{ctx}: {show}"));
    let skipped: Vec<&str> = show
        .lines()
        .filter(|l| l.trim_start().starts_with("skipped "))
        .collect();
    if !destroyed.is_empty() {
        // Executed: every approved document destroyed or skipped with a reason.
        assert_eq!(destroyed.len() + skipped.len(), planned, "{ctx}: {show}");
        for l in &skipped {
            let reason = l.split_once(": ").map(|x| x.1).unwrap_or("");
            assert!(reason.len() > 5, "{ctx}: no reason in {l:?}");
        }
        let cert_id = show
            .split_whitespace()
            .find(|w| w.starts_with("COD-"))
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-'));
        let jobs = ok(&run(&archive, &["purge", "list"]));
        let cert_id = cert_id
            .map(str::to_string)
            .or_else(|| {
                jobs.lines()
                    .find(|l| l.contains(&job))?
                    .split_whitespace()
                    .find(|w| w.starts_with("COD-"))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| panic!("{ctx}: no certificate: {jobs}"));
        let c: serde_json::Value =
            serde_json::from_str(&ok(&run(&archive, &["purge", "certificate", &cert_id]))).unwrap();
        assert_eq!(c["counts"]["documents"], destroyed.len(), "{ctx}");
        for id in &destroyed {
            let o = ok(&run(&archive, &["show", id]));
            assert!(o.contains(&cert_id), "{ctx}: {id} not on {cert_id}: {o}");
        }
    }
    ok(&run(&archive, &["audit", "verify"]));
    (destroyed.len(), skipped.len(), forecast)
}
