//! Scan originals after a purge: a scan file holds the pages of every document in it. When
//! none of its documents is left, the original is deleted; otherwise the pages of destroyed
//! documents are cut out: a folder batch loses those page files, a PDF is rewritten without
//! those pages (the other pages' images kept as embedded, byte for byte), a TIFF is
//! re-encoded losslessly (Deflate) from the remaining decoded pages. Which original pages
//! are gone is recorded, so a resumed run never cuts twice.

use std::io::Cursor;

use super::PurgeError;
use crate::archive::Archive;
use crate::imaging::decode::{sniff, DecodeLimits, Format, ScanDecoder};

pub fn originals(
    archive: &mut Archive,
    scan: &str,
    job: &str,
    user: &str,
) -> Result<(), PurgeError> {
    let files = archive.catalog.scan_file_rows(scan)?;
    let live = archive.catalog.live_documents_of_scan(scan)?;
    if live.is_empty() {
        // Separator sheets carry the MRN; blank backs can show bleed-through.
        for b in archive.catalog.scrub_scan_pages(scan)? {
            archive.store.remove(&b)?;
        }
        archive
            .keys
            .destroy(&[crate::keys::scan_key_id(scan)], None)
            .map_err(|e| PurgeError::Refused(format!("cannot destroy keys: {e}")))?;
    }
    if files.is_empty() {
        return Ok(());
    }
    if live.is_empty() {
        for (seq, _, blob) in files {
            archive
                .catalog
                .replace_scan_file(scan, seq, None, user, job)?;
            if !archive.catalog.blob_in_use(&blob)? {
                archive.store.remove(&blob)?;
            }
        }
        return Ok(());
    }
    let destroyed = archive.catalog.destroyed_pages_of_scan(scan)?;
    let removed = archive.catalog.removed_pages(scan)?;
    let todo: Vec<u32> = destroyed
        .into_iter()
        .filter(|p| !removed.contains(p))
        .collect();
    if todo.is_empty() {
        return Ok(());
    }
    let is_batch = files.len() > 1 || files[0].0 > 0;
    if is_batch {
        // One file per page, in page order: file seq = page - 1.
        for page in todo {
            if let Some((seq, _, blob)) = files.iter().find(|(s, _, _)| *s + 1 == page) {
                archive
                    .catalog
                    .replace_scan_file(scan, *seq, None, user, job)?;
                if !archive.catalog.blob_in_use(blob)? {
                    archive.store.remove(blob)?;
                }
            }
        }
        return Ok(());
    }
    let (_, _, blob) = &files[0];
    let bytes = archive.store.get(blob)?;
    // Positions in the current file: earlier cuts shifted later pages down.
    let positions: Vec<u32> = todo
        .iter()
        .map(|p| p - removed.iter().filter(|r| *r < p).count() as u32)
        .collect();
    let rewritten = match sniff(&bytes).map_err(|e| PurgeError::Refused(e.to_string()))? {
        Format::Pdf => without_pdf_pages(&bytes, &positions)?,
        Format::Tiff => without_tiff_pages(&bytes, &positions)?,
        _ => {
            return Err(PurgeError::Refused(format!(
                "scan {scan}: a single-image original cannot hold other documents"
            )))
        }
    };
    // The rewritten original gets a key of its own; removing the old one destroys the old
    // key, so backups of the old original cannot be read either.
    let key = archive
        .keys
        .new_blob_key()
        .map_err(|e| PurgeError::Refused(e.to_string()))?;
    let new_blob = archive.store.put(&rewritten, &key)?;
    let old = archive
        .catalog
        .redact_scan_file(scan, &new_blob, &todo, user, job)?;
    if let Some(old) = old {
        if !archive.catalog.blob_in_use(&old)? {
            archive.store.remove(&old)?;
        }
    }
    Ok(())
}

/// Whether no original of the scan still holds pages of destroyed documents.
pub fn original_is_clean(archive: &Archive, scan: &str) -> Result<bool, PurgeError> {
    let files = archive.catalog.scan_file_rows(scan)?;
    if files.is_empty() {
        return Ok(true);
    }
    let destroyed = archive.catalog.destroyed_pages_of_scan(scan)?;
    let removed = archive.catalog.removed_pages(scan)?;
    let is_batch = files.len() > 1 || files[0].0 > 0;
    Ok(destroyed
        .iter()
        .all(|p| removed.contains(p) || (is_batch && !files.iter().any(|(s, _, _)| s + 1 == *p))))
}

fn without_pdf_pages(bytes: &[u8], pages: &[u32]) -> Result<Vec<u8>, PurgeError> {
    let err = |e: lopdf::Error| PurgeError::Refused(format!("cannot rewrite PDF original: {e}"));
    let mut doc = lopdf::Document::load_mem(bytes).map_err(err)?;
    doc.delete_pages(pages);
    doc.prune_objects();
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| PurgeError::Refused(format!("cannot write PDF: {e}")))?;
    Ok(out)
}

fn without_tiff_pages(bytes: &[u8], pages: &[u32]) -> Result<Vec<u8>, PurgeError> {
    let limits = DecodeLimits {
        max_page_pixels: u64::MAX,
        max_pages: u32::MAX,
    };
    let mut dec = ScanDecoder::open(bytes.to_vec(), limits)
        .map_err(|e| PurgeError::Refused(format!("cannot read TIFF original: {e}")))?;
    let mut out = Cursor::new(Vec::new());
    let werr = |e: tiff::TiffError| PurgeError::Refused(format!("cannot write TIFF: {e}"));
    let mut enc = tiff::encoder::TiffEncoder::new(&mut out)
        .map_err(werr)?
        .with_compression(tiff::encoder::Compression::Deflate(
            tiff::encoder::DeflateLevel::Balanced,
        ));
    for n in 1..=dec.num_pages() as u32 {
        if pages.contains(&n) {
            continue;
        }
        let page = dec
            .decode_page(n, limits)
            .map_err(|e| PurgeError::Refused(format!("cannot read TIFF page {n}: {e}")))?;
        let (w, h) = page.image.dimensions();
        let mut img = enc
            .new_image::<tiff::encoder::colortype::Gray8>(w, h)
            .map_err(werr)?;
        img.resolution(
            tiff::tags::ResolutionUnit::Inch,
            tiff::encoder::Rational { n: page.dpi, d: 1 },
        );
        img.write_data(page.image.as_raw()).map_err(werr)?;
    }
    Ok(out.into_inner())
}
