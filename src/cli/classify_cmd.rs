use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::Args;
use serde::Deserialize;

use super::Context;

/// Reads JSON Lines `{"id": ..., "text": ..., "first_page": ...}` on stdin and writes
/// `{"id": ..., "doc_type": ..., "confidence": ...}` per line: the classifier ingest uses
/// (the archive's newest model when the archive exists, else the embedded one).
#[derive(Debug, Args)]
pub struct ClassifyArgs {}

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    first_page: Option<String>,
}

pub fn run(ctx: &Context, _args: ClassifyArgs) -> anyhow::Result<ExitCode> {
    let classifier = match ctx.open_archive(false) {
        Ok(archive) => archive.classifier(&ctx.config)?,
        Err(_) => crate::classify::Classifier::with_embedded_model(&ctx.config.classify)?,
    };
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let input: Input = serde_json::from_str(&line)
            .map_err(|e| anyhow::anyhow!("stdin line {}: {e}", i + 1))?;
        let first = input.first_page.as_deref().unwrap_or(&input.text);
        let c = classifier.classify(first, &input.text);
        let line = serde_json::json!({
            "id": input.id,
            "doc_type": c.doc_type.as_str(),
            "confidence": c.confidence,
            "best_guess": c.best_guess.as_str(),
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
