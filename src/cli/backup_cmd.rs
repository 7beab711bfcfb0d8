use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Context, EXIT_PROBLEMS};

#[derive(Debug, Args)]
#[command(
    after_help = "A backup holds the catalog (online snapshot), every blob it refers to, \
    models and certificates; not the search index (restore rebuilds it). It may be taken while \
    the archive is in use."
)]
pub struct BackupArgs {
    /// New (empty) folder to write the backup into
    pub dest: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Backup folder written by `chartvault backup`
    pub src: PathBuf,
}

pub fn backup(ctx: &Context, args: BackupArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let r = archive.backup(&args.dest)?;
    println!(
        "backup of {} documents written to {} ({} blobs, {} bytes) and verified",
        r.documents,
        args.dest.display(),
        r.blobs,
        r.bytes
    );
    for p in &r.problems {
        println!("problem: {p}");
    }
    Ok(if r.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}

/// Restores into `--archive` (a new folder), rebuilds the index, then verifies.
pub fn restore(ctx: &Context, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    crate::archive::restore(&args.src, &ctx.archive_dir)?;
    let mut archive = ctx.open_archive(false)?;
    // Documents destroyed after this backup was taken have no keys any more: they stay
    // destroyed rather than coming back with the backup.
    let (n, gone) = crate::service::maintenance::finish_restore(&mut archive, &ctx.actor())?;
    println!(
        "restored {} into {} ({n} documents indexed); verifying",
        args.src.display(),
        ctx.archive_dir.display()
    );
    if gone.documents + gone.originals + gone.scans + gone.quarantined > 0 {
        println!(
            "{} documents destroyed since this backup stay destroyed (their keys are gone){}; \
             {} original files redacted or destroyed since are no longer readable and were dropped; \
             {} unreadable blobs deleted",
            gone.documents,
            if gone.quarantined > 0 {
                format!(", and {} quarantined scans destroyed since", gone.quarantined)
            } else {
                String::new()
            },
            gone.originals,
            gone.blobs
        );
    }
    super::verify_cmd::report(&archive.verify()?)
}
