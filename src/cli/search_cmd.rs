use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::service::search::SearchRequest;
use crate::service::Door;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query text: words (all must match), "a phrase", OR, -excluded, field:value
    #[arg(default_value = "")]
    pub query: String,
    /// Only this patient's documents (MRN)
    #[arg(long)]
    pub mrn: Option<String>,
    /// Only this document type (e.g. discharge_summary, unclassified)
    #[arg(long = "type")]
    pub doc_type: Option<String>,
    /// Service date on or after (YYYY-MM-DD)
    #[arg(long)]
    pub from: Option<String>,
    /// Service date on or before (YYYY-MM-DD)
    #[arg(long)]
    pub to: Option<String>,
    /// Only documents with this retention status (retained, eligible, on_hold,
    /// indeterminate, permanent), as of the last retention sweep
    #[arg(long)]
    pub retention_status: Option<String>,
    /// Only documents eligible for destruction before this date (YYYY-MM-DD)
    #[arg(long)]
    pub eligible_before: Option<String>,
    /// Also match words one letter away (typos, OCR slips)
    #[arg(long)]
    pub fuzzy: bool,
    /// Also count the matches by document type, year of service and retention status
    #[arg(long)]
    pub facets: bool,
    /// Order: relevance, newest or oldest (date of service)
    #[arg(long, default_value = "relevance")]
    pub sort: String,
    /// Only this year of service (instead of --from and --to)
    #[arg(long)]
    pub year: Option<i32>,
    /// Number of results
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Skip this many results (the next page: --offset 10 after --limit 10)
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Print results as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let req = SearchRequest {
        q: args.query,
        mrn: args.mrn,
        doc_type: args.doc_type,
        from: args.from,
        to: args.to,
        year: args.year,
        retention_status: args.retention_status,
        eligible_before: args.eligible_before,
        fuzzy: args.fuzzy,
        facets: args.facets,
        limit: Some(args.limit),
        offset: Some(args.offset),
        sort: Some(args.sort),
    };
    // Checked before the archive is opened: a bad request names its problem at once.
    crate::service::search::query(req.clone(), Door::Cli)?;
    let mut archive = ctx.open_archive(false)?;
    let (_, results) = crate::service::search::search(&mut archive, &ctx.actor(), req, Door::Cli)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} documents match", results.total);
    if let Some(f) = &results.facets {
        let line = |name: &str, counts: Vec<String>| {
            if !counts.is_empty() {
                println!("  {name:<17} {}", counts.join(", "));
            }
        };
        line(
            "by type",
            f.doc_type.iter().map(|(k, n)| format!("{k} {n}")).collect(),
        );
        line(
            "by year",
            f.year.iter().map(|(k, n)| format!("{k} {n}")).collect(),
        );
        line(
            "by retention",
            f.retention_status
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect(),
        );
    }
    for hit in &results.hits {
        let pages = match (hit.pages.first(), hit.pages.last()) {
            (Some(a), Some(b)) if a != b => format!("pages {a}-{b}"),
            (Some(a), _) => format!("page {a}"),
            _ => String::new(),
        };
        println!(
            "\n{}  {}  {}  {} {}  (score {:.2})",
            hit.doc_id,
            hit.doc_type,
            hit.service_date.as_deref().unwrap_or("-"),
            hit.source_path,
            pages,
            hit.score
        );
        println!("    {}", marked_snippet(&hit.snippet, &hit.highlights));
    }
    Ok(ExitCode::SUCCESS)
}

/// Puts [ ] around the matched parts and folds the snippet onto one line.
fn marked_snippet(snippet: &str, highlights: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut last = 0;
    for &(a, b) in highlights {
        if a < last || b > snippet.len() {
            continue;
        }
        out.push_str(&snippet[last..a]);
        out.push('[');
        out.push_str(&snippet[a..b]);
        out.push(']');
        last = b;
    }
    out.push_str(&snippet[last..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
