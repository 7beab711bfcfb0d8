use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::Context;
use crate::retention::HoldScope;

#[derive(Debug, Args)]
pub struct HoldArgs {
    #[command(subcommand)]
    pub action: HoldAction,
}

#[derive(Debug, Subcommand)]
pub enum HoldAction {
    /// Place a legal hold: blocks destruction of everything in its scope until released
    Place(PlaceArgs),
    /// List holds (active ones unless --all)
    List {
        #[arg(long)]
        all: bool,
        /// Show scopes without patient data (MRNs, query text)
        #[arg(long)]
        redacted: bool,
    },
    /// Show one hold and the documents it covers now
    Show { id: String },
    /// Release a hold; documents become eligible again and wait for the next approved purge
    Release {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["mrn", "doc", "query", "class"])))]
pub struct PlaceArgs {
    /// Matter (case) name
    #[arg(long)]
    pub matter: String,
    #[arg(long)]
    pub reason: String,
    /// Every document of this patient, including ones ingested later
    #[arg(long)]
    pub mrn: Option<String>,
    /// One document
    #[arg(long)]
    pub doc: Option<String>,
    /// A saved search, re-run at every check (ids matched now are kept too)
    #[arg(long)]
    pub query: Option<String>,
    /// A retention class (with --from and --to: service dates)
    #[arg(long)]
    pub class: Option<String>,
    /// Document type filter for --query
    #[arg(long = "type")]
    pub doc_type: Option<String>,
    #[arg(long)]
    pub from: Option<NaiveDate>,
    #[arg(long)]
    pub to: Option<NaiveDate>,
}

pub fn run(ctx: &Context, args: HoldArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        HoldAction::Place(p) => place(ctx, p),
        HoldAction::List { all, redacted } => {
            let mut archive = ctx.open_archive(false)?;
            let holds =
                crate::service::holds::list(&mut archive, &ctx.schedule, &ctx.actor(), all, "cli")?;
            if holds.is_empty() {
                println!("no {}holds", if all { "" } else { "active " });
            }
            for v in holds {
                let h = &v.hold;
                let scope = match (&v.patient, redacted) {
                    (_, true) => h.scope.redacted(),
                    (Some(p), false) => format!(
                        "patient MRN {}",
                        p.mrn.as_deref().unwrap_or("(no document of it yet)")
                    ),
                    (None, false) => serde_json::to_string(&h.scope)?,
                };
                let state = match &h.released_at {
                    Some(at) => format!(
                        "released {at} by {}",
                        h.released_by.clone().unwrap_or_default()
                    ),
                    None => "active".into(),
                };
                println!(
                    "{}  {}  matter {:?}  placed {} by {}  covers {}  scope {}",
                    h.id, state, h.matter, h.placed_at, h.placed_by, v.covers, scope
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        HoldAction::Show { id } => {
            let mut archive = ctx.open_archive(false)?;
            let v =
                crate::service::holds::show(&mut archive, &ctx.schedule, &ctx.actor(), &id, "cli")?;
            println!("{}", serde_json::to_string_pretty(&v.hold)?);
            let covered = v.documents.unwrap_or_default();
            println!(
                "covers {} documents now: {}",
                covered.len(),
                covered.join(" ")
            );
            Ok(ExitCode::SUCCESS)
        }
        HoldAction::Release { id, reason } => {
            let mut archive = ctx.open_archive(false)?;
            crate::service::holds::release(
                &mut archive,
                &ctx.schedule,
                &ctx.actor(),
                &id,
                &reason,
            )?;
            println!(
                "{id} released by {}; nothing is destroyed until an approved purge job runs",
                ctx.user
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn place(ctx: &Context, p: PlaceArgs) -> anyhow::Result<ExitCode> {
    let scope = if let Some(mrn) = p.mrn {
        HoldScope::Mrn { mrn }
    } else if let Some(doc_id) = p.doc {
        HoldScope::Document { doc_id }
    } else if let Some(text) = p.query {
        HoldScope::Query {
            text,
            doc_type: p.doc_type,
            from: p.from,
            to: p.to,
        }
    } else if let Some(class) = p.class {
        let (Some(from), Some(to)) = (p.from, p.to) else {
            anyhow::bail!("a class hold needs --from and --to (service dates)");
        };
        HoldScope::Class { class, from, to }
    } else {
        anyhow::bail!("give one scope: --mrn, --doc, --query or --class");
    };
    let mut archive = ctx.open_archive(false)?;
    let req = crate::service::holds::PlaceHold {
        matter: p.matter,
        reason: p.reason,
        scope,
    };
    let placed = crate::service::holds::place(&mut archive, &ctx.schedule, &ctx.actor(), &req)?;
    println!(
        "hold {} placed by {}; covers {} documents now",
        placed.hold_id, placed.placed_by, placed.covers
    );
    Ok(ExitCode::SUCCESS)
}
