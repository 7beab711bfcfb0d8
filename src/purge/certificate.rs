//! Certificate of destruction (retention.md §5): JSON (stored in the catalog, chained to
//! the previous certificate) and a readable HTML page, in `ARCHIVE/certificates/`. Built
//! from tombstones and the job: classes, document types, service years, counts. No names,
//! MRNs, dates of birth, exact dates or text of destroyed documents.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::PurgeError;
use crate::archive::Archive;
use crate::catalog::JobRow;

pub const METHOD: &str = "Deletion of every stored artifact of each document (page images, OCR \
    words, page text and patient fields in the catalog, search index entries); index segments \
    holding them merged and superseded files garbage-collected; scan originals deleted or \
    rewritten without the destroyed pages.";

pub fn build(
    archive: &Archive,
    job: &JobRow,
    certificate_id: &str,
    facility: &str,
    executed_on: chrono::NaiveDate,
) -> Result<serde_json::Value, PurgeError> {
    let tombstones = archive.catalog.tombstones_of_job(&job.id)?;
    let items = archive.catalog.purge_items(&job.id)?;
    let patients: HashSet<u32> = items
        .iter()
        .filter(|(_, s, _, _)| s == "destroyed")
        .filter_map(|(_, _, slot, _)| *slot)
        .collect();
    let skipped = items.iter().filter(|(_, s, _, _)| s == "skipped").count();
    #[derive(Default)]
    struct ClassSum {
        types: BTreeSet<String>,
        years: BTreeSet<i32>,
        documents: usize,
        pages: u64,
    }
    let mut classes: BTreeMap<String, ClassSum> = BTreeMap::new();
    let (mut pages, mut bytes) = (0u64, 0u64);
    let scans = tombstones
        .iter()
        .filter(|t| t.doc_type == crate::model::retention::QUARANTINED_SCAN)
        .count();
    for t in &tombstones {
        let c = classes.entry(t.class.clone()).or_default();
        c.types.insert(t.doc_type.clone());
        c.years.extend(t.service_year);
        c.documents += 1;
        c.pages += t.page_count as u64;
        pages += t.page_count as u64;
        bytes += t.bytes;
    }
    let approvers = super::valid_approvals(archive, job)?;
    Ok(serde_json::json!({
        "certificate_id": certificate_id,
        "facility": facility,
        "schedule": {"label": job.schedule_label, "sha256": job.schedule_hash},
        "statement": format!(
            "The records summarised below were destroyed in the normal course of business under \
             retention schedule {}. No known legal hold applied to them when they were destroyed; \
             each was re-checked against active holds and the schedule immediately before destruction.",
            job.schedule_label),
        "purge_job": job.id,
        "as_of": job.as_of,
        // The day destruction happened (each document re-checked against that day), not
        // the date the plan looked at.
        "executed_on": executed_on.to_string(),
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "classes": classes.iter().map(|(id, c)| serde_json::json!({
            "class": id,
            "document_types": c.types,
            "service_years": c.years.first().map(|a| format!("{a}-{}", c.years.last().unwrap_or(a))),
            "documents": c.documents,
            "pages": c.pages,
        })).collect::<Vec<_>>(),
        "counts": {"documents": tombstones.len() - scans, "quarantined_scans": scans,
                   "pages": pages, "bytes": bytes,
                   "patients": patients.len(), "skipped_at_execution": skipped},
        "method": METHOD,
        "manifest_sha256": job.manifest_hash,
        "verification": job.verification,
        "initiated_by": job.created_by,
        "approved_by": approvers,
        "executed_by": job.executed_by,
        "previous_certificate_sha256": archive.catalog.last_certificate_hash()?,
    }))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The certificate page's style, inline so the file stands alone; the web service allows
/// exactly this style by its hash ([`style_csp`]).
const STYLE: &str = "body{font-family:Georgia,serif;max-width:52em;margin:2em auto;color:#111;line-height:1.45}\
h1{font-size:1.6em;border-bottom:2px solid #333;padding-bottom:.3em}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #888;padding:.3em .6em;text-align:left}\
.sig{margin-top:2.5em;display:flex;gap:3em}.sig div{flex:1;border-top:1px solid #333;padding-top:.3em;font-size:.9em}\
small{color:#444}@media print{body{margin:0}}";

/// The Content-Security-Policy for serving [`html`]: nothing but its own inline style.
pub fn style_csp() -> String {
    use base64::Engine;
    use sha2::Digest;
    let hash = sha2::Sha256::digest(STYLE.as_bytes());
    format!(
        "default-src 'none'; style-src 'sha256-{}'; frame-ancestors 'none'",
        base64::engine::general_purpose::STANDARD.encode(hash)
    )
}

pub fn html(body: &serde_json::Value) -> String {
    let s = |k: &str| esc(body[k].as_str().unwrap_or("-"));
    let mut rows = String::new();
    for c in body["classes"].as_array().into_iter().flatten() {
        let types: Vec<&str> = c["document_types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
            .map(|t| crate::model::DocType::parse(t).map_or(t, |d| d.label()))
            .collect();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(c["class"].as_str().unwrap_or("")),
            esc(&types.join(", ")),
            esc(c["service_years"].as_str().unwrap_or("-")),
            c["documents"],
            c["pages"]
        ));
    }
    let counts = &body["counts"];
    let approvers: Vec<String> = body["approved_by"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(esc))
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Certificate of destruction {id}</title>\n\
<style>{style}</style></head>\n\
<body><h1>Certificate of Destruction</h1>\n<p><b>Certificate</b> {id}<br><b>Facility</b> {facility}<br>\
<b>Date of destruction</b> {executed_on}<br>\
<b>Retention schedule</b> {schedule} (SHA-256 {schedule_hash})<br><b>Purge job</b> {job}, planned as of {as_of}; \
every document re-checked on the date of destruction<br>\
<b>Started</b> {started} <b>Finished</b> {finished}</p>\n<p>{statement}</p>\n\
<table><tr><th>Class</th><th>Document types</th><th>Service years</th><th>Documents</th><th>Pages</th></tr>\n{rows}</table>\n\
<p><b>Totals</b>: {docs} documents, {pages} pages, {patients} patients{scans}.</p>\n\
<p><b>Method</b>: {method}</p>\n<p><b>Verification</b>: {verified}</p>\n\
<p><b>Initiated by</b> {init}; <b>approved by</b> {approvers}; <b>executed by</b> {exec}.</p>\n\
<div class=\"sig\"><div>Records custodian (signature, date)</div><div>Witness (signature, date)</div></div>\n\
<p><small>Manifest SHA-256 {manifest}. Previous certificate: {prev}.</small></p>\n</body></html>\n",
        style = STYLE,
        id = s("certificate_id"),
        facility = s("facility"),
        schedule = esc(body["schedule"]["label"].as_str().unwrap_or("-")),
        schedule_hash = esc(body["schedule"]["sha256"].as_str().unwrap_or("-")),
        job = s("purge_job"),
        as_of = s("as_of"),
        executed_on = s("executed_on"),
        started = s("started_at"),
        finished = s("finished_at"),
        statement = s("statement"),
        rows = rows,
        docs = counts["documents"],
        pages = counts["pages"],
        patients = counts["patients"],
        scans = match counts["quarantined_scans"].as_u64() {
            Some(n) if n > 0 => format!(
                "; {n} quarantined scans (files that could not be read: type, patient and \
                 pages unknown)"
            ),
            _ => String::new(),
        },
        method = s("method"),
        verified = if body["verification"]["ok"].as_bool() == Some(true) {
            "passed (no search hit, no stored artifact, index merged and collected)".to_string()
        } else {
            "FAILED".to_string()
        },
        init = s("initiated_by"),
        approvers = approvers.join(", "),
        exec = s("executed_by"),
        manifest = s("manifest_sha256"),
        prev = match body["previous_certificate_sha256"].as_str() {
            Some(h) if !h.is_empty() && h.bytes().all(|b| b == b'0') => {
                "none (the first certificate of this archive)".to_string()
            }
            Some(h) => format!("SHA-256 {}", esc(h)),
            None => "-".to_string(),
        },
    )
}

pub fn write_files(
    archive: &Archive,
    id: &str,
    body: &serde_json::Value,
) -> Result<(), PurgeError> {
    let dir = archive.root.join("certificates");
    let io = |e: std::io::Error| PurgeError::Refused(format!("cannot write certificate {id}: {e}"));
    std::fs::create_dir_all(&dir).map_err(io)?;
    std::fs::write(
        dir.join(format!("{id}.json")),
        serde_json::to_string_pretty(body).unwrap_or_default(),
    )
    .map_err(io)?;
    std::fs::write(dir.join(format!("{id}.html")), html(body)).map_err(io)?;
    Ok(())
}
