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
    /// Check the hash chain: any altered, removed or reordered entry is reported (exit 1)
    Verify,
    /// Print the latest entries
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

pub fn run(ctx: &Context, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let archive = ctx.open_archive(false)?;
    match args.action {
        AuditAction::Verify => {
            let v = archive.catalog.verify_audit()?;
            if v.problems.is_empty() {
                println!(
                    "audit log intact: {} entries, hash chain verified",
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
        AuditAction::List { limit } => {
            for e in archive.catalog.audit_entries(Some(limit))? {
                println!(
                    "{:>6} {} {:<12} {:<16} {} {}",
                    e.seq, e.at, e.user, e.action, e.subject, e.detail
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
