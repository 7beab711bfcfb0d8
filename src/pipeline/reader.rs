//! Reader stage: reads each scan's bytes, hashes them, skips duplicates, and decodes pages
//! one at a time into the bounded job queue.

use std::path::Path;

use crossbeam_channel::Sender;
use sha2::{Digest, Sha256};

use super::{Event, PageJob};
use crate::catalog::Catalog;
use crate::config::PipelineConfig;
use crate::imaging::decode::{DecodeLimits, ScanDecoder};
use crate::ingest::describe_io;
use crate::model::{ScanInput, ScanInputKind, ScanStatus};

pub(crate) fn run(
    inputs: Vec<ScanInput>,
    (catalog_path, keys): (&Path, std::sync::Arc<crate::keys::KeyStore>),
    config: &PipelineConfig,
    jobs: Sender<PageJob>,
    events: Sender<Event>,
) {
    let catalog = match Catalog::open(catalog_path, keys) {
        Ok(c) => c,
        Err(e) => {
            let _ = events.send(Event::Fatal(e.to_string()));
            return;
        }
    };
    let limits = DecodeLimits {
        max_page_pixels: config.limits.max_page_pixels,
        max_pages: config.limits.max_pages_per_scan,
    };
    let mut seen_this_run = std::collections::HashSet::new();
    for (scan_idx, input) in inputs.into_iter().enumerate() {
        let fail =
            |input: ScanInput, sha256: Option<String>, reason: String, original| Event::Failed {
                scan_idx,
                input,
                sha256,
                reason,
                original,
            };
        let files = match read_input(&input, config.limits.max_file_bytes) {
            Ok(f) => f,
            Err(reason) => {
                if events.send(fail(input, None, reason.0, None)).is_err() {
                    return;
                }
                continue;
            }
        };
        let sha256 = scan_hash(&input, &files);
        let known = match catalog.scan_status(&sha256) {
            Ok(k) => k,
            Err(e) => {
                let _ = events.send(Event::Fatal(e.to_string()));
                return;
            }
        };
        if known == Some(ScanStatus::Ingested) || !seen_this_run.insert(sha256.clone()) {
            if events.send(Event::Duplicate).is_err() {
                return;
            }
            continue;
        }
        let opened = match &input.kind {
            ScanInputKind::File(_) => ScanDecoder::open(
                files.first().map(|f| f.1.clone()).unwrap_or_default(),
                limits,
            ),
            _ => ScanDecoder::open_images(files.iter().map(|f| f.1.clone()).collect(), limits),
        };
        let mut decoder = match opened {
            Ok(d) => d,
            Err(e) => {
                let original = original_for_quarantine(files);
                if events
                    .send(fail(input, Some(sha256), e.to_string(), original))
                    .is_err()
                {
                    return;
                }
                continue;
            }
        };
        let num_pages = decoder.num_pages();
        // The committer now holds the scan's bytes (it stores them, or quarantines them if
        // a later page fails), so they are moved, not copied.
        let start = Event::Start {
            scan_idx,
            input: input.clone(),
            sha256: sha256.clone(),
            files,
            num_pages,
        };
        if events.send(start).is_err() {
            return;
        }
        for page_no in 1..=num_pages as u32 {
            match decoder.decode_page(page_no, limits) {
                Ok(mut page) => {
                    // `eval --turn`: every page as if scanned turned (0 in every other run).
                    page.image = match config.turn_pages_deg {
                        90 => image::imageops::rotate90(&page.image),
                        180 => image::imageops::rotate180(&page.image),
                        270 => image::imageops::rotate270(&page.image),
                        _ => page.image,
                    };
                    if config.turn_pages_deg != 0 {
                        page.text_layer = None;
                    }
                    if jobs.send(PageJob { scan_idx, page }).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = events.send(fail(input, Some(sha256), e.to_string(), None));
                    break;
                }
            }
        }
    }
}

/// Reads the file(s) of a scan: (file name, bytes).
fn read_input(
    input: &ScanInput,
    max_bytes: u64,
) -> Result<Vec<(String, Vec<u8>)>, super::Unreadable> {
    let paths = match &input.kind {
        ScanInputKind::File(p) => vec![p.clone()],
        ScanInputKind::FolderBatch(files) => files.clone(),
        ScanInputKind::Unreadable { reason, .. } => return Err(super::Unreadable(reason.clone())),
    };
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Opened without following a link, and checked as opened: a file swapped for a link
        // (or a FIFO, a device) after discovery is refused, never read.
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&p)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    format!(
                        "{name}: symbolic link: not followed (name the file itself to ingest it)"
                    )
                } else {
                    format!("{name}: {}", describe_io(&e))
                }
            })?;
        let meta = f
            .metadata()
            .map_err(|e| format!("{name}: {}", describe_io(&e)))?;
        if !meta.is_file() {
            return Err(super::Unreadable::from(format!(
                "{name}: {}",
                crate::ingest::not_regular(&meta.file_type())
            )));
        }
        if meta.len() > max_bytes {
            return Err(super::Unreadable::from(format!(
                "{name}: {} bytes is over the limit of {max_bytes} bytes",
                meta.len()
            )));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        f.by_ref()
            .take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name}: {}", describe_io(&e)))?;
        if bytes.len() as u64 > max_bytes {
            return Err(super::Unreadable::from(format!(
                "{name}: over the limit of {max_bytes} bytes"
            )));
        }
        out.push((name, bytes));
    }
    Ok(out)
}

/// The scan's identity: SHA-256 of the file; for a folder batch, SHA-256 over each page
/// file's name and SHA-256, in page order.
fn scan_hash(input: &ScanInput, files: &[(String, Vec<u8>)]) -> String {
    match &input.kind {
        ScanInputKind::File(_) => crate::store::sha256_hex(&files[0].1),
        _ => {
            let mut h = Sha256::new();
            for (name, bytes) in files {
                h.update(name.as_bytes());
                h.update([0u8]);
                h.update(Sha256::digest(bytes));
            }
            hex::encode(h.finalize())
        }
    }
}

/// The original bytes kept beside a quarantine record (single files only).
fn original_for_quarantine(mut files: Vec<(String, Vec<u8>)>) -> Option<Vec<u8>> {
    (files.len() == 1).then(|| files.swap_remove(0).1)
}
