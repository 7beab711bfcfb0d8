//! Committer stage: gathers each scan's pages and commits the scan (split, blobs, catalog
//! transaction, index), or quarantines it.

use std::collections::{HashMap, HashSet};

use crossbeam_channel::Receiver;

use super::{Event, IngestSummary, PipelineError, Progress, Quarantined, WriterAccess};
use crate::archive::Archive;
use crate::catalog::{PageCommit, ScanCommit};
use crate::classify::Classifier;
use crate::config::ReviewConfig;
use crate::describe::PageText;
use crate::model::{
    DocumentDraft, DocumentRecord, FieldSource, PageKind, PageRecord, PageResult, ReviewFlag,
    ScanInput,
};
use crate::split::SplitPage;

struct ScanInFlight {
    input: ScanInput,
    sha256: String,
    files: Vec<(String, Vec<u8>)>,
    num_pages: usize,
    pages: Vec<PageResult>,
}

/// What the committer needs besides the archive.
pub(crate) struct CommitContext {
    pub classifier: Classifier,
    pub review: ReviewConfig,
    pub schedule: crate::retention::Schedule,
}

pub(crate) fn run(
    writer: &mut impl WriterAccess,
    ctx: &CommitContext,
    events: Receiver<Event>,
    progress: &Progress,
    summary: &mut IngestSummary,
) -> Result<(), PipelineError> {
    let mut in_flight: HashMap<usize, ScanInFlight> = HashMap::new();
    let mut failed: HashSet<usize> = HashSet::new();
    for event in events.iter() {
        match event {
            Event::Fatal(message) => return Err(PipelineError::Engine(message)),
            Event::Duplicate => {
                summary.duplicates += 1;
                progress.scan_done(summary.pages);
            }
            Event::Failed {
                scan_idx,
                input,
                sha256,
                reason,
                original,
            } => {
                // A scan that failed mid-way: its bytes came with its Start event.
                let (scan_input, original) = match in_flight.remove(&scan_idx) {
                    Some(scan) => (scan.input, single_original(scan.files)),
                    None => (input, original),
                };
                failed.insert(scan_idx);
                writer.with_writer(|archive| {
                    quarantine(
                        archive,
                        &scan_input,
                        sha256.as_deref(),
                        &reason,
                        original.as_deref(),
                        progress,
                        summary,
                    )
                })?;
            }
            Event::Start {
                scan_idx,
                input,
                sha256,
                files,
                num_pages,
            } => {
                progress.scan_started(num_pages);
                in_flight.insert(
                    scan_idx,
                    ScanInFlight {
                        input,
                        sha256,
                        files,
                        num_pages,
                        pages: Vec::with_capacity(num_pages),
                    },
                );
            }
            Event::Page { scan_idx, result } => {
                if failed.contains(&scan_idx) {
                    continue;
                }
                let Some(scan) = in_flight.get_mut(&scan_idx) else {
                    continue;
                };
                match result {
                    Ok(page) => {
                        progress.page_done();
                        summary.imaging_ms += page.imaging_ms;
                        summary.barcode_ms += page.barcode_ms;
                        summary.ocr_ms += page.ocr_ms;
                        summary.ocr_readings += page.ocr_readings as usize;
                        scan.pages.push(page);
                    }
                    Err(reason) => {
                        let scan = in_flight.remove(&scan_idx);
                        failed.insert(scan_idx);
                        if let Some(scan) = scan {
                            let original = single_original(scan.files);
                            writer.with_writer(|archive| {
                                quarantine(
                                    archive,
                                    &scan.input,
                                    Some(&scan.sha256),
                                    &reason.0,
                                    original.as_deref(),
                                    progress,
                                    summary,
                                )
                            })?;
                        }
                        continue;
                    }
                }
                if scan.pages.len() == scan.num_pages {
                    if let Some(mut scan) = in_flight.remove(&scan_idx) {
                        // Split and describe outside the writer; only the writes take it.
                        let documents = prepare(&mut scan, ctx);
                        writer.with_writer(|archive| {
                            commit(archive, ctx, scan, documents, summary)
                        })?;
                        progress.scan_done(summary.pages);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The original bytes kept beside a quarantine record (single files only).
fn single_original(mut files: Vec<(String, Vec<u8>)>) -> Option<Vec<u8>> {
    (files.len() == 1).then(|| files.swap_remove(0).1)
}

fn quarantine(
    archive: &mut Archive,
    input: &ScanInput,
    sha256: Option<&str>,
    reason: &str,
    original: Option<&[u8]>,
    progress: &Progress,
    summary: &mut IngestSummary,
) -> Result<(), PipelineError> {
    let path = input.display_path();
    let blob = archive.write_quarantine(sha256, &input.source_path, reason, original)?;
    let name = input
        .source_path
        .rsplit('/')
        .next()
        .unwrap_or(&input.source_path)
        .to_string();
    archive
        .catalog
        .record_quarantine(sha256, &input.source_path, reason, blob.map(|b| (name, b)))
        .map_err(crate::archive::ArchiveError::from)?;
    tracing::warn!(scan = sha256.unwrap_or("-"), "scan quarantined");
    // Control characters in a file name are escaped: a name cannot forge a line.
    progress.println(&format!(
        "quarantined: {}: {}",
        crate::ingest::printable(&path),
        crate::ingest::printable(reason)
    ));
    summary.quarantined.push(Quarantined {
        path,
        reason: reason.to_string(),
    });
    progress.scan_done(summary.pages);
    Ok(())
}

/// Fields, type, provenance and review flags of one document from its pages' text
/// ([`crate::describe`]), and its MRN: the separator sheet's barcode is the reliable
/// source; page text fills it only when there was no sheet, and a page printing another
/// MRN is a conflict to review.
fn describe(doc: &mut DocumentDraft, pages: &[PageResult], ctx: &CommitContext) {
    let doc_pages: Vec<&PageResult> = doc
        .pages
        .iter()
        .filter_map(|n| pages.iter().find(|p| p.page_no == *n))
        .collect();
    let texts: Vec<PageText> = doc_pages
        .iter()
        .map(|p| PageText {
            page_no: p.page_no,
            text: p.ocr.as_ref().map(|o| o.text.as_str()).unwrap_or(""),
            ocr_confidence: p.ocr.as_ref().map(|o| o.confidence),
            doubts: &p.doubts,
        })
        .collect();
    let start = doc_pages.first().and_then(|p| p.start.clone());
    let d = crate::describe::describe(
        &texts,
        start.as_ref().and_then(|s| s.doc_type),
        doc.boundary_confidence,
        &ctx.classifier,
        &ctx.review,
        crate::clock::today(),
    );
    // Flags the split already raised (a document-start code naming another MRN than the
    // patient separator before it) stay.
    let mut review = std::mem::take(&mut doc.review);
    match (&doc.patient.mrn, &d.text_mrn) {
        (Some(sheet), Some((text, _)))
            if sheet != text && !review.contains(&ReviewFlag::MrnConflict) =>
        {
            review.push(ReviewFlag::MrnConflict)
        }
        (None, Some((text, from))) => {
            doc.patient.mrn = Some(text.clone());
            doc.provenance.push(from.clone());
        }
        _ => {}
    }
    // A document-start barcode on the first page: its MRN comes from the code.
    if doc.patient.mrn.is_some() && doc.provenance.iter().all(|f| f.field != "mrn") {
        let sheet = pages
            .iter()
            .filter(|p| p.kind == PageKind::Separator && p.page_no < doc.pages[0])
            .map(|p| p.page_no)
            .max()
            .unwrap_or(0);
        let from_start = start.as_ref().is_some_and(|s| s.mrn.is_some());
        doc.provenance.push(FieldSource {
            field: "mrn".into(),
            page: if from_start { doc.pages[0] } else { sheet },
            span: None,
            method: "barcode".into(),
            confidence: 1.0,
        });
    }
    if d.mrn_conflict && !review.contains(&ReviewFlag::MrnConflict) {
        review.push(ReviewFlag::MrnConflict);
    }
    review.extend(d.review);
    doc.provenance.extend(d.provenance);
    doc.patient.name = d.name;
    doc.patient.dob = d.dob;
    doc.service_date = d.service_date;
    doc.doc_type = d.doc_type;
    doc.doc_type_confidence = d.doc_type_confidence;
    doc.review = review;
}

/// A scan's documents from its pages: split, fields, type, review flags (pure).
fn prepare(scan: &mut ScanInFlight, ctx: &CommitContext) -> Vec<DocumentDraft> {
    scan.pages.sort_by_key(|p| p.page_no);
    let split_pages: Vec<SplitPage> = scan
        .pages
        .iter()
        .map(|p| SplitPage {
            page_no: p.page_no,
            kind: p.kind,
            separator_mrn: p.separator_mrn.clone(),
            start: p.start.clone(),
            text: p.ocr.as_ref().map(|o| o.text.clone()),
        })
        .collect();
    let mut documents = crate::split::split(&scan.sha256, &split_pages);
    for doc in documents.iter_mut() {
        describe(doc, &scan.pages, ctx);
    }
    super::same_patient::fill_from_same_patient(&mut documents);
    documents
}

/// Writes a prepared scan: blobs, one catalog transaction, retention, index.
fn commit(
    archive: &mut Archive,
    ctx: &CommitContext,
    scan: ScanInFlight,
    documents: Vec<DocumentDraft>,
    summary: &mut IngestSummary,
) -> Result<(), PipelineError> {
    let doc_of_page: HashMap<u32, &str> = documents
        .iter()
        .flat_map(|d| d.pages.iter().map(move |p| (*p, d.doc_id.as_str())))
        .collect();

    // Keys first: every blob and sealed field below is encrypted under the key of its
    // document (or, for separator and blank pages, its scan); each original has its own.
    let store = &archive.store;
    let store_err = |e: crate::store::StoreError| crate::archive::ArchiveError::from(e);
    let key_err = crate::archive::ArchiveError::Keys;
    let mut key_ids = vec![crate::keys::scan_key_id(&scan.sha256)];
    key_ids.extend(documents.iter().map(|d| crate::keys::doc_key_id(&d.doc_id)));
    archive.keys.ensure(&key_ids).map_err(key_err)?;
    let mut files = Vec::with_capacity(scan.files.len());
    for (name, bytes) in &scan.files {
        let key = archive.keys.new_blob_key().map_err(key_err)?;
        files.push((name.clone(), store.put(bytes, &key).map_err(store_err)?));
    }
    let mut pages = Vec::with_capacity(scan.pages.len());
    for p in &scan.pages {
        let doc_id = doc_of_page.get(&p.page_no).copied();
        let key = crate::catalog::page_key_id(&scan.sha256, doc_id);
        let words_blob = match &p.ocr {
            Some(ocr) => {
                let json = serde_json::to_vec(&ocr.words).unwrap_or_default();
                Some(store.put(&json, &key).map_err(store_err)?)
            }
            None => None,
        };
        let image_blob = if p.viewer_jpeg.is_empty() {
            None
        } else {
            Some(store.put(&p.viewer_jpeg, &key).map_err(store_err)?)
        };
        pages.push(PageCommit {
            page_no: p.page_no,
            kind: p.kind,
            doc_id: doc_of_page.get(&p.page_no).map(|s| s.to_string()),
            dpi: p.dpi,
            width_px: p.width_px,
            height_px: p.height_px,
            rotation_deg: p.rotation_deg,
            skew_deg: p.skew_deg,
            barcode: p.barcode.clone(),
            ocr_confidence: p.ocr.as_ref().map(|o| o.confidence),
            text: p.ocr.as_ref().map(|o| o.text.clone()),
            text_source: p.text_source,
            words_blob,
            image_blob,
            doubts: p.doubts.clone(),
        });
    }
    // Retention of the new documents, assigned from what is in memory before anything is
    // stored (the patients' earlier dates of service and the holds are read, nothing this
    // commit writes).
    let today = crate::clock::today();
    // The scan's ingest stamp: the catalog stores this one, and retention counts from its day.
    let committed_at = crate::clock::now();
    // Read once for this commit: the writer is held, so they cannot change in between.
    let holds = archive.holds_now();
    let assigned = assign_retention(
        archive,
        &ctx.schedule,
        &documents,
        &holds,
        (today, committed_at.date_naive()),
    )?;
    let commit = ScanCommit {
        sha256: scan.sha256.clone(),
        source_path: scan.input.source_path.clone(),
        files,
        pages,
        documents: documents.clone(),
        committed_at: committed_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        retention: assigned,
    };
    archive
        .catalog
        .commit_scan(&commit)
        .map_err(crate::archive::ArchiveError::from)?;
    // A scan quarantined before and now read: its sealed quarantine copy is shredded (the
    // archived original is the copy that counts) and its quarantine folder removed.
    let q = crate::archive::quarantine_key_id(&scan.sha256);
    if archive.keys.exists(&q).unwrap_or(false) {
        archive
            .keys
            .destroy(&[q], Some("re-ingested"))
            .map_err(crate::archive::ArchiveError::from)?;
    }
    let ids: Vec<String> = documents.iter().map(|d| d.doc_id.clone()).collect();
    // The patients' other documents: a newer date of service moves their
    // patient_last_service. Re-indexes what changed.
    let mrns: Vec<String> = documents
        .iter()
        .filter_map(|d| d.patient.mrn.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let others: Vec<String> = archive
        .catalog
        .doc_ids_of_mrns(&mrns)
        .map_err(crate::archive::ArchiveError::from)?
        .into_iter()
        .filter(|id| !ids.contains(id))
        .collect();
    let mut decisions = commit.retention.clone();
    let mut moved = Vec::new();
    if !others.is_empty() {
        moved = archive.decisions_with(&ctx.schedule, today, Some(&others), &holds)?;
        decisions.extend(moved.iter().cloned());
    }
    #[cfg(feature = "test-hooks")]
    {
        // Test builds: what was assigned in memory is what the catalog's facts give.
        let stored = archive.decisions(&ctx.schedule, today, Some(&ids))?;
        for (id, d) in &stored {
            let mine = decisions.iter().find(|(i, _)| i == id).map(|(_, d)| d);
            assert_eq!(
                mine,
                Some(d),
                "retention assigned in memory differs for {id}"
            );
        }
    }
    // The new documents' decisions went in with the scan; the others' are stored here.
    archive
        .catalog
        .set_retention(&moved)
        .map_err(crate::archive::ArchiveError::from)?;
    // The new documents are indexed from what is in memory (never read back and decrypted
    // after the commit); the patient's older documents whose retention moved follow from
    // the catalog.
    let records = records_of(&commit, &decisions);
    archive.index_records(&records)?;
    archive.sync_index()?;
    tracing::info!(scan = %scan.sha256, pages = scan.pages.len(), documents = ids.len(), "scan committed");
    summary.scans_ingested += 1;
    summary.pages += scan.pages.len();
    summary.pages_ocr += scan.pages.iter().filter(|p| p.ocr.is_some()).count();
    summary.documents += ids.len();
    summary.doc_ids.extend(ids.iter().cloned());
    Ok(())
}

/// Retention decisions for new documents from their drafts: type, dates and patient as
/// read, the patient's latest date of service (the archive's, or a later one in this
/// scan), the commit's own UTC day as the ingest date (the day the catalog records), and
/// the holds as they stand. `days` is (today, ingest day).
fn assign_retention(
    archive: &Archive,
    schedule: &crate::retention::Schedule,
    documents: &[DocumentDraft],
    holds: &crate::retention::holds::HoldsNow,
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<(String, crate::retention::Decision)>, PipelineError> {
    let (today, ingested_at) = days;
    let day = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    let mut earlier: HashMap<String, Option<chrono::NaiveDate>> = HashMap::new();
    let mut out = Vec::with_capacity(documents.len());
    for d in documents {
        let last = match &d.patient.mrn {
            None => None,
            Some(mrn) => {
                if !earlier.contains_key(mrn) {
                    let before = archive
                        .catalog
                        .last_service(mrn)
                        .map_err(crate::archive::ArchiveError::from)?;
                    earlier.insert(mrn.clone(), before);
                }
                let in_scan = documents
                    .iter()
                    .filter(|o| o.patient.mrn.as_deref() == Some(mrn.as_str()))
                    .filter_map(|o| day(&o.service_date));
                in_scan.chain(earlier[mrn]).max()
            }
        };
        let facts = crate::retention::RetentionFacts {
            doc_type: d.doc_type,
            service_date: day(&d.service_date),
            dob: day(&d.patient.dob),
            has_mrn: d.patient.mrn.is_some(),
            patient_last_service: last,
            ingested_at,
        };
        let tag = d.patient.mrn.as_deref().map(|m| archive.keys.mrn_tag(m));
        let decision =
            crate::retention::assign(schedule, &d.doc_id, tag.as_deref(), &facts, holds, today);
        out.push((d.doc_id.clone(), decision));
    }
    Ok(out)
}

/// The committed documents as the catalog now holds them, built from the commit itself.
fn records_of(
    commit: &ScanCommit,
    decisions: &[(String, crate::retention::Decision)],
) -> Vec<DocumentRecord> {
    commit
        .documents
        .iter()
        .map(|d| DocumentRecord {
            doc_id: d.doc_id.clone(),
            scan_sha256: commit.sha256.clone(),
            source_path: commit.source_path.clone(),
            doc_type: d.doc_type,
            doc_type_confidence: d.doc_type_confidence,
            patient: d.patient.clone(),
            service_date: d.service_date.clone(),
            pages: commit
                .pages
                .iter()
                .filter(|p| p.doc_id.as_deref() == Some(d.doc_id.as_str()))
                .map(|p| PageRecord {
                    page_no: p.page_no,
                    rotation_deg: p.rotation_deg,
                    skew_deg: p.skew_deg,
                    ocr_confidence: p.ocr_confidence.unwrap_or(0.0),
                    text: p.text.clone().unwrap_or_default(),
                    words_blob: p.words_blob.clone(),
                    image_blob: p.image_blob.clone(),
                    text_source: p.text_source,
                })
                .collect(),
            retention: decisions
                .iter()
                .find(|(id, _)| *id == d.doc_id)
                .map(|(_, dec)| dec.clone()),
        })
        .collect()
}
