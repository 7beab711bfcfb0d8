//! The retention sweep, run daily (`chartvault scheduler run-once` from cron, or the loop
//! of `chartvault scheduler run`): recompute statuses, create the purge plan the period
//! calls for, execute jobs whose approvals are complete. It acts as user `scheduler`; it never approves.

use chrono::{Datelike, NaiveDate};

use crate::archive::Archive;
use crate::config::{PlanPeriod, SchedulerConfig};
use crate::purge::{self, PurgeError};
use crate::retention::Schedule;

pub const USER: &str = "scheduler";

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SweepReport {
    pub as_of: String,
    pub documents: usize,
    pub status_changes: usize,
    pub planned: Option<String>,
    pub executed: Vec<String>,
    pub problems: Vec<String>,
}

fn period_key(period: PlanPeriod, d: NaiveDate) -> Option<String> {
    match period {
        PlanPeriod::Never => None,
        PlanPeriod::Monthly => Some(format!("{}-{:02}", d.year(), d.month())),
        PlanPeriod::Yearly => Some(d.year().to_string()),
    }
}

/// One sweep as of today (the real date: no caller chooses it). The caller holds the
/// index writer. Executing goes through [`purge::execute`], the one path that destroys,
/// with its re-check of every document against today.
pub fn run_once(
    archive: &mut Archive,
    schedule: &Schedule,
    config: &SchedulerConfig,
) -> Result<SweepReport, PurgeError> {
    let today = crate::clock::today();
    let mut r = SweepReport {
        as_of: today.to_string(),
        ..Default::default()
    };
    let (n, changed) = archive.recompute_retention(schedule, today, None)?;
    r.documents = n;
    r.status_changes = changed;
    if let Some(key) = period_key(config.purge_plans, today) {
        let already = archive.catalog.purge_jobs()?.into_iter().any(|j| {
            j.created_by == USER
                && NaiveDate::parse_from_str(&j.as_of, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| period_key(config.purge_plans, d))
                    .as_deref()
                    == Some(key.as_str())
        });
        let eligible = archive
            .decisions(schedule, today, None)?
            .iter()
            .filter(|(_, d)| d.status == crate::retention::RetentionStatus::Eligible)
            .count();
        if !already && eligible > 0 {
            let p = purge::plan(archive, schedule, today, USER)?;
            r.planned = Some(p.job_id);
        }
    }
    if config.execute_approved {
        for j in archive.catalog.purge_jobs()? {
            // Never a forecast, never a job short of approvals: `execute` refuses those too.
            if j.state != "approved" && j.state != "executing" {
                continue;
            }
            match purge::execute(archive, schedule, &j.id, USER, &schedule.facility) {
                Ok(_) => r.executed.push(j.id),
                Err(e) => r.problems.push(format!("{}: {e}", j.id)),
            }
        }
    }
    archive.catalog.audit(
        USER,
        "retention_sweep",
        &r.as_of,
        serde_json::json!({"documents": r.documents, "changes": r.status_changes,
                           "planned": r.planned, "executed": r.executed}),
    )?;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 9).unwrap();
        assert_eq!(period_key(PlanPeriod::Yearly, d).as_deref(), Some("2027"));
        assert_eq!(
            period_key(PlanPeriod::Monthly, d).as_deref(),
            Some("2027-03")
        );
        assert_eq!(period_key(PlanPeriod::Never, d), None);
    }
}
