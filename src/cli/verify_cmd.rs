use std::process::ExitCode;

use clap::Args;

use super::{Context, EXIT_PROBLEMS};

#[derive(Debug, Args)]
pub struct VerifyArgs {}

pub fn run(ctx: &Context, _args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let archive = ctx.open_archive(false)?;
    report(&archive.verify()?)
}

pub fn report(v: &crate::archive::Verification) -> anyhow::Result<ExitCode> {
    println!(
        "checked {} blobs and {} documents ({} in the index)",
        v.blobs, v.documents, v.indexed
    );
    if v.problems.is_empty() {
        println!("ok: every blob matches its hash; index and catalog agree; audit chain intact");
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &v.problems {
            println!("problem: {p}");
        }
        println!("{} problems found", v.problems.len());
        Ok(ExitCode::from(EXIT_PROBLEMS))
    }
}
