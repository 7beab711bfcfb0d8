//! Retention: schedules, per-document status, legal holds (rules in
//! `../shared/docs/retention.md`, schedule in `pipelines/retention.toml`).
//!
//! Input: a document's facts (type, dates, patient) and the active holds. Output: a
//! [`Decision`] with class, status, eligible-on date, binding rule and every candidate.
//! Nothing here destroys anything: only `purge` does.

pub mod dates;
pub mod holds;
pub mod schedule;
pub mod status;

pub use holds::{Hold, HoldScope};
pub use schedule::{Schedule, ScheduleError};
pub use status::{
    decide, decide_quarantined, Decision, HoldCheck, RetentionFacts, RetentionStatus,
};

/// A document's decision from what is known of it in memory: its facts, the holds as they
/// stand, the schedule and the date. A pure step: ingest assigns retention with it before
/// storing a document, and every recompute uses it on the catalog's facts.
pub fn assign(
    schedule: &Schedule,
    doc_id: &str,
    mrn_tag: Option<&str>,
    facts: &RetentionFacts,
    holds: &holds::HoldsNow,
    as_of: chrono::NaiveDate,
) -> Decision {
    let subject = holds::HoldSubject {
        doc_id,
        mrn: mrn_tag,
        class: &schedule.class_of(facts.doc_type).id,
        service_date: facts.service_date,
    };
    decide(schedule, facts, &holds::check(&subject, holds), as_of)
}
