use std::process::ExitCode;

use clap::Args;

use super::Context;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Document id (from search or export)
    pub doc_id: String,
    /// Print the document's export line (JSON)
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let archive = ctx.open_archive(false)?;
    let Some(doc) = archive.catalog.document(&args.doc_id)? else {
        anyhow::bail!("no document with id {}", args.doc_id);
    };
    if args.json {
        let line = crate::export::document_line(&doc);
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
    if let Some(flags) = archive.catalog.review_flags(&doc.doc_id)? {
        if !flags.is_empty() {
            let f: Vec<&str> = flags.iter().map(|f| f.as_str()).collect();
            println!("review     {}", f.join(", "));
        }
    }
    for (field, old, new, user, at) in archive.catalog.corrections(&doc.doc_id)? {
        println!(
            "corrected  {field}: {} -> {} by {user} at {at}",
            old.unwrap_or_default(),
            new.unwrap_or_default()
        );
    }
    println!(
        "source     {} (sha256 {})",
        doc.source_path, doc.scan_sha256
    );
    for p in &doc.pages {
        println!(
            "\n--- page {} (rotation {}°, OCR confidence {:.0}) ---",
            p.page_no, p.rotation_deg, p.ocr_confidence
        );
        println!("{}", p.text);
    }
    Ok(ExitCode::SUCCESS)
}
