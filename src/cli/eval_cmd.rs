use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::eval::{self, EvalOptions};
use crate::pipeline::Progress;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Corpus folder holding manifest.jsonl and the charts it names
    pub corpus: PathBuf,
    /// Only the first N charts
    #[arg(long)]
    pub charts: Option<usize>,
    /// Score another tool's OCR text (DIR/<scan>/page_NNN.txt) instead of ingesting
    #[arg(long)]
    pub text_dir: Option<PathBuf>,
    /// Only classify the ground-truth text of the test charts' documents (no OCR)
    #[arg(long)]
    pub classify_only: bool,
    /// Only measure orientation and skew from pixels (no OCR)
    #[arg(long)]
    pub layout_only: bool,
    /// Turn every page clockwise by 90, 180 or 270 degrees before reading it (orientation
    /// on turned copies of the corpus)
    #[arg(long, default_value_t = 0, value_parser = parse_turn)]
    pub turn: u32,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

/// A turn other than a quarter turn.
#[derive(Debug, thiserror::Error)]
#[error("give 0, 90, 180 or 270")]
struct NotAQuarterTurn;

fn parse_turn(s: &str) -> Result<u32, NotAQuarterTurn> {
    match s {
        "0" => Ok(0),
        "90" => Ok(90),
        "180" => Ok(180),
        "270" => Ok(270),
        _ => Err(NotAQuarterTurn),
    }
}

pub fn run(ctx: &Context, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let progress = Progress::new(!args.json && std::io::stderr().is_terminal());
    let options = EvalOptions {
        max_charts: args.charts,
        text_dir: args.text_dir,
        classify_only: args.classify_only,
        layout_only: args.layout_only,
        turn_deg: args.turn,
    };
    let r = eval::run(&args.corpus, &ctx.config, &options, &progress)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(l) = &r.layout {
        println!("{}", serde_json::to_string_pretty(l)?);
        return Ok(ExitCode::SUCCESS);
    }
    if args.classify_only {
        if let Some(d) = &r.doc_types {
            print_doc_types(d);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |v: Option<f64>| {
        v.map(|x| format!("{:.2}%", x * 100.0))
            .unwrap_or("-".into())
    };
    println!("{:<28} {}", "charts", r.charts);
    println!("{:<28} {} ({} content)", "pages", r.pages, r.content_pages);
    println!("{:<28} {}", "quarantined scans", r.quarantined);
    println!("{:<28} {:.1}", "wall seconds", r.wall_secs);
    println!("{:<28} {:.2}", "pages/s", r.pages_per_sec);
    if let Some(lib) = &r.tesseract_library {
        println!("{:<28} {lib}", "libtesseract");
    }
    println!("{:<28} {:.0}", "imaging ms/page", r.imaging_ms_per_page);
    println!("{:<28} {:.0}", "barcode ms/page", r.barcode_ms_per_page);
    println!("{:<28} {:.0}", "OCR ms/OCR'd page", r.ocr_ms_per_ocr_page);
    println!(
        "{:<28} {:.2}",
        "readings/OCR'd page", r.ocr_readings_per_ocr_page
    );
    println!(
        "{:<28} {}",
        "imaging / OCR time",
        pct(r.imaging_to_ocr_ratio)
    );
    println!("{:<28} {}", "OCR CER (content pages)", pct(r.cer));
    println!("{:<28} {}", "OCR WER (content pages)", pct(r.wer));
    for (cond, v) in &r.cer_by_condition {
        println!("{:<28} {}", format!("  CER {cond}"), pct(Some(*v)));
    }
    println!("{:<28} {}", "rotation accuracy", pct(r.rotation_accuracy));
    for m in &r.rotation_misses {
        println!("{:<28} {m}", "  turned wrong");
    }
    for m in &r.content_lost {
        println!("{:<28} {m}", "  content page lost");
    }
    if let Some(s) = r.mean_skew_error_deg {
        println!("{:<28} {:.3}°", "mean skew error", s);
    }
    println!("{:<28} {}", "blank precision", pct(r.blank_precision));
    println!("{:<28} {}", "blank recall", pct(r.blank_recall));
    println!(
        "{:<28} {}",
        "separator precision",
        pct(r.separator_precision)
    );
    println!("{:<28} {}", "separator recall", pct(r.separator_recall));
    println!(
        "{:<28} {}",
        "exact documents (split)",
        pct(r.split_exact_documents)
    );
    for (label, b) in [
        ("split boundaries (all)", &r.split_boundaries),
        (
            "  with doc separators",
            &r.split_boundaries_with_doc_separators,
        ),
        (
            "  without doc separators",
            &r.split_boundaries_without_doc_separators,
        ),
    ] {
        if let Some(b) = b {
            println!(
                "{:<28} P {} R {} F1 {} ({} charts)",
                label,
                pct(b.precision),
                pct(b.recall),
                b.f1.map(|f| format!("{f:.3}")).unwrap_or("-".into()),
                b.charts
            );
        }
    }
    println!("{:<28} {}", "MRN accuracy", pct(r.mrn_accuracy));
    println!("{:<28} {}", "name accuracy", pct(r.name_accuracy));
    println!("{:<28} {}", "DOB accuracy", pct(r.dob_accuracy));
    println!(
        "{:<28} {}",
        "service date accuracy",
        pct(r.service_date_accuracy)
    );
    println!(
        "{:<28} {}",
        "retention date matches",
        pct(r.retention_date_accuracy)
    );
    for m in r.service_date_misses.iter() {
        println!("{:<28} {m}", "  no date of service");
    }
    for m in r.field_misses.iter() {
        println!("{:<28} {m}", "  field missed");
    }
    if let Some(d) = &r.doc_types {
        print_doc_types(d);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_doc_types(d: &crate::eval::doctype::DocTypeReport) {
    println!(
        "\ndocument types ({} test documents; {})",
        d.test_documents, d.split
    );
    println!("{:<28} {:.2}%", "doc-type accuracy", d.accuracy * 100.0);
    println!("{:<28} {:.3}", "doc-type macro-F1", d.macro_f1);
    if let Some(m) = d.model_only_macro_f1 {
        println!("{:<28} {:.3}", "  model alone macro-F1", m);
    }
    if let Some(m) = d.rules_only_macro_f1 {
        println!("{:<28} {:.3}", "  rules alone macro-F1", m);
    }
    for (t, f) in &d.f1 {
        println!("  F1 {:<25} {:.3}", t, f);
    }
    println!("confusion (truth -> predicted: count), errors only:");
    for (truth, row) in &d.confusion {
        for (pred, n) in row {
            if truth != pred {
                println!("  {truth} -> {pred}: {n}");
            }
        }
    }
}
