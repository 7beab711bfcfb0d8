use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{Context, EXIT_ERROR};
use crate::archive::Regroup;
use crate::model::DocType;

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub action: Option<ReviewAction>,
}

#[derive(Debug, Subcommand)]
pub enum ReviewAction {
    /// List documents waiting for review (the default)
    List {
        /// One JSON object per line
        #[arg(long)]
        json: bool,
    },
    /// Fix a split: PAGE (its number in the scan) starts a new document. The pages are
    /// re-sealed under the new document's key and its fields read again (recorded)
    Split {
        doc_id: String,
        #[arg(long = "at-page")]
        at_page: u32,
        #[arg(long)]
        user: String,
    },
    /// Fix a split: the document belongs to the one before it in the same scan (recorded)
    Merge {
        doc_id: String,
        #[arg(long)]
        user: String,
    },
    /// Mark a document as checked: its review flags are cleared (recorded with the user)
    Confirm {
        doc_id: String,
        /// Who checked it
        #[arg(long)]
        user: String,
    },
}

#[derive(Debug, Args)]
pub struct ReclassifyArgs {
    /// Document id
    pub doc_id: String,
    /// New type: face_sheet, consent_form, history_and_physical, progress_note,
    /// discharge_summary, operative_report, radiology_report, pathology_report,
    /// emergency_report, correspondence
    pub doc_type: String,
    /// Who made the change (recorded)
    #[arg(long)]
    pub user: String,
}

pub fn run_review(ctx: &Context, args: ReviewArgs) -> anyhow::Result<ExitCode> {
    match args.action.unwrap_or(ReviewAction::List { json: false }) {
        ReviewAction::List { json } => {
            let archive = ctx.open_archive(false)?;
            let queue = archive.catalog.review_queue()?;
            if json {
                for item in &queue {
                    let flags: Vec<&str> = item.flags.iter().map(|f| f.as_str()).collect();
                    println!(
                        "{}",
                        serde_json::json!({
                            "doc_id": item.doc_id,
                            "doc_type": item.doc_type.as_str(),
                            "doc_type_confidence": item.doc_type_confidence,
                            "boundary_confidence": item.boundary_confidence,
                            "flags": flags,
                        })
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            if queue.is_empty() {
                println!("nothing to review");
            }
            for item in &queue {
                let flags: Vec<&str> = item.flags.iter().map(|f| f.as_str()).collect();
                println!(
                    "{}  {:<22} type conf {:.2}  split conf {:.2}  {}",
                    item.doc_id,
                    item.doc_type.as_str(),
                    item.doc_type_confidence,
                    item.boundary_confidence,
                    flags.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ReviewAction::Split {
            doc_id,
            at_page,
            user,
        } => regroup(ctx, &doc_id, Regroup::SplitAt(at_page), &user),
        ReviewAction::Merge { doc_id, user } => {
            regroup(ctx, &doc_id, Regroup::MergeIntoPrevious, &user)
        }
        ReviewAction::Confirm { doc_id, user } => {
            let mut archive = ctx.open_archive(false)?;
            if !archive.catalog.confirm_review(&doc_id, &user)? {
                anyhow::bail!("no document with id {doc_id}");
            }
            println!("{doc_id}: review done (by {user})");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn regroup(ctx: &Context, doc_id: &str, how: Regroup, user: &str) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    archive.index.begin_writing()?;
    let today = crate::clock::today();
    let r = archive.regroup(&ctx.config, &ctx.schedule, doc_id, how, user, today)?;
    for id in &r.documents {
        let d = archive.catalog.document(id)?;
        let pages: Vec<u32> = d.as_ref().map(|d| d.page_numbers()).unwrap_or_default();
        let t = d.as_ref().map(|d| d.doc_type.as_str()).unwrap_or("-");
        println!("{id}: pages {pages:?}, {t}");
    }
    if let Some(gone) = &r.removed {
        println!("{gone}: merged away (by {user})");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_reclassify(ctx: &Context, args: ReclassifyArgs) -> anyhow::Result<ExitCode> {
    let Some(doc_type) = DocType::parse(&args.doc_type).filter(|t| *t != DocType::Unclassified)
    else {
        eprintln!(
            "error: unknown document type {:?}; use one of: {}",
            args.doc_type,
            DocType::ALL
                .iter()
                .filter(|t| **t != DocType::Unclassified)
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::from(EXIT_ERROR));
    };
    let mut archive = ctx.open_archive(false)?;
    archive.index.begin_writing()?;
    let Some(old) = archive
        .catalog
        .set_doc_type(&args.doc_id, doc_type, &args.user)?
    else {
        anyhow::bail!("no document with id {}", args.doc_id);
    };
    archive.sync_index()?;
    println!(
        "{}: {} -> {} (by {}); `chartvault train --from-archive` can learn from it",
        args.doc_id,
        old.as_str(),
        doc_type.as_str(),
        args.user
    );
    Ok(ExitCode::SUCCESS)
}
