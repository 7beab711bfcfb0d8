use std::collections::BTreeMap;
use std::process::ExitCode;

use chrono::{Datelike, NaiveDate};
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
    let today = chrono::Local::now().date_naive();
    match args.action {
        RetentionAction::Report { as_of, json } => {
            let as_of = as_of.unwrap_or(today);
            let archive = ctx.open_archive(false)?;
            let decisions = archive.decisions(&ctx.schedule, as_of, None)?;
            let rows = archive.catalog.retention_rows(None)?;
            let year_of: BTreeMap<&str, String> = rows
                .iter()
                .map(|r| {
                    let y = r
                        .facts
                        .service_date
                        .map_or("unknown".into(), |d| d.year().to_string());
                    (r.doc_id.as_str(), y)
                })
                .collect();
            let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
            let mut upcoming: BTreeMap<NaiveDate, usize> = BTreeMap::new();
            for (id, d) in &decisions {
                let y = year_of.get(id.as_str()).cloned().unwrap_or_default();
                *counts
                    .entry((d.class.clone(), d.status.as_str().into(), y))
                    .or_default() += 1;
                if let (Some(e), crate::retention::RetentionStatus::Retained) =
                    (d.eligible_on, d.status)
                {
                    *upcoming.entry(e).or_default() += 1;
                }
            }
            if json {
                let rows: Vec<_> = counts
                    .iter()
                    .map(|((c, s, y), n)| serde_json::json!({"class": c, "status": s, "service_year": y, "documents": n}))
                    .collect();
                let next: Vec<_> = upcoming
                    .iter()
                    .take(10)
                    .map(|(d, n)| serde_json::json!({"eligible_on": d.to_string(), "documents": n}))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "as_of": as_of.to_string(), "schedule": ctx.schedule.label(),
                        "counts": rows, "next_eligible": next}))?
                );
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
            for ((c, s, y), n) in &counts {
                println!("{c:<14} {s:<14} {y:<8} {n:>9}");
            }
            println!("next eligible dates:");
            for (d, n) in upcoming.iter().take(10) {
                println!("  {d}: {n} documents");
            }
            Ok(ExitCode::SUCCESS)
        }
        RetentionAction::Recompute { as_of } => {
            let mut archive = ctx.open_archive(false)?;
            archive.index.begin_writing()?;
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
