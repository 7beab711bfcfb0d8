use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Context;

#[derive(Debug, Args)]
#[command(
    after_help = "One JSON object per line: a \"scan\" line per scan and a \"document\" \
                        line per document, format version \"v\": 1 (see README, Contracts)."
)]
pub struct ExportArgs {}

pub fn run(ctx: &Context, _args: ExportArgs) -> anyhow::Result<ExitCode> {
    let archive = ctx.open_archive(false)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    crate::export::export_all(&archive.catalog, |line| writeln!(out, "{line}"))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
