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
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    crate::service::maintenance::export(
        &mut archive,
        &ctx.schedule,
        &ctx.actor(),
        as_of,
        |line| writeln!(out, "{line}"),
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
