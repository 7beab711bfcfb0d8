use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::Context;
use crate::classify::{training, Example, TextModel, TrainingParams};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  chartvault train --corpus ../shared/corpus --out pipelines/models/doctype.json.zst\n  \
                  chartvault train --corpus ../shared/corpus --from-archive   (stores a new model version in the archive)\n\n\
                  From a corpus, only training charts are used (odd-numbered charts and train_text.jsonl rows not \
                  used by an even-numbered chart), so `eval` scores documents the model has not seen."
)]
pub struct TrainArgs {
    /// Corpus folder with manifest.jsonl (and optionally train_text.jsonl)
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Also learn from documents whose type a person set or confirmed in the archive
    #[arg(long)]
    pub from_archive: bool,
    /// Write the model to this file instead of storing it as a new version in the archive
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: TrainArgs) -> anyhow::Result<ExitCode> {
    let mut examples: Vec<Example> = Vec::new();
    let mut sources = Vec::new();
    if let Some(corpus) = &args.corpus {
        let ex = training::corpus_examples(corpus)?;
        sources.push(format!(
            "corpus ({}): {}",
            ex.len(),
            training::SPLIT_DESCRIPTION
        ));
        examples.extend(ex);
    }
    if args.from_archive {
        let archive = ctx.open_archive(false)?;
        let ex = crate::service::review::reviewed_examples(&archive, &ctx.actor())?;
        sources.push(format!("archive: {} reviewed documents", ex.len()));
        examples.extend(ex);
    }
    if examples.is_empty() {
        anyhow::bail!("no training data: give --corpus DIR and/or --from-archive");
    }
    eprintln!("training on {} texts ...", examples.len());
    let model = TextModel::train(&examples, &TrainingParams::default(), &sources.join("; "))?;
    let bytes = model.to_bytes();
    match &args.out {
        Some(out) => {
            std::fs::write(out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "model written to {} ({} terms, {} types, {} bytes)",
                out.display(),
                model.terms.len(),
                model.classes.len(),
                bytes.len()
            );
        }
        None => {
            let mut archive = ctx.open_archive(false)?;
            let version = archive.store_model(&model, &bytes)?;
            println!(
                "model version {version} stored in the archive ({} terms, {} types); new ingests use it",
                model.terms.len(),
                model.classes.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
