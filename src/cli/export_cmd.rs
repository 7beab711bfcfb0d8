use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Context;

#[derive(Debug, Args)]
#[command(
    after_help = "One JSON object per line: a \"scan\" line per scan and a \"document\" \
                        line per document, format version \"v\": 1 (see README, Contracts)."
)]
pub struct ExportArgs {
    /// Compute retention status as of this date (YYYY-MM-DD) [default: today]
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
}

pub fn run(ctx: &Context, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let as_of = args.as_of.unwrap_or_else(crate::clock::today);
    let decisions: std::collections::HashMap<_, _> = archive
        .decisions(&ctx.schedule, as_of, None)?
        .into_iter()
        .collect();
    archive.catalog.audit(
        &ctx.user,
        "export",
        "archive",
        serde_json::json!({"documents": decisions.len(), "as_of": as_of.to_string()}),
    )?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    crate::export::export_all(&archive.catalog, &decisions, |line| writeln!(out, "{line}"))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
