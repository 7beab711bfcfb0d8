//! `chartvault quarantine`: the scans that could not be read, with their reasons and
//! retention; the sealed original of one given back (to repair or re-send). They are
//! destroyed only by purge jobs, under the QUARANTINE retention class.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use crate::retention::RetentionStatus;
use crate::service::quarantine;

#[derive(Debug, Args)]
pub struct QuarantineArgs {
    #[command(subcommand)]
    pub action: QuarantineAction,
}

#[derive(Debug, Subcommand)]
pub enum QuarantineAction {
    /// List quarantined scans: id, when, file, reason
    List,
    /// Write the original of a quarantined scan (id or its first 12+ characters) to a file
    /// (recorded)
    Export {
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(ctx: &Context, args: QuarantineArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let actor = ctx.actor();
    match args.action {
        QuarantineAction::List => {
            let scans = quarantine::list(&archive, &ctx.schedule, &actor)?;
            if scans.is_empty() {
                println!("nothing in quarantine");
            }
            for r in &scans {
                let id = r.sha256.as_deref().map_or("-", |h| &h[..h.len().min(12)]);
                let kept = if r.sealed { "sealed copy" } else { "no copy" };
                let retention = r
                    .retention
                    .as_ref()
                    .map(|d| match d.status {
                        RetentionStatus::Retained => format!(
                            "{}: kept until {}",
                            d.class,
                            d.retain_through.map(|x| x.to_string()).unwrap_or_default()
                        ),
                        RetentionStatus::OnHold => {
                            format!("{}: on legal hold ({})", d.class, d.holds.join(", "))
                        }
                        RetentionStatus::Eligible => format!(
                            "{}: eligible for a purge job since {}",
                            d.class,
                            d.eligible_on.map(|x| x.to_string()).unwrap_or_default()
                        ),
                        _ => format!("{}: never eligible ({})", d.class, d.missing.join(", ")),
                    })
                    .unwrap_or_else(|| "no retention (no copy kept)".into());
                println!(
                    "{id}  {}  {}  ({kept}; {retention}): {}",
                    r.at,
                    crate::ingest::printable(&r.source_path),
                    crate::ingest::printable(&r.reason)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        QuarantineAction::Export { id, out } => {
            // Never over an existing file.
            let n = quarantine::export(&mut archive, &actor, &id, |bytes| {
                use std::io::Write;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&out)
                    .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
                    .map_err(|e| {
                        crate::service::ServiceError::bad_request(format!("{}: {e}", out.display()))
                    })
            })?;
            println!("wrote {n} bytes to {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
