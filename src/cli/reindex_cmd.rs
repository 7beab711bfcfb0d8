use std::process::ExitCode;

use clap::Args;

use super::Context;

#[derive(Debug, Args)]
pub struct ReindexArgs {}

pub fn run(ctx: &Context, _args: ReindexArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let n = archive.reindex()?;
    archive.close_index()?;
    println!("reindexed {n} documents");
    Ok(ExitCode::SUCCESS)
}
