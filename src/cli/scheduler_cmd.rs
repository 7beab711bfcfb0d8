use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{Context, EXIT_PROBLEMS};

#[derive(Debug, Args)]
pub struct SchedulerArgs {
    #[command(subcommand)]
    pub action: SchedulerAction,
}

#[derive(Debug, Subcommand)]
pub enum SchedulerAction {
    /// One retention sweep now: recompute statuses, plan the purge the period calls for,
    /// execute fully approved jobs (cron this daily)
    RunOnce {
        /// Sweep as of this date [default: today]
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context, args: SchedulerArgs) -> anyhow::Result<ExitCode> {
    let SchedulerAction::RunOnce { as_of, json } = args.action;
    let mut archive = ctx.open_archive(false)?;
    archive.index.begin_writing()?;
    let today = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let r = crate::scheduler::run_once(&mut archive, &ctx.schedule, &ctx.config.scheduler, today)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "retention sweep as of {}: {} documents, {} status changes",
            r.as_of, r.documents, r.status_changes
        );
        if let Some(p) = &r.planned {
            println!(
                "planned purge job {p} (needs {} approvals)",
                ctx.config.scheduler.required_approvals
            );
        }
        for e in &r.executed {
            println!("executed purge job {e}");
        }
        for p in &r.problems {
            println!("problem: {p}");
        }
    }
    Ok(if r.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}
