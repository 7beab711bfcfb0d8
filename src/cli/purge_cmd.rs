use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{Context, EXIT_PROBLEMS};
use crate::service::{purge, Actor, Door};

#[derive(Debug, Args)]
pub struct PurgeArgs {
    #[command(subcommand)]
    pub action: PurgeAction,
}

#[derive(Debug, Subcommand)]
pub enum PurgeAction {
    /// Dry run: plan a job of every document eligible as of a date (destroys nothing), as
    /// --user, a user account allowed to purge (asks for its password, as `approve` does).
    /// A date after today makes a forecast: it can be reviewed, never approved or executed.
    /// How many approvals a job needs is the retention schedule's `purge_approvals`.
    Plan {
        /// Date the plan looks at [default: today]
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
    /// Approve a planned job as --user, a user account of this archive allowed to approve
    /// (bound to the manifest hash; never the initiator). Asks for that account's password
    /// (one line on stdin, or a prompt on a terminal).
    Approve { job: String },
    /// Execute an approved job (resumable): re-check every document against today,
    /// destroy, verify, certify
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
        PurgeAction::Plan { as_of } => {
            let actor = authenticate(&mut archive, user, "plan", "purge")?;
            let req = purge::PlanRequest {
                as_of,
                approvals: None,
            };
            let p = purge::plan(&mut archive, &ctx.schedule, &actor, &req, "cli")?;
            let as_of = p.as_of;
            if p.forecast {
                println!(
                    "purge FORECAST {} by {user}: as of {as_of}, after today ({}); it can be \
                     reviewed, never approved or executed",
                    p.job_id, p.today
                );
            } else {
                println!(
                    "purge job {} planned by {user} (dry run: nothing destroyed)",
                    p.job_id
                );
            }
            if p.quarantined_scans > 0 {
                println!(
                    "  {} documents eligible as of {as_of} ({} of them quarantined scans)",
                    p.documents, p.quarantined_scans
                );
            } else {
                println!("  {} documents eligible as of {as_of}", p.documents);
            }
            if let Some(e) = p.earliest_retain_through {
                println!("  earliest retain-through date among them: {e}");
            }
            for (why, n) in &p.excluded {
                println!("  excluded: {why} ({n})");
            }
            println!("  manifest sha256 {}", p.manifest_sha256);
            if !p.forecast {
                println!(
                    "  next: `chartvault purge show {} --review`, then {} approvals by other people",
                    p.job_id, p.required_approvals
                );
            }
        }
        PurgeAction::Approve { job } => {
            // What is being approved, before anyone signs for it.
            let j = purge::job(&mut archive, &ctx.actor(), &job, false, Door::Cli)?;
            eprintln!(
                "{job}: {} documents, earliest retain-through {}, planned by {} as of {} \
                 (review: `chartvault purge show {job} --review`)",
                j.summary.documents,
                j.summary
                    .earliest_retain_through
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                j.summary.created_by,
                j.summary.as_of
            );
            let actor = authenticate(&mut archive, user, "approve", &job)?;
            let a = purge::approve(&mut archive, &ctx.schedule, &actor, &job, "cli")?;
            println!(
                "{job} approved by {user} ({} of {} approvals)",
                a.approvals, a.required
            );
        }
        PurgeAction::Execute { job } => {
            let e = purge::execute(&mut archive, &ctx.schedule, &ctx.actor(), &job, "cli")?;
            println!(
                "{job}: {} documents destroyed in this run ({} approved; each re-checked \
                 against today, {})",
                e.destroyed,
                e.approved,
                crate::clock::today()
            );
            if !e.skipped.is_empty() {
                println!(
                    "  {} approved documents were NOT destroyed: they no longer qualify today",
                    e.skipped.len()
                );
            }
            for s in &e.skipped {
                println!("  skipped {}: {}", s.doc_id, s.reason);
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
            purge::cancel(&mut archive, &ctx.actor(), &job, "cli")?;
            println!("{job} cancelled by {user}");
        }
        PurgeAction::List => {
            let jobs = purge::jobs(&archive, &ctx.actor())?;
            if jobs.is_empty() {
                println!("no purge jobs");
            }
            for j in jobs {
                println!(
                    "{}  {:<10} as of {}  {} documents  by {}  {}",
                    j.id,
                    j.state,
                    j.as_of,
                    j.documents,
                    j.created_by,
                    j.certificate_id.unwrap_or_default()
                );
            }
        }
        PurgeAction::Show { job, review } => {
            let d = purge::job(&mut archive, &ctx.actor(), &job, review, Door::Cli)?;
            let j = &d.summary;
            println!(
                "{}  {}  as of {}  schedule {}",
                j.id, j.state, j.as_of, j.schedule
            );
            println!(
                "planned by {} at {}; manifest sha256 {}",
                j.created_by, j.created_at, j.manifest_sha256
            );
            println!("documents {}; excluded {}", j.documents, j.excluded);
            if let Some(e) = j.earliest_retain_through {
                println!("earliest retain-through date: {e}");
            }
            println!(
                "needs {} approvals; approvals expire {}",
                j.required_approvals, j.approvals_expire
            );
            println!(
                "destroyed {}, skipped {}, pending {}",
                d.items.destroyed, d.items.skipped, d.items.pending
            );
            for (doc_id, reason) in purge::skipped(&archive, &ctx.actor(), &job)? {
                println!("  skipped {doc_id}: {}", reason.as_deref().unwrap_or("-"));
            }
            for a in &d.approvals {
                let bound = if a.valid {
                    ""
                } else {
                    " (VOID: other manifest)"
                };
                println!("approved by {} at {}{bound}", a.user, a.at);
            }
            if let Some(v) = &j.verification {
                println!("verification {v}");
            }
            for e in &d.manifest {
                let svc = if e.destroyed {
                    "destroyed".to_string()
                } else {
                    e.service_date.clone().unwrap_or_else(|| "-".into())
                };
                println!(
                    "  {} {:<12} {:<20} {:<22} {:<10} {}",
                    e.doc_id,
                    e.class,
                    e.doc_type,
                    e.patient_name
                        .clone()
                        .or_else(|| e.file.as_deref().map(crate::ingest::printable))
                        .as_deref()
                        .unwrap_or("-"),
                    e.mrn.as_deref().unwrap_or("-"),
                    svc
                );
            }
        }
        PurgeAction::Certificate { id, html } => {
            let v = purge::certificate(&archive, &ctx.actor(), &id)?;
            if html {
                print!("{}", crate::purge::certificate::html(&v));
            } else {
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Planning and approving on the command line need the password of the user account
/// `--user` names: the initiator and the approvers of a job are real people of the user
/// store, so two-person control holds on the command line too (no plan as an invented
/// name, then approved by its real author). The account's role then decides, in the
/// service, whether the step is allowed.
fn authenticate(
    archive: &mut crate::archive::Archive,
    user: &str,
    step: &str,
    subject: &str,
) -> anyhow::Result<Actor> {
    let password = super::user_cmd::read_secret(&format!("password of {user}: "))?;
    Ok(purge::authenticate(
        archive, user, &password, step, subject,
    )?)
}
