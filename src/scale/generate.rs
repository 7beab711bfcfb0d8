//! Synthetic archives for scale work: scans of several documents with OCR-like text and
//! realistic metadata, recorded through the real catalog (sealed under real keys) and the
//! real index, without images or OCR. Deterministic for a seed.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::text::{Rng, TextSource};
use crate::archive::{Archive, ArchiveError};
use crate::catalog::{PageCommit, ScanCommit};
use crate::model::{DocType, DocumentDraft, DocumentRecord, PageKind, PageRecord, Patient};

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub documents: usize,
    pub seed: u64,
    /// Scans recorded per catalog transaction and per index commit.
    pub batch_scans: usize,
    /// Characters of text per page.
    pub page_chars: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GenerateReport {
    pub documents: usize,
    pub scans: usize,
    pub pages: usize,
    pub patients: usize,
    pub text_bytes: u64,
    /// Time spent recording scans in the catalog (keys, sealing, SQLite).
    pub catalog_secs: f64,
    /// Time spent adding documents to the index and committing, including the final merge
    /// of the segments written (see `ArchiveIndex::finish_bulk_load`).
    pub index_secs: f64,
    /// Of `index_secs`: handing documents to the writer (building them, queueing them for
    /// its threads), the commits (waiting for the threads, writing segments), the final merge.
    pub index_add_secs: f64,
    pub index_commit_secs: f64,
    pub index_merge_secs: f64,
    /// Segments the load wrote before the final merge.
    pub index_segments_written: usize,
    pub index_docs_per_sec: f64,
    pub catalog_docs_per_sec: f64,
}

const FIRST: &[&str] = &[
    "ALICE", "BRIAN", "CARMEN", "DAVID", "ELENA", "FRANK", "GRACE", "HENRY", "IRENE", "JAMES",
    "KAREN", "LUIS", "MARIA", "NATHAN", "OLIVIA", "PETER", "QUINN", "ROSA", "SAMUEL", "TERESA",
];
const LAST: &[&str] = &[
    "ANDERSON",
    "BAKER",
    "CHEN",
    "DIAZ",
    "EVANS",
    "FISCHER",
    "GARCIA",
    "HUGHES",
    "IBRAHIM",
    "JOHNSON",
    "KOWALSKI",
    "LOPEZ",
    "MURPHY",
    "NGUYEN",
    "OKAFOR",
    "PATEL",
    "QUINTERO",
    "ROSSI",
    "SMITH",
    "TANAKA",
    "URIBE",
    "VOSS",
    "WALKER",
    "XU",
    "YOUNG",
    "ZIMMERMAN",
];

/// The MRN of synthetic patient `i` (8 digits).
pub fn mrn_of(i: usize) -> String {
    format!("{:08}", 10_000_000 + i)
}

/// Patients in an archive of `documents` documents (about eight documents each).
pub fn patients_for(documents: usize) -> usize {
    (documents / 8).max(1)
}

fn date(rng: &mut Rng, from_year: i32, to_year: i32) -> String {
    let y = from_year + rng.below((to_year - from_year + 1) as usize) as i32;
    format!("{y:04}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28))
}

struct Generated {
    scan: ScanCommit,
    records: Vec<DocumentRecord>,
}

fn synth_scan(
    rng: &mut Rng,
    text: &TextSource,
    types: &[DocType],
    opts: &GenerateOptions,
    scan_no: usize,
    docs: usize,
) -> Generated {
    use sha2::{Digest, Sha256};
    let sha = hex::encode(Sha256::digest(
        format!("chartvault-synthetic:{}:{scan_no}", opts.seed).as_bytes(),
    ));
    let source_path = format!("synthetic/box-{:04}/scan-{scan_no:07}.tif", scan_no / 1000);
    let patient_no = rng.below(patients_for(opts.documents));
    // A patient is the same person whatever the seed.
    let mut prng = Rng::new(patient_no as u64);
    let patient = Patient {
        mrn: Some(mrn_of(patient_no)),
        name: Some(format!("{}, {}", prng.pick(LAST), prng.pick(FIRST))),
        dob: Some(date(&mut prng, 1930, 2020)),
    };
    let mut pages = Vec::new();
    let mut documents = Vec::new();
    let mut records = Vec::new();
    for _ in 0..docs {
        let doc_type = *rng.pick(types);
        let first = pages.len() as u32 + 1;
        let n_pages = 1 + rng.below(3) as u32;
        let doc_id = crate::split::doc_id(&sha, first);
        let service_date = Some(date(rng, 1995, 2026));
        let mut page_records = Vec::new();
        for page_no in first..first + n_pages {
            let body = text.page(rng, doc_type, opts.page_chars);
            let page_text = format!(
                "MRN: {}  Patient: {}\nDOB: {}  Date of service: {}\n{body}",
                patient.mrn.as_deref().unwrap_or(""),
                patient.name.as_deref().unwrap_or(""),
                patient.dob.as_deref().unwrap_or(""),
                service_date.as_deref().unwrap_or("")
            );
            let confidence = 80.0 + rng.below(150) as f32 / 10.0;
            pages.push(PageCommit {
                page_no,
                kind: PageKind::Content,
                doc_id: Some(doc_id.clone()),
                dpi: 300,
                width_px: 2550,
                height_px: 3300,
                rotation_deg: 0,
                skew_deg: 0.0,
                barcode: None,
                ocr_confidence: Some(confidence),
                text: Some(page_text.clone()),
                text_source: Default::default(),
                words_blob: None,
                image_blob: None,
                doubts: Vec::new(),
            });
            page_records.push(PageRecord {
                page_no,
                rotation_deg: 0,
                skew_deg: 0.0,
                ocr_confidence: confidence,
                text: page_text,
                words_blob: None,
                image_blob: None,
                text_source: Default::default(),
            });
        }
        documents.push(DocumentDraft {
            doc_id: doc_id.clone(),
            pages: (first..first + n_pages).collect(),
            doc_type,
            doc_type_confidence: 0.9,
            patient: patient.clone(),
            service_date: service_date.clone(),
            boundary_confidence: 1.0,
            review: vec![],
            provenance: vec![],
        });
        records.push(DocumentRecord {
            doc_id,
            scan_sha256: sha.clone(),
            source_path: source_path.clone(),
            doc_type,
            doc_type_confidence: 0.9,
            patient: patient.clone(),
            service_date,
            pages: page_records,
            retention: None,
        });
    }
    Generated {
        scan: ScanCommit {
            sha256: sha,
            source_path,
            files: vec![],
            pages,
            documents,
            committed_at: crate::clock::now_rfc3339(),
            retention: Vec::new(),
        },
        records,
    }
}

/// The documents `generate` would write for `opts` (same seed, same texts), in memory,
/// without a catalog or index: for benchmarks of one stage.
pub fn synthetic_records(text: &TextSource, opts: &GenerateOptions) -> Vec<DocumentRecord> {
    let types = text.types();
    let mut rng = Rng::new(opts.seed);
    let mut out = Vec::with_capacity(opts.documents);
    let mut scan_no = 0;
    while out.len() < opts.documents {
        let docs = (1 + rng.below(8)).min(opts.documents - out.len());
        out.extend(synth_scan(&mut rng, text, &types, opts, scan_no, docs).records);
        scan_no += 1;
    }
    out
}

/// Adds `opts.documents` synthetic documents to the archive (1 to 8 per scan, 1 to 3 pages
/// each). `progress` gets the number of documents written so far.
pub fn generate(
    archive: &mut Archive,
    text: &TextSource,
    opts: &GenerateOptions,
    mut progress: impl FnMut(usize),
) -> Result<GenerateReport, ArchiveError> {
    let types = text.types();
    let mut rng = Rng::new(opts.seed);
    let mut report = GenerateReport {
        patients: patients_for(opts.documents),
        ..GenerateReport::default()
    };
    let (mut catalog_time, mut index_time) = (Duration::ZERO, Duration::ZERO);
    let bulk = archive.index.begin_bulk_load()?;
    let mut scan_no = 0;
    while report.documents < opts.documents {
        let mut batch = Vec::with_capacity(opts.batch_scans);
        while batch.len() < opts.batch_scans.max(1) && report.documents < opts.documents {
            let docs = (1 + rng.below(8)).min(opts.documents - report.documents);
            let g = synth_scan(&mut rng, text, &types, opts, scan_no, docs);
            scan_no += 1;
            report.documents += g.records.len();
            report.pages += g.scan.pages.len();
            report.text_bytes += g
                .scan
                .pages
                .iter()
                .map(|p| p.text.as_ref().map_or(0, |t| t.len() as u64))
                .sum::<u64>();
            batch.push(g);
        }
        let t = Instant::now();
        let mut key_ids = Vec::new();
        for g in &batch {
            key_ids.push(crate::keys::scan_key_id(&g.scan.sha256));
            key_ids.extend(g.records.iter().map(|r| crate::keys::doc_key_id(&r.doc_id)));
        }
        archive.keys.ensure(&key_ids)?;
        let scans: Vec<ScanCommit> = batch.iter().map(|g| g.scan.clone()).collect();
        archive.catalog.commit_scans(&scans)?;
        catalog_time += t.elapsed();
        let t = Instant::now();
        let mut ids = Vec::new();
        for g in &batch {
            for r in &g.records {
                // New scans (the catalog refuses a scan it has): nothing to replace.
                archive.index.add_new(r)?;
                ids.push(r.doc_id.clone());
            }
        }
        report.index_add_secs += t.elapsed().as_secs_f64();
        let tc = Instant::now();
        archive.index.commit()?;
        report.index_commit_secs += tc.elapsed().as_secs_f64();
        index_time += t.elapsed();
        archive.catalog.mark_indexed(&ids, true)?;
        report.scans += batch.len();
        progress(report.documents);
    }
    let t = Instant::now();
    report.index_segments_written = archive.index.finish_bulk_load(bulk)?;
    report.index_merge_secs = t.elapsed().as_secs_f64();
    index_time += t.elapsed();
    report.catalog_secs = catalog_time.as_secs_f64();
    report.index_secs = index_time.as_secs_f64();
    report.index_docs_per_sec = report.documents as f64 / report.index_secs.max(1e-9);
    report.catalog_docs_per_sec = report.documents as f64 / report.catalog_secs.max(1e-9);
    Ok(report)
}
