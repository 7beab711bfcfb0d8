use std::process::ExitCode;

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
        #[arg(long)]
        json: bool,
    },
    /// Keep running: a sweep now and then once each new day (local time), until stopped.
    /// The archive is opened only for each sweep, so other commands run in between.
    Run {
        /// Minutes between checks for a new day
        #[arg(long, default_value_t = 5)]
        check_minutes: u64,
        /// Stop after this many sweeps (for tests and drills)
        #[arg(long, hide = true)]
        max_sweeps: Option<u32>,
    },
}

pub fn run(ctx: &Context, args: SchedulerArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        SchedulerAction::RunOnce { json } => {
            let r = sweep(ctx)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_report(ctx, &r);
            }
            Ok(if r.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_PROBLEMS)
            })
        }
        SchedulerAction::Run {
            check_minutes,
            max_sweeps,
        } => {
            let mut last: Option<chrono::NaiveDate> = None;
            let mut sweeps = 0;
            loop {
                let today = crate::clock::today();
                if last != Some(today) {
                    // A failed sweep is reported and retried at the next check.
                    match sweep(ctx) {
                        Ok(r) => {
                            print_report(ctx, &r);
                            last = Some(today);
                        }
                        Err(e) => eprintln!("error: retention sweep as of {today}: {e:#}"),
                    }
                    sweeps += 1;
                    if max_sweeps.is_some_and(|m| sweeps >= m) {
                        return Ok(ExitCode::SUCCESS);
                    }
                }
                std::thread::sleep(std::time::Duration::from_secs(check_minutes.max(1) * 60));
            }
        }
    }
}

fn sweep(ctx: &Context) -> anyhow::Result<crate::scheduler::SweepReport> {
    let mut archive = ctx.open_archive(false)?;
    archive.begin_writing()?;
    Ok(crate::scheduler::run_once(
        &mut archive,
        &ctx.schedule,
        &ctx.config.scheduler,
    )?)
}

fn print_report(ctx: &Context, r: &crate::scheduler::SweepReport) {
    println!(
        "retention sweep as of {}: {} documents, {} status changes",
        r.as_of, r.documents, r.status_changes
    );
    if let Some(p) = &r.planned {
        println!(
            "planned purge job {p} (needs {} approvals)",
            ctx.schedule.purge_approvals
        );
    }
    for e in &r.executed {
        println!("executed purge job {e}");
    }
    for p in &r.problems {
        println!("problem: {p}");
    }
}
