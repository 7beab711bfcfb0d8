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
            authenticate(
                &mut archive,
                user,
                "plan",
                "purge",
                crate::access::Permission::Purge,
            )?;
            let as_of = as_of.unwrap_or_else(crate::clock::today);
            let p = purge::plan(&mut archive, &ctx.schedule, as_of, user)?;
            if p.forecast {
                println!(
                    "purge FORECAST {} by {user}: as of {as_of}, after today ({}); it can be \
                     reviewed, never approved or executed",
                    p.job_id,
                    crate::clock::today()
                );
            } else {
                println!(
                    "purge job {} planned by {user} (dry run: nothing destroyed)",
                    p.job_id
                );
            }
            println!("  {} documents eligible as of {as_of}", p.documents);
            if let Some(e) = p.earliest_retain_through {
                println!("  earliest retain-through date among them: {e}");
            }
            for (why, n) in &p.excluded {
                println!("  excluded: {why} ({n})");
            }
            println!("  manifest sha256 {}", p.manifest_hash);
            if !p.forecast {
                println!(
                    "  next: `chartvault purge show {} --review`, then {} approvals by other people",
                    p.job_id, p.required_approvals
                );
            }
        }
        PurgeAction::Approve { job } => {
            // What is being approved, before anyone signs for it.
            let Some(j) = archive.catalog.purge_job(&job)? else {
                anyhow::bail!("no purge job {job}");
            };
            eprintln!(
                "{job}: {} documents, earliest retain-through {}, planned by {} as of {} \
                 (review: `chartvault purge show {job} --review`)",
                j.manifest.len(),
                j.manifest
                    .iter()
                    .filter_map(|e| e.retain_through)
                    .min()
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                j.created_by,
                j.as_of
            );
            authenticate(
                &mut archive,
                user,
                "approve",
                &job,
                crate::access::Permission::Approve,
            )?;
            let (n, required) = purge::approve(&mut archive, &ctx.schedule, &job, user)?;
            println!("{job} approved by {user} ({n} of {required} approvals)");
        }
        PurgeAction::Execute { job } => {
            archive.index.begin_writing()?;
            let facility = ctx.schedule.facility.clone();
            let e = purge::execute(&mut archive, &ctx.schedule, &job, user, &facility)?;
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
            if let Some(e) = j.manifest.iter().filter_map(|e| e.retain_through).min() {
                println!("earliest retain-through date: {e}");
            }
            println!(
                "needs {} approvals; approvals expire {}",
                j.required_approvals, j.approvals_expire
            );
            let items = archive.catalog.purge_item_states(&job)?;
            let count = |s: &str| items.iter().filter(|i| i.state == s).count();
            println!(
                "destroyed {}, skipped {}, pending {}",
                count("destroyed"),
                count("skipped"),
                count("pending")
            );
            for i in items.iter().filter(|i| i.state == "skipped") {
                println!(
                    "  skipped {}: {}",
                    i.doc_id,
                    i.reason.as_deref().unwrap_or("-")
                );
            }
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

/// Planning and approving on the command line need the password of the user account
/// `--user` names, with the permission the step needs: the initiator and the approvers of a
/// job are real people of the user store, so two-person control holds on the command line
/// too (no plan as an invented name, then approved by its real author).
fn authenticate(
    archive: &mut crate::archive::Archive,
    user: &str,
    step: &str,
    subject: &str,
    permission: crate::access::Permission,
) -> anyhow::Result<()> {
    let password = super::user_cmd::read_secret(&format!("password of {user}: "))?;
    let account = archive.catalog.authenticate(user, &password)?;
    let refuse = |archive: &mut crate::archive::Archive, why: &str| -> anyhow::Result<()> {
        archive.catalog.audit(
            user,
            &format!("purge_{step}_refused"),
            subject,
            serde_json::json!({"reason": why, "via": "cli"}),
        )?;
        Ok(())
    };
    if account.is_none() {
        refuse(archive, "authentication failed")?;
        anyhow::bail!(
            "cannot {step} as {user}: wrong user name or password, or a disabled account \
             (purge steps need a user account of this archive: `chartvault user add`)"
        );
    }
    let role = account.map(|a| a.role).unwrap_or_default();
    if !crate::access::Role::parse(&role).is_some_and(|r| r.can(permission)) {
        refuse(archive, "permission")?;
        anyhow::bail!(
            "cannot {step} as {user}: a {role} may not {step} purges (permission {})",
            permission.as_str()
        );
    }
    Ok(())
}
