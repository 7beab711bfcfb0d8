//! The retention status report: `chartvault retention report` and
//! `GET /api/v1/retention/report`.

use chrono::NaiveDate;

use super::{Actor, ServiceError};
use crate::access::Permission;
use crate::archive::{Archive, RetentionReport};
use crate::retention::Schedule;

/// Counts by class, status and year of service as of a date (today when absent), and the
/// next dates documents become eligible. No patient data: not audited.
pub fn report(
    archive: &Archive,
    schedule: &Schedule,
    actor: &Actor,
    as_of: Option<NaiveDate>,
) -> Result<RetentionReport, ServiceError> {
    actor.require(Permission::RetentionRead)?;
    let as_of = as_of.unwrap_or_else(crate::clock::today);
    Ok(archive.retention_report(schedule, as_of)?)
}
