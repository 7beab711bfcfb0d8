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
