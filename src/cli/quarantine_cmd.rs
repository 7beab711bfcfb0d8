//! `chartvault quarantine`: the scans that could not be read, with their reasons; the
//! sealed original of one given back (to repair or re-send), or destroyed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{Context, EXIT_PROBLEMS};

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
    /// Destroy a quarantined scan that is not a record (a wrong file dropped into the
    /// scanner share): its sealed original's key is shredded and the record removed
    /// (recorded; refused while a hold may cover it). Records that could not be read are
    /// destroyed by purge jobs under the QUARANTINE retention class
    Purge { id: String },
}

pub fn run(ctx: &Context, args: QuarantineArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let records = archive.catalog.quarantined()?;
    let find = |id: &str| {
        let matches: Vec<_> = records
            .iter()
            .filter(|r| id.len() >= 12 && r.sha256.as_deref().is_some_and(|h| h.starts_with(id)))
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(anyhow::anyhow!(
                "no quarantined scan {id} (give at least 12 characters of its id; see `quarantine list`)"
            )),
            _ => Err(anyhow::anyhow!("{id} matches several quarantined scans: give more of it")),
        }
    };
    match args.action {
        QuarantineAction::List => {
            if records.is_empty() {
                println!("nothing in quarantine");
            }
            let today = crate::clock::today();
            let decisions: std::collections::HashMap<String, crate::retention::Decision> = archive
                .quarantine_decisions(&ctx.schedule, today)?
                .into_iter()
                .filter_map(|(r, d)| r.sha256.map(|s| (s, d)))
                .collect();
            for r in &records {
                let id = r.sha256.as_deref().map_or("-", |h| &h[..h.len().min(12)]);
                let retention = r
                    .sha256
                    .as_ref()
                    .and_then(|s| decisions.get(s))
                    .map(|d| match d.status {
                        crate::retention::RetentionStatus::Retained => format!(
                            "{}: kept until {}",
                            d.class,
                            d.retain_through.map(|x| x.to_string()).unwrap_or_default()
                        ),
                        crate::retention::RetentionStatus::OnHold => {
                            format!("{}: on legal hold ({})", d.class, d.holds.join(", "))
                        }
                        crate::retention::RetentionStatus::Eligible => format!(
                            "{}: eligible for a purge job since {}",
                            d.class,
                            d.eligible_on.map(|x| x.to_string()).unwrap_or_default()
                        ),
                        _ => format!("{}: never eligible ({})", d.class, d.missing.join(", ")),
                    })
                    .unwrap_or_else(|| "no retention (no copy kept)".into());
                let kept = if r.blob.is_some() {
                    "sealed copy"
                } else {
                    "no copy"
                };
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
            let r = find(&id)?;
            let (Some(sha), Some(blob)) = (r.sha256, r.blob) else {
                anyhow::bail!("{id}: no copy of this scan was kept");
            };
            let bytes = archive.store.get(&blob)?;
            // Never over an existing file.
            {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&out)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
                f.write_all(&bytes)?;
            }
            let user = ctx.user.clone();
            archive.catalog.audit(
                &user,
                "quarantine_export",
                &sha,
                serde_json::json!({"bytes": bytes.len()}),
            )?;
            println!("wrote {} bytes to {}", bytes.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        QuarantineAction::Purge { id } => {
            let r = find(&id)?;
            let Some(sha) = r.sha256 else {
                anyhow::bail!("{id}: not a quarantined scan with an id");
            };
            // A hold that might name it (a patient or saved-search hold: its patient and
            // words cannot be read) is never bypassed by hand.
            let today = crate::clock::today();
            let held = archive
                .quarantine_decisions(&ctx.schedule, today)?
                .into_iter()
                .find(|(q, _)| q.sha256.as_deref() == Some(sha.as_str()))
                .filter(|(_, d)| d.status == crate::retention::RetentionStatus::OnHold);
            if let Some((_, d)) = held {
                let user = ctx.user.clone();
                archive.catalog.audit(
                    &user,
                    "quarantine_purge_refused",
                    &sha,
                    serde_json::json!({"holds": d.holds}),
                )?;
                anyhow::bail!(
                    "{id}: on legal hold ({}): a quarantined scan's patient cannot be read, so \
                     a patient or search hold keeps it; release the hold first",
                    d.holds.join(", ")
                );
            }
            archive.keys.destroy(
                &[crate::archive::quarantine_key_id(&sha)],
                Some("quarantine purge"),
            )?;
            let user = ctx.user.clone();
            if !archive.catalog.purge_quarantined(&sha, &user)? {
                println!("{id}: already gone");
                return Ok(ExitCode::from(EXIT_PROBLEMS));
            }
            let dir = archive
                .root
                .join("quarantine")
                .join(&sha[..sha.len().min(32)]);
            let _ = std::fs::remove_dir_all(dir);
            println!(
                "{}: destroyed (sealed copy shredded, record removed)",
                &sha[..12]
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
