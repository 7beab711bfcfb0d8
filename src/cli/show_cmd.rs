use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::service::documents;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Document id (from search or export)
    pub doc_id: String,
    /// Print the document's export line (JSON)
    #[arg(long)]
    pub json: bool,
    /// Retention status as of this date [default: today]
    #[arg(long)]
    pub as_of: Option<chrono::NaiveDate>,
}

pub fn run(ctx: &Context, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let shown = documents::show(
        &mut archive,
        &ctx.schedule,
        &ctx.actor(),
        &args.doc_id,
        args.as_of,
        "cli",
    )?;
    let v = match shown {
        documents::Shown::Destroyed(t) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&crate::export::tombstone_line(&t))?
                );
            } else {
                println!("document   {}", t.doc_id);
                println!(
                    "destroyed  {} by purge job {} under schedule {}; certificate of destruction {}",
                    t.destroyed_at,
                    t.job_id,
                    &t.schedule_hash[..12.min(t.schedule_hash.len())],
                    t.certificate_id
                );
                println!(
                    "kept       class {}, type {}, service year {}, {} pages (tombstone only)",
                    t.class,
                    t.doc_type,
                    t.service_year.map_or("-".into(), |y| y.to_string()),
                    t.page_count
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        documents::Shown::Live(v) => v,
    };
    let doc = &v.document;
    if args.json {
        let line = crate::export::document_line(doc, v.retention.as_ref());
        println!("{}", serde_json::to_string_pretty(&line)?);
        return Ok(ExitCode::SUCCESS);
    }
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!("document   {}", doc.doc_id);
    println!(
        "type       {} (confidence {:.2})",
        doc.doc_type.as_str(),
        doc.doc_type_confidence
    );
    println!(
        "patient    {}  MRN {}  DOB {}",
        or_dash(&doc.patient.name),
        or_dash(&doc.patient.mrn),
        or_dash(&doc.patient.dob)
    );
    println!("service    {}", or_dash(&doc.service_date));
    if !v.review_flags.is_empty() {
        let f: Vec<&str> = v.review_flags.iter().map(|f| f.as_str()).collect();
        println!("review     {}", f.join(", "));
    }
    for c in &v.corrections {
        println!(
            "corrected  {}: {} -> {} by {} at {}",
            c.field,
            c.old.clone().unwrap_or_default(),
            c.new.clone().unwrap_or_default(),
            c.user,
            c.at
        );
    }
    println!(
        "source     {} (sha256 {})",
        doc.source_path, doc.scan_sha256
    );
    if let Some(d) = &v.retention {
        print_retention(d);
    }
    for p in &doc.pages {
        println!(
            "\n--- page {} (rotation {}°, OCR confidence {:.0}) ---",
            p.page_no, p.rotation_deg, p.ocr_confidence
        );
        println!("{}", p.text);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn print_retention(d: &crate::retention::Decision) {
    println!(
        "retention  {} {} as of {} (schedule {})",
        d.class,
        d.status.as_str(),
        d.as_of,
        d.schedule
    );
    if let Some(e) = d.eligible_on {
        let what = if d.holds.is_empty() {
            "eligible on"
        } else {
            "would be eligible on"
        };
        println!(
            "           {what} {e}, binding rule: {}",
            d.binding_rule.as_deref().unwrap_or("-")
        );
    }
    for c in &d.candidates {
        println!(
            "           candidate: {} from {} -> retain through {}",
            c.rule, c.trigger_date, c.retain_through
        );
    }
    if !d.missing.is_empty() {
        println!("           missing: {}", d.missing.join(", "));
    }
    if !d.holds.is_empty() {
        println!("           holds: {}", d.holds.join(", "));
    }
}
