//! `chartvault bench`: synthetic archives at scale and the search benchmark over them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use crate::scale::bench::Latency;
use crate::scale::{GenerateOptions, TextSource};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Add synthetic documents (OCR-like text, realistic metadata, no images) to --archive.
    Generate {
        /// How many documents to add
        #[arg(long, default_value_t = 100_000)]
        documents: usize,
        /// Corpus whose train_text.jsonl gives the sentences [default: ../shared/corpus when
        /// present, else built-in texts]
        #[arg(long)]
        corpus: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Scans per catalog transaction and index commit
        #[arg(long, default_value_t = 2000)]
        batch_scans: usize,
        /// Characters of text per page
        #[arg(long, default_value_t = 1800)]
        page_chars: usize,
        /// Then compute and index every document's retention status (as of today)
        #[arg(long)]
        with_retention: bool,
        /// Then merge the index into one segment (as a purge's final merge does): the
        /// state of an archive after bulk loading, for search benchmarks
        #[arg(long)]
        merge: bool,
    },
    /// Indexing throughput of the archive's index next to a bare tantivy index of the same
    /// synthetic documents, alternating rounds in one run (temporary folders; --archive is
    /// not touched).
    Indexing {
        /// Documents per round
        #[arg(long, default_value_t = 50_000)]
        documents: usize,
        /// Rounds of each (alternating)
        #[arg(long, default_value_t = 2)]
        rounds: usize,
        #[arg(long)]
        corpus: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Search latency (p50/p99) per query kind, next to a bare tantivy term query.
    Search {
        /// Queries of each kind
        #[arg(long, default_value_t = 300)]
        queries: usize,
        #[arg(long)]
        corpus: Option<PathBuf>,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Search latency over HTTP (p50/p95/p99) against a running `chartvault serve`, next to
    /// a reference request (GET /api/v1/session). The password is read from stdin.
    Http {
        /// The server, as `serve` printed it
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// A user of that server (any role: search needs only `read`)
        #[arg(long)]
        user: String,
        /// Queries of each kind
        #[arg(long, default_value_t = 200)]
        queries: usize,
        /// Clients sending requests at the same time (each one request at a time)
        #[arg(long, default_value_t = 1)]
        clients: usize,
        #[arg(long)]
        corpus: Option<PathBuf>,
        #[arg(long, default_value_t = 11)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
}

fn print_table(lines: &[&Latency], reference: &Latency) {
    println!(
        "{:<11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>12}  example",
        "kind", "p50 ms", "p95 ms", "p99 ms", "max ms", "p95 ratio", "mean hits"
    );
    for l in lines {
        println!(
            "{:<11} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.1} {:>12.0}  {}",
            l.kind,
            l.p50_ms,
            l.p95_ms,
            l.p99_ms,
            l.max_ms,
            l.p95_ms / reference.p95_ms.max(1e-6),
            l.mean_total_hits,
            l.example
        );
    }
}

fn text_source(corpus: Option<PathBuf>) -> TextSource {
    let default = Path::new("../shared/corpus");
    let corpus = corpus
        .or_else(|| default.exists().then(|| default.to_path_buf()))
        .filter(|c| c.join("train_text.jsonl").is_file());
    match &corpus {
        Some(c) => eprintln!("sentences from {}", c.join("train_text.jsonl").display()),
        None => eprintln!("sentences from the built-in texts (no corpus train_text.jsonl)"),
    }
    TextSource::load(corpus.as_deref())
}

pub fn run(ctx: &Context, args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        BenchCommand::Generate {
            documents,
            corpus,
            seed,
            batch_scans,
            page_chars,
            with_retention,
            merge,
        } => {
            let text = text_source(corpus);
            let mut archive = ctx.open_archive(true)?;
            let (before, _) = archive.index_size()?;
            let bar = indicatif::ProgressBar::new(documents as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} documents ({per_sec}, eta {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let opts = GenerateOptions {
                documents,
                seed,
                batch_scans,
                page_chars,
            };
            let t = std::time::Instant::now();
            let report =
                crate::scale::generate(&mut archive, &text, &opts, |n| bar.set_position(n as u64))?;
            bar.finish_and_clear();
            let total_secs = t.elapsed().as_secs_f64();
            let retention_secs = if with_retention {
                let t = std::time::Instant::now();
                let today = chrono::Local::now().date_naive();
                archive.recompute_retention(&ctx.schedule, today, None)?;
                Some(t.elapsed().as_secs_f64())
            } else {
                None
            };
            let merge_secs = if merge {
                eprintln!("merging the index into one segment...");
                let t = std::time::Instant::now();
                archive.merge_index()?;
                Some(t.elapsed().as_secs_f64())
            } else {
                None
            };
            let (docs, segments) = archive.index_size()?;
            let index_bytes = crate::scale::dir_size(&ctx.archive_dir.join("index"));
            let out = serde_json::json!({
                "added": report,
                "wall_secs": total_secs,
                "retention_secs": retention_secs,
                "merge_secs": merge_secs,
                "index_segments": segments,
                "documents_in_index": docs,
                "documents_before": before,
                "index_bytes": index_bytes,
                "index_bytes_per_document": index_bytes as f64 / docs.max(1) as f64,
                "catalog_bytes": crate::scale::dir_size(&ctx.archive_dir.join("catalog.db")),
                "key_store_bytes": crate::scale::dir_size(archive.key_store().path()),
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        BenchCommand::Indexing {
            documents,
            rounds,
            corpus,
            seed,
            json,
        } => {
            let text = text_source(corpus);
            let r =
                crate::scale::index_bench::run(&text, &ctx.config.index, documents, rounds, seed)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                let rounds = |v: &[f64]| {
                    v.iter()
                        .map(|x| format!("{x:.0}"))
                        .collect::<Vec<_>>()
                        .join(" / ")
                };
                println!(
                    "{} documents ({:.0} MB of text), {} writer threads, a commit every {} documents",
                    r.documents,
                    r.text_bytes as f64 / 1e6,
                    r.writer_threads,
                    r.commit_every
                );
                println!(
                    "archive index   {} documents/s  {:.0} bytes/document",
                    rounds(&r.archive_docs_per_sec),
                    r.archive_bytes_per_doc
                );
                println!(
                    "bare tantivy    {} documents/s  {:.0} bytes/document",
                    rounds(&r.bare_docs_per_sec),
                    r.bare_bytes_per_doc
                );
                println!("ratio (best round each): {:.2}", r.ratio);
            }
        }
        BenchCommand::Search {
            queries,
            corpus,
            seed,
            json,
        } => {
            let text = text_source(corpus);
            let archive = ctx.open_archive(false)?;
            let r = crate::scale::bench::run_on(&archive, &text, queries, seed)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{} documents; {} queries of each kind; ratio = p95 / reference p95",
                    r.documents, queries
                );
                let lines: Vec<&Latency> = r.kinds.iter().chain([&r.reference]).collect();
                print_table(&lines, &r.reference);
            }
        }
        BenchCommand::Http {
            url,
            user,
            queries,
            clients,
            corpus,
            seed,
            json,
        } => {
            let text = text_source(corpus);
            let password = super::user_cmd::read_password()?;
            let r = crate::scale::http_bench::run(
                &url, &user, &password, &text, queries, clients, seed,
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{} documents behind {}; {} clients x {} requests of each kind; ratio = p95 / reference p95",
                    r.documents, r.url, r.clients, queries
                );
                let lines: Vec<&Latency> = r
                    .kinds
                    .iter()
                    .chain([&r.all_searches, &r.reference])
                    .collect();
                print_table(&lines, &r.reference);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
