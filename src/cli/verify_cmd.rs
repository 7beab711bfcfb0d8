use std::collections::HashSet;
use std::process::ExitCode;

use clap::Args;

use super::{Context, EXIT_PROBLEMS};

#[derive(Debug, Args)]
pub struct VerifyArgs {}

pub fn run(ctx: &Context, _args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let archive = ctx.open_archive(false)?;
    let mut problems = Vec::new();
    let blobs = archive.catalog.referenced_blobs()?;
    for (what, hash) in &blobs {
        if let Err(e) = archive.store.get(hash) {
            problems.push(format!("{what}: {e}"));
        }
    }
    let catalog_ids: HashSet<String> = archive.catalog.live_doc_ids()?.into_iter().collect();
    let index_ids = archive.index.all_doc_ids()?;
    let mut seen = HashSet::new();
    for id in &index_ids {
        if !seen.insert(id) {
            problems.push(format!("document {id} is in the index twice"));
        }
        if !catalog_ids.contains(id) {
            problems.push(format!(
                "document {id} is in the index but not in the catalog"
            ));
        }
    }
    let index_set: HashSet<&String> = index_ids.iter().collect();
    let missing = catalog_ids
        .iter()
        .filter(|id| !index_set.contains(id))
        .count();
    if missing > 0 {
        problems.push(format!(
            "{missing} documents are in the catalog but not in the index (run `chartvault reindex`)"
        ));
    }
    println!(
        "checked {} blobs and {} documents ({} in the index)",
        blobs.len(),
        catalog_ids.len(),
        index_ids.len()
    );
    if problems.is_empty() {
        println!("ok: every blob matches its hash; index and catalog agree");
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            println!("problem: {p}");
        }
        println!("{} problems found", problems.len());
        Ok(ExitCode::from(EXIT_PROBLEMS))
    }
}
