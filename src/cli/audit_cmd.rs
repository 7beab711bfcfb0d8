use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{Context, EXIT_PROBLEMS};

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub action: AuditAction,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the keyed chain, the head and the checkpoints: any altered, removed or
    /// reordered entry is reported (exit 1)
    Verify {
        /// Also check checkpoints kept elsewhere (a copy of `audit checkpoint --to`)
        #[arg(long)]
        checkpoints: Vec<std::path::PathBuf>,
    },
    /// Record a keyed checkpoint of the log's head in ARCHIVE/audit.checkpoints and, with
    /// --to, append it to a file kept elsewhere (another disk, another machine)
    Checkpoint {
        #[arg(long)]
        to: Option<std::path::PathBuf>,
    },
    /// Print the latest entries
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only this user's entries
        #[arg(long = "by")]
        user: Option<String>,
        /// Only entries of this action (e.g. view, view_page, hold_place, purge_execute)
        #[arg(long)]
        action: Option<String>,
        /// Only entries about this patient (Medical Record Number): the patient, any of
        /// their documents, searches that listed one, releases that held one (audited)
        #[arg(long)]
        mrn: Option<String>,
        /// First day of the entries (YYYY-MM-DD, UTC)
        #[arg(long)]
        from: Option<String>,
        /// Last day of the entries (YYYY-MM-DD, UTC)
        #[arg(long = "until")]
        until: Option<String>,
        /// Only entries older than this sequence number (the next page back)
        #[arg(long)]
        before: Option<i64>,
        /// Print CSV (a header line, then one line per entry)
        #[arg(long)]
        csv: bool,
    },
}

pub fn run(ctx: &Context, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    match args.action {
        AuditAction::Checkpoint { to } => {
            let line = crate::service::audit::checkpoint(&archive, &ctx.actor(), to.as_deref())?;
            print!("checkpoint: {line}");
            Ok(ExitCode::SUCCESS)
        }
        AuditAction::Verify { checkpoints } => {
            let extra: Vec<&std::path::Path> = checkpoints.iter().map(|p| p.as_path()).collect();
            let v = crate::service::audit::verify(&archive, &ctx.actor(), &extra)?;
            if v.problems.is_empty() {
                let legacy = if v.unkeyed > 0 {
                    format!(" ({} early entries chained without a key)", v.unkeyed)
                } else {
                    String::new()
                };
                println!(
                    "audit log intact: {} entries, keyed chain, head and checkpoints verified{legacy}",
                    v.entries
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!("audit log DAMAGED ({} entries):", v.entries);
                for p in &v.problems {
                    println!("  {p}");
                }
                Ok(ExitCode::from(EXIT_PROBLEMS))
            }
        }
        AuditAction::List {
            limit,
            user,
            action,
            mrn,
            from,
            until,
            before,
            csv,
        } => {
            let q = crate::service::audit::AuditQuery {
                limit: Some(limit),
                user,
                action,
                mrn,
                from,
                to: until,
                before,
            };
            let page = crate::service::audit::entries(
                &mut archive,
                &ctx.actor(),
                &q,
                crate::service::Door::Cli,
            )?;
            if csv {
                print!("{}", crate::service::audit::csv(&page));
                return Ok(ExitCode::SUCCESS);
            }
            for e in &page.entries {
                let subject = match &e.subject_label {
                    Some(l) => format!("{} [{l}]", e.subject),
                    None => e.subject.clone(),
                };
                println!(
                    "{:>6} {} {:<12} {:<16} {} {}",
                    e.seq, e.at, e.user, e.action, subject, e.detail
                );
            }
            if let Some(b) = page.older {
                eprintln!("older entries: add --before {b}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
