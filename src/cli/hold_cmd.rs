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
            let archive = ctx.open_archive(false)?;
            let holds = archive.catalog.holds(!all)?;
            if holds.is_empty() {
                println!("no {}holds", if all { "" } else { "active " });
            }
            for h in holds {
                let scope = if redacted {
                    h.scope.redacted()
                } else {
                    serde_json::to_string(&h.scope)?
                };
                let state = match &h.released_at {
                    Some(at) => format!("released {at} by {}", h.released_by.unwrap_or_default()),
                    None => "active".into(),
                };
                println!(
                    "{}  {}  matter {:?}  placed {} by {}  scope {}",
                    h.id, state, h.matter, h.placed_at, h.placed_by, scope
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        HoldAction::Show { id } => {
            let archive = ctx.open_archive(false)?;
            let Some(h) = archive
                .catalog
                .holds(false)?
                .into_iter()
                .find(|h| h.id == id)
            else {
                anyhow::bail!("no hold with id {id}");
            };
            println!("{}", serde_json::to_string_pretty(&h)?);
            let today = crate::clock::today();
            let covered: Vec<String> = archive
                .decisions(&ctx.schedule, today, None)?
                .into_iter()
                .filter(|(_, d)| d.holds.contains(&h.id))
                .map(|(id, _)| id)
                .collect();
            println!(
                "covers {} documents now: {}",
                covered.len(),
                covered.join(" ")
            );
            Ok(ExitCode::SUCCESS)
        }
        HoldAction::Release { id, reason } => {
            let mut archive = ctx.open_archive(false)?;
            archive.index.begin_writing()?;
            if !archive.release_hold(&ctx.schedule, &id, &ctx.user, &reason)? {
                anyhow::bail!("no active hold with id {id}");
            }
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
    archive.index.begin_writing()?;
    let (id, covered) =
        archive.place_hold(&ctx.schedule, &p.matter, &p.reason, &scope, &ctx.user)?;
    println!(
        "hold {id} placed by {}; covers {covered} documents now",
        ctx.user
    );
    Ok(ExitCode::SUCCESS)
}
