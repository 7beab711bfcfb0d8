use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use crate::archive::Regroup;
use crate::service::{review, Actor};

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
    /// Fix a split: a page (its number in the scan) belongs to another document of the same
    /// scan (recorded); a document left without pages is merged away
    Move {
        doc_id: String,
        #[arg(long)]
        page: u32,
        /// The document the page goes to
        #[arg(long)]
        to: String,
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
            let mut archive = ctx.open_archive(false)?;
            let (_, queue) = review::queue(&mut archive, &ctx.actor(), "cli")?;
            if json {
                for item in &queue {
                    println!("{}", serde_json::to_string(item)?);
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
        ReviewAction::Move {
            doc_id,
            page,
            to,
            user,
        } => regroup(ctx, &doc_id, Regroup::MovePage { page, to }, &user),
        ReviewAction::Confirm { doc_id, user } => {
            let mut archive = ctx.open_archive(false)?;
            let fix = review::DocumentFix {
                confirm: true,
                ..Default::default()
            };
            review::fix(
                &mut archive,
                &ctx.schedule,
                &Actor::operator(&user),
                &doc_id,
                &fix,
            )?;
            println!("{doc_id}: review done (by {user})");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn regroup(ctx: &Context, doc_id: &str, how: Regroup, user: &str) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let actor = Actor::operator(user);
    let r = review::regroup(
        &mut archive,
        &ctx.config,
        &ctx.schedule,
        &actor,
        doc_id,
        how,
    )?;
    for d in &r.documents {
        println!("{}: pages {:?}, {}", d.doc_id, d.pages, d.doc_type.as_str());
    }
    if let Some(gone) = &r.removed {
        println!("{gone}: merged away (by {user})");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_reclassify(ctx: &Context, args: ReclassifyArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let fix = review::DocumentFix {
        doc_type: Some(args.doc_type.clone()),
        ..Default::default()
    };
    let actor = Actor::operator(&args.user);
    let out = review::fix(&mut archive, &ctx.schedule, &actor, &args.doc_id, &fix)?;
    println!(
        "{}: {} -> {} (by {}); `chartvault train --from-archive` can learn from it",
        args.doc_id,
        out.previous_doc_type.map_or("-", |t| t.as_str()),
        args.doc_type.trim(),
        args.user
    );
    Ok(ExitCode::SUCCESS)
}
