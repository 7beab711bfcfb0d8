use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{Context, EXIT_PROBLEMS};
use crate::purge;

#[derive(Debug, Args)]
pub struct PurgeArgs {
    #[command(subcommand)]
    pub action: PurgeAction,
}

#[derive(Debug, Subcommand)]
pub enum PurgeAction {
    /// Dry run: plan a job of every document eligible as of a date (destroys nothing)
    Plan {
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Distinct approvers needed (never the initiator)
        #[arg(long, default_value_t = purge::DEFAULT_APPROVALS)]
        approvals: u32,
    },
    /// Approve a planned job (bound to its manifest hash; the initiator cannot approve)
    Approve { job: String },
    /// Execute an approved job (resumable): re-check, destroy, verify, certify
    Execute { job: String },
    /// Cancel a job before execution
    Cancel { job: String },
    /// List jobs
    List,
    /// Show a job: state, counts, exclusions, approvals; --review lists its documents (PHI)
    Show {
        job: String,
        #[arg(long)]
        review: bool,
    },
    /// Print a certificate of destruction (JSON; --html for the readable page)
    Certificate {
        id: String,
        #[arg(long)]
        html: bool,
    },
}

pub fn run(ctx: &Context, args: PurgeArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let user = ctx.user.as_str();
    match args.action {
        PurgeAction::Plan { as_of, approvals } => {
            if approvals < 1 {
                anyhow::bail!("a purge needs at least one approver");
            }
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            let p = purge::plan(&mut archive, &ctx.schedule, as_of, user, approvals)?;
            println!(
                "purge job {} planned by {user} (dry run: nothing destroyed)",
                p.job_id
            );
            println!("  {} documents eligible as of {as_of}", p.documents);
            for (why, n) in &p.excluded {
                println!("  excluded: {why} ({n})");
            }
            println!("  manifest sha256 {}", p.manifest_hash);
            println!("  next: `chartvault purge show {} --review`, then {approvals} approvals by other people", p.job_id);
        }
        PurgeAction::Approve { job } => {
            let (n, required) = purge::approve(&mut archive, &job, user)?;
            println!("{job} approved by {user} ({n} of {required} approvals)");
        }
        PurgeAction::Execute { job } => {
            archive.index.begin_writing()?;
            let facility = ctx.schedule.facility.clone();
            let e = purge::execute(&mut archive, &ctx.schedule, &job, user, &facility)?;
            println!("{job}: {} documents destroyed in this run", e.destroyed);
            for (id, why) in &e.skipped {
                println!("  skipped {id}: {why}");
            }
            match &e.certificate_id {
                Some(c) => println!(
                    "verified; certificate of destruction {c} (`chartvault purge certificate {c}`)"
                ),
                None => {
                    println!("verification FAILED: see `chartvault purge show {job}`; run execute again to retry");
                    return Ok(ExitCode::from(EXIT_PROBLEMS));
                }
            }
        }
        PurgeAction::Cancel { job } => {
            purge::cancel(&mut archive, &job, user)?;
            println!("{job} cancelled by {user}");
        }
        PurgeAction::List => {
            let jobs = archive.catalog.purge_jobs()?;
            if jobs.is_empty() {
                println!("no purge jobs");
            }
            for j in jobs {
                println!(
                    "{}  {:<10} as of {}  {} documents  by {}  {}",
                    j.id,
                    j.state,
                    j.as_of,
                    j.manifest.len(),
                    j.created_by,
                    j.certificate_id.unwrap_or_default()
                );
            }
        }
        PurgeAction::Show { job, review } => {
            let Some(j) = archive.catalog.purge_job(&job)? else {
                anyhow::bail!("no purge job {job}");
            };
            println!(
                "{}  {}  as of {}  schedule {}",
                j.id, j.state, j.as_of, j.schedule_label
            );
            println!(
                "planned by {} at {}; manifest sha256 {}",
                j.created_by, j.created_at, j.manifest_hash
            );
            println!("documents {}; excluded {}", j.manifest.len(), j.excluded);
            for (u, h, at) in archive.catalog.purge_approvals(&job)? {
                let bound = if h == j.manifest_hash {
                    ""
                } else {
                    " (VOID: other manifest)"
                };
                println!("approved by {u} at {at}{bound}");
            }
            if let Some(v) = &j.verification {
                println!("verification {v}");
            }
            if review {
                archive
                    .catalog
                    .audit(user, "purge_review", &job, serde_json::json!({}))?;
                for e in &j.manifest {
                    let d = archive.catalog.document(&e.doc_id)?;
                    let (name, mrn, svc) = d
                        .map(|d| (d.patient.name, d.patient.mrn, d.service_date))
                        .unwrap_or_default();
                    println!(
                        "  {} {:<12} {:<20} {:<22} {:<10} {}",
                        e.doc_id,
                        e.class,
                        e.doc_type,
                        name.unwrap_or_else(|| "-".into()),
                        mrn.unwrap_or_else(|| "-".into()),
                        svc.unwrap_or_else(|| "destroyed".into())
                    );
                }
            }
        }
        PurgeAction::Certificate { id, html } => {
            let Some(body) = archive.catalog.certificate(&id)? else {
                anyhow::bail!("no certificate {id}");
            };
            let v: serde_json::Value = serde_json::from_str(&body)?;
            if html {
                print!("{}", purge::certificate::html(&v));
            } else {
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
