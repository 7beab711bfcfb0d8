use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Context, EXIT_PROBLEMS};
use crate::pipeline::Progress;

#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 every input was ingested or was a duplicate; 1 one or \
                        more scans were quarantined (listed on stderr, kept under \
                        ARCHIVE/quarantine/ with reason.json); 2 the run could not proceed."
)]
pub struct IngestArgs {
    /// Files (PDF, TIFF, PNG, JPEG) or folders; folders are walked recursively
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// No progress bar
    #[arg(long)]
    pub quiet: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: IngestArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(true)?;
    let progress = Progress::new(!args.quiet && std::io::stderr().is_terminal());
    let summary = crate::service::ingest::run(
        &mut archive,
        &ctx.actor(),
        &args.paths,
        &ctx.config,
        &ctx.schedule,
        &progress,
    )?;
    archive.close_index()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "ingested {} scans ({} pages, {} documents); {} duplicates; {} quarantined; \
             {:.1} s, {:.2} pages/s",
            summary.scans_ingested,
            summary.pages,
            summary.documents,
            summary.duplicates,
            summary.quarantined.len(),
            summary.wall_secs,
            summary.pages_per_sec()
        );
    }
    Ok(if summary.quarantined.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}
