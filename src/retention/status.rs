//! A document's retention status as of a date (retention.md §2): class from its type,
//! every term's date, the minor rule, the binding (latest) date, missing inputs, holds.

use chrono::NaiveDate;

use super::dates::{add_period, age_on, year_end};
use super::schedule::{Cutoff, Disposition, RetentionClass, Schedule, Trigger};
pub use crate::model::retention::{Candidate, Decision, RetentionStatus};
use crate::model::DocType;

/// What the rules need to know about one document.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionFacts {
    pub doc_type: DocType,
    pub service_date: Option<NaiveDate>,
    pub dob: Option<NaiveDate>,
    pub has_mrn: bool,
    /// Latest date of service of the patient's live documents (this one included).
    pub patient_last_service: Option<NaiveDate>,
    pub ingested_at: NaiveDate,
}

/// Result of checking holds for a document.
#[derive(Debug, Clone, PartialEq)]
pub enum HoldCheck {
    Clear,
    /// Ids of the active holds that match.
    Held(Vec<String>),
    /// Holds could not be evaluated: treated as held (fail closed).
    Unknown(String),
}

/// The document's decision as of `as_of`. A matching hold (or holds that cannot be
/// evaluated) makes it `on_hold` whatever else is true of it: missing fields, an unknown
/// type and a permanent class included (retention.md §4: a hold covers its whole scope).
pub fn decide(
    schedule: &Schedule,
    facts: &RetentionFacts,
    holds: &HoldCheck,
    as_of: NaiveDate,
) -> Decision {
    let d = decide_terms(schedule, schedule.class_of(facts.doc_type), facts, as_of);
    with_holds(d, holds)
}

/// A quarantined scan's decision as of `as_of`: the schedule's class for quarantined scans
/// counted from the day it was quarantined; without such a class it is never eligible.
pub fn decide_quarantined(
    schedule: &Schedule,
    quarantined_on: NaiveDate,
    holds: &HoldCheck,
    as_of: NaiveDate,
) -> Decision {
    let facts = RetentionFacts {
        doc_type: DocType::Unclassified,
        service_date: None,
        dob: None,
        has_mrn: false,
        patient_last_service: None,
        ingested_at: quarantined_on,
    };
    let d = match schedule.quarantine_class() {
        Some(class) => decide_terms(schedule, class, &facts, as_of),
        None => {
            let mut d = decide_terms(
                schedule,
                schedule.class_of(DocType::Unclassified),
                &facts,
                as_of,
            );
            d.class = "QUARANTINE".into();
            d.status = RetentionStatus::Indeterminate;
            d.eligible_on = None;
            d.missing = vec!["a retention class for quarantined scans".into()];
            d
        }
    };
    with_holds(d, holds)
}

fn with_holds(mut d: Decision, holds: &HoldCheck) -> Decision {
    match holds {
        HoldCheck::Held(ids) => {
            d.holds = ids.clone();
            d.status = RetentionStatus::OnHold;
        }
        HoldCheck::Unknown(err) => {
            d.holds = vec![format!("holds could not be evaluated: {err}")];
            d.status = RetentionStatus::OnHold;
        }
        HoldCheck::Clear => {}
    }
    d
}

/// The decision from the schedule alone (no holds).
fn decide_terms(
    schedule: &Schedule,
    class: &RetentionClass,
    facts: &RetentionFacts,
    as_of: NaiveDate,
) -> Decision {
    let mut d = Decision {
        class: class.id.clone(),
        status: RetentionStatus::Indeterminate,
        retain_through: None,
        eligible_on: None,
        binding_rule: None,
        candidates: Vec::new(),
        missing: Vec::new(),
        holds: Vec::new(),
        schedule: schedule.label(),
        schedule_hash: schedule.hash.clone(),
        as_of,
    };
    match class.disposition {
        Disposition::Permanent => {
            d.status = RetentionStatus::Permanent;
            return d;
        }
        Disposition::Review => {
            d.missing.push("doc_type".into());
            return d;
        }
        Disposition::Destroy => {}
    }
    let cut = |date: NaiveDate| match class.cutoff {
        Cutoff::None => date,
        Cutoff::YearEnd => year_end(date),
    };
    let need = |what: &str, d: &mut Decision| {
        if !d.missing.iter().any(|m| m == what) {
            d.missing.push(what.to_string());
        }
    };
    for term in &class.terms {
        let trigger = match term.trigger {
            Trigger::ServiceDate | Trigger::DocumentDate => facts.service_date,
            Trigger::PatientLastService if !facts.has_mrn => {
                need("mrn", &mut d);
                continue;
            }
            Trigger::PatientLastService => facts.patient_last_service,
            Trigger::IngestedAt => Some(facts.ingested_at),
        };
        let Some(t) = trigger else {
            need("service_date", &mut d);
            continue;
        };
        let t = cut(t);
        d.candidates.push(Candidate {
            rule: format!(
                "{} + {}",
                term.trigger.as_str(),
                period(term.years, term.months)
            ),
            trigger_date: t,
            retain_through: add_period(t, term.years, term.months),
        });
    }
    if let Some(minor) = &class.minor {
        match (facts.dob, facts.service_date) {
            (Some(dob), Some(svc)) => {
                if age_on(dob, svc) < minor.age_of_majority as i32 {
                    let years = minor.age_of_majority + minor.years_after_majority;
                    let t = cut(dob);
                    d.candidates.push(Candidate {
                        rule: format!("minor rule: dob + {years}y"),
                        trigger_date: t,
                        retain_through: add_period(t, years, 0),
                    });
                }
            }
            // Whether the patient was a minor cannot be told: the minor rule could apply.
            (None, _) => need("dob", &mut d),
            (Some(_), None) => need("service_date", &mut d),
        }
    }
    if let Some(best) = d.candidates.iter().reduce(|a, b| {
        if b.retain_through > a.retain_through {
            b
        } else {
            a
        }
    }) {
        d.retain_through = Some(best.retain_through);
        d.eligible_on = best.retain_through.succ_opt();
        d.binding_rule = Some(best.rule.clone());
    }
    if !d.missing.is_empty() {
        d.status = RetentionStatus::Indeterminate;
        d.eligible_on = None;
        return d;
    }
    d.status = match d.eligible_on {
        Some(e) if e <= as_of => RetentionStatus::Eligible,
        _ => RetentionStatus::Retained,
    };
    d
}

fn period(years: u32, months: u32) -> String {
    match (years, months) {
        (y, 0) => format!("{y}y"),
        (0, m) => format!("{m}m"),
        (y, m) => format!("{y}y{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn facts(doc_type: DocType, svc: &str, dob: Option<&str>, last: &str) -> RetentionFacts {
        RetentionFacts {
            doc_type,
            service_date: Some(d(svc)),
            dob: dob.map(d),
            has_mrn: true,
            patient_last_service: Some(d(last)),
            ingested_at: d("2026-11-01"),
        }
    }

    const ADULT: Option<&str> = Some("1961-03-14");

    #[test]
    fn example_1_adult_discharge_summary_is_eligible() {
        let s = Schedule::embedded();
        let f = facts(DocType::DischargeSummary, "2014-08-01", ADULT, "2014-08-01");
        let r = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
        assert_eq!(r.class, "CLIN-CORE");
        assert_eq!(r.eligible_on, Some(d("2024-08-02")));
        assert_eq!(r.status, RetentionStatus::Eligible);
        assert_eq!(
            r.binding_rule.as_deref(),
            Some("patient_last_service + 10y")
        );
    }

    #[test]
    fn example_2_a_later_document_moves_the_date() {
        let s = Schedule::embedded();
        for (t, svc) in [
            (DocType::DischargeSummary, "2014-08-01"),
            (DocType::ProgressNote, "2020-03-01"),
        ] {
            let f = facts(t, svc, ADULT, "2020-03-01");
            let r = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
            assert_eq!(r.retain_through, Some(d("2030-03-01")));
            assert_eq!(r.status, RetentionStatus::Retained);
        }
    }

    #[test]
    fn example_3_minor_rule_binds() {
        let s = Schedule::embedded();
        let f = facts(
            DocType::ProgressNote,
            "2012-01-15",
            Some("2010-05-01"),
            "2012-01-15",
        );
        let r = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
        let dates: Vec<NaiveDate> = r.candidates.iter().map(|c| c.retain_through).collect();
        assert_eq!(dates, vec![d("2022-01-15"), d("2038-05-01")]);
        assert_eq!(r.eligible_on, Some(d("2038-05-02")));
        assert!(r.binding_rule.unwrap().starts_with("minor rule"));
    }

    #[test]
    fn example_4_hold_blocks_then_release_makes_eligible() {
        let s = Schedule::embedded();
        let f = facts(DocType::DischargeSummary, "2014-08-01", ADULT, "2014-08-01");
        let held = decide(&s, &f, &HoldCheck::Held(vec!["H1".into()]), d("2026-11-22"));
        assert_eq!(held.status, RetentionStatus::OnHold);
        assert_eq!(held.eligible_on, Some(d("2024-08-02")), "would be eligible");
        let released = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
        assert_eq!(released.status, RetentionStatus::Eligible);
        // Fail closed.
        let unknown = decide(
            &s,
            &f,
            &HoldCheck::Unknown("index busy".into()),
            d("2026-11-22"),
        );
        assert_eq!(unknown.status, RetentionStatus::OnHold);
    }

    #[test]
    fn a_hold_covers_documents_whatever_their_other_fields() {
        let s = Schedule::embedded();
        let held = HoldCheck::Held(vec!["H-0001".into()]);
        let far = d("2999-01-01");
        let mut f = facts(DocType::DischargeSummary, "2014-08-01", ADULT, "2014-08-01");
        f.service_date = None;
        f.patient_last_service = None;
        let r = decide(&s, &f, &held, far);
        assert_eq!(r.status, RetentionStatus::OnHold, "no date of service");
        assert_eq!(r.holds, vec!["H-0001"]);
        assert!(r.missing.contains(&"service_date".to_string()));
        let mut f = facts(DocType::Unclassified, "2014-08-01", ADULT, "2014-08-01");
        assert_eq!(decide(&s, &f, &held, far).status, RetentionStatus::OnHold);
        f.doc_type = DocType::ProgressNote;
        f.dob = None;
        assert_eq!(decide(&s, &f, &held, far).status, RetentionStatus::OnHold);
        f.has_mrn = false;
        let unknown = HoldCheck::Unknown("catalog unreadable".into());
        assert_eq!(
            decide(&s, &f, &unknown, far).status,
            RetentionStatus::OnHold
        );
        // And once the date is filled in, still held.
        let f = facts(DocType::DischargeSummary, "2014-08-01", ADULT, "2014-08-01");
        assert_eq!(decide(&s, &f, &held, far).status, RetentionStatus::OnHold);
    }

    #[test]
    fn example_5_unknown_dob_is_indeterminate() {
        let s = Schedule::embedded();
        let f = facts(DocType::ProgressNote, "2012-01-15", None, "2012-01-15");
        let r = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
        assert_eq!(r.status, RetentionStatus::Indeterminate);
        assert_eq!(r.missing, vec!["dob"]);
        assert_eq!(r.eligible_on, None);
    }

    #[test]
    fn example_6_leap_day_trigger() {
        let text = super::super::schedule::DEFAULT_RETENTION_TOML;
        let s = Schedule::parse(text, "x", Some("CA")).unwrap();
        let f = facts(DocType::ProgressNote, "2016-02-29", ADULT, "2016-02-29");
        let r = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
        assert_eq!(r.retain_through, Some(d("2023-03-01")));
    }

    #[test]
    fn unclassified_missing_service_date_and_mrn_are_never_eligible() {
        let s = Schedule::embedded();
        let far = d("2999-01-01");
        let mut f = facts(DocType::Unclassified, "2000-01-01", ADULT, "2000-01-01");
        assert_eq!(
            decide(&s, &f, &HoldCheck::Clear, far).status,
            RetentionStatus::Indeterminate
        );
        f.doc_type = DocType::ProgressNote;
        f.service_date = None;
        let r = decide(&s, &f, &HoldCheck::Clear, far);
        assert_eq!(r.status, RetentionStatus::Indeterminate);
        assert!(r.missing.contains(&"service_date".to_string()));
        f.service_date = Some(d("2000-01-01"));
        f.has_mrn = false;
        let r = decide(&s, &f, &HoldCheck::Clear, far);
        assert_eq!(r.missing, vec!["mrn"]);
    }

    #[test]
    fn state_profiles_express_their_rules() {
        let text = super::super::schedule::DEFAULT_RETENTION_TOML;
        let child = Some("2015-06-01");
        let cases = [
            // (profile, retain through for a child seen 2016-01-10)
            ("CA", "2034-06-01"), // until 19, more than 7 years
            ("NY", "2036-06-01"), // until 21
            ("TX", "2035-06-01"), // until 20
            ("NC", "2045-06-01"), // until 30
            ("MA", "2036-01-10"), // 20 years after last treatment
        ];
        for (p, through) in cases {
            let s = Schedule::parse(text, "x", Some(p)).unwrap();
            let f = facts(DocType::ProgressNote, "2016-01-10", child, "2016-01-10");
            let r = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
            assert_eq!(r.retain_through, Some(d(through)), "{p}");
        }
        // California's floor: a 17-year-old is kept 7 years, not until 19.
        let s = Schedule::parse(text, "x", Some("CA")).unwrap();
        let f = facts(
            DocType::ProgressNote,
            "2016-01-10",
            Some("1998-06-01"),
            "2016-01-10",
        );
        let r = decide(&s, &f, &HoldCheck::Clear, d("2026-11-22"));
        assert_eq!(r.retain_through, Some(d("2023-01-10")));
    }

    #[test]
    fn property_eligibility_is_monotone_in_the_as_of_date() {
        let s = Schedule::embedded();
        let f = facts(
            DocType::RadiologyReport,
            "2009-07-04",
            Some("1999-02-28"),
            "2011-12-31",
        );
        let r = decide(&s, &f, &HoldCheck::Clear, d("2000-01-01"));
        let e = r.eligible_on.unwrap();
        let mut day = d("2015-01-01");
        while day < d("2045-01-01") {
            let st = decide(&s, &f, &HoldCheck::Clear, day).status;
            assert_eq!(st == RetentionStatus::Eligible, day >= e, "{day}");
            day = day + chrono::Days::new(17);
        }
    }
}
