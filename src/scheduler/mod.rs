//! The retention sweep, run daily (`chartvault scheduler run-once` from cron, or the loop
//! of `chartvault scheduler run`): recompute statuses, create the purge plan the period
//! calls for, execute jobs whose approvals are complete. It acts as user `scheduler`; it never approves.

use chrono::{Datelike, NaiveDate};

use crate::archive::WriterAccess;
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
    mut writer: impl WriterAccess,
    schedule: &Schedule,
    config: &SchedulerConfig,
) -> Result<SweepReport, PurgeError> {
    // Each step takes the writer on its own: a hold or an approval placed between two
    // steps goes through, and every step re-reads what it acts on (execution re-checks
    // holds and dates against today).
    let today = crate::clock::today();
    let mut r = SweepReport {
        as_of: today.to_string(),
        ..Default::default()
    };
    let (n, changed) =
        writer.with_writer(|archive| archive.recompute_retention(schedule, today, None))?;
    r.documents = n;
    r.status_changes = changed;
    if let Some(key) = period_key(config.purge_plans, today) {
        r.planned = writer.with_writer(|archive| -> Result<Option<String>, PurgeError> {
            let already = archive.catalog.purge_jobs()?.into_iter().any(|j| {
                j.created_by == USER
                    && NaiveDate::parse_from_str(&j.as_of, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| period_key(config.purge_plans, d))
                        .as_deref()
                        == Some(key.as_str())
            });
            let documents = archive.decisions(schedule, today, None)?;
            let scans = archive.quarantine_decisions(schedule, today)?;
            let eligible = documents
                .iter()
                .map(|(_, d)| d)
                .chain(scans.iter().map(|(_, d)| d))
                .filter(|d| d.status == crate::retention::RetentionStatus::Eligible)
                .count();
            if already || eligible == 0 {
                return Ok(None);
            }
            Ok(Some(purge::plan(archive, schedule, today, USER)?.job_id))
        })?;
    }
    if config.execute_approved {
        let jobs = writer.with_writer(|archive| archive.catalog.purge_jobs())?;
        for j in jobs {
            // Never a forecast, never a job short of approvals: `execute` refuses those too.
            if j.state != "approved" && j.state != "executing" {
                continue;
            }
            let done = writer.with_writer(|archive| {
                purge::execute(archive, schedule, &j.id, USER, &schedule.facility)
            });
            match done {
                Ok(_) => r.executed.push(j.id),
                Err(e) => r.problems.push(format!("{}: {e}", j.id)),
            }
        }
    }
    writer.with_writer(|archive| {
        archive.catalog.audit(
            USER,
            "retention_sweep",
            &r.as_of,
            serde_json::json!({"documents": r.documents, "changes": r.status_changes,
                               "planned": r.planned, "executed": r.executed}),
        )
    })?;
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
