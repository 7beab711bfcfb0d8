use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::Context;

#[derive(Debug, Args)]
pub struct RetentionArgs {
    #[command(subcommand)]
    pub action: RetentionAction,
}

#[derive(Debug, Subcommand)]
pub enum RetentionAction {
    /// Counts by class, status and service year, and the next eligible dates
    Report {
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Recompute and store every document's status (and re-index changes)
    Recompute {
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
    /// Print the schedule in use
    Schedule,
}

pub fn run(ctx: &Context, args: RetentionArgs) -> anyhow::Result<ExitCode> {
    let today = crate::clock::today();
    match args.action {
        RetentionAction::Report { as_of, json } => {
            let as_of = as_of.unwrap_or(today);
            let archive = ctx.open_archive(false)?;
            let report = crate::service::retention::report(
                &archive,
                &ctx.schedule,
                &ctx.actor(),
                Some(as_of),
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "retention report as of {as_of} (schedule {})",
                ctx.schedule.label()
            );
            println!(
                "{:<14} {:<14} {:<8} {:>9}",
                "class", "status", "year", "documents"
            );
            for r in &report.counts {
                println!(
                    "{:<14} {:<14} {:<8} {:>9}",
                    r.class, r.status, r.service_year, r.documents
                );
            }
            println!("next eligible dates:");
            for n in &report.next_eligible {
                println!("  {}: {} documents", n.eligible_on, n.documents);
            }
            Ok(ExitCode::SUCCESS)
        }
        RetentionAction::Recompute { as_of } => {
            let mut archive = ctx.open_archive(false)?;
            archive.begin_writing()?;
            let (n, changed) =
                archive.recompute_retention(&ctx.schedule, as_of.unwrap_or(today), None)?;
            println!("{n} documents evaluated, {changed} changed");
            Ok(ExitCode::SUCCESS)
        }
        RetentionAction::Schedule => {
            println!(
                "schedule {} ({} profiles available)",
                ctx.schedule.label(),
                ctx.schedule.profiles.len()
            );
            println!("{}", serde_json::to_string_pretty(&ctx.schedule.profile)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
