//! A document's pages, their images and the original scan file: the viewer's reads.
//! Every read of a page's words, image or original is audited here (a thumbnail is not:
//! it shows no more than the list it sits in).

use super::{live_document, page_words, Actor, ServiceError};
use crate::access::Permission;
use crate::archive::{Archive, TurnedReading};
use crate::catalog::PageView;
pub use crate::model::api::pages::{Original, PageShown, TurnPage, TurnedPage};

fn page_view(a: &Archive, id: &str, page: u32) -> Result<PageView, ServiceError> {
    live_document(a, id)?;
    a.catalog
        .page_views(id)?
        .into_iter()
        .find(|p| p.page_no == page)
        .ok_or_else(|| ServiceError::not_found(format!("document {id} has no page {page}")))
}

/// Query terms as the index analyzes them (field filters and operators left out).
fn hit_terms(a: &Archive, q: &str) -> std::collections::HashSet<String> {
    let words: Vec<&str> = q
        .split_whitespace()
        .filter(|w| !w.contains(':') && !w.starts_with('-'))
        .filter(|w| !matches!(*w, "OR" | "AND" | "NOT"))
        .collect();
    a.index.analyze(&words.join(" ")).into_iter().collect()
}

/// One page with the words that match `q` (audited as `view_page`).
pub fn page(
    a: &mut Archive,
    actor: &Actor,
    id: &str,
    page: u32,
    q: &str,
    via: &str,
) -> Result<PageShown, ServiceError> {
    actor.require(Permission::Read)?;
    let v = page_view(a, id, page)?;
    let words = page_words(a, id, page, v.words_blob.as_deref())?;
    let terms = hit_terms(a, q);
    let hits: Vec<usize> = if terms.is_empty() {
        vec![]
    } else {
        words
            .iter()
            .enumerate()
            .filter(|(_, w)| a.index.analyze(&w.text).iter().any(|t| terms.contains(t)))
            .map(|(i, _)| i)
            .collect()
    };
    a.catalog.audit(
        &actor.name,
        "view_page",
        id,
        serde_json::json!({"page": page, "via": via}),
    )?;
    Ok(PageShown {
        doc_id: id.to_string(),
        page_no: v.page_no,
        width_px: v.width_px,
        height_px: v.height_px,
        dpi: v.dpi,
        ocr_confidence: v.ocr_confidence,
        text: v.text,
        words,
        hits,
    })
}

fn page_jpeg(a: &Archive, id: &str, page: u32) -> Result<Vec<u8>, ServiceError> {
    let v = page_view(a, id, page)?;
    let blob = v
        .image_blob
        .ok_or_else(|| ServiceError::not_found(format!("page {page} of {id} has no image")))?;
    Ok(a.store.get(&blob)?)
}

/// The page image (JPEG; audited as `view_image`).
pub fn image(
    a: &mut Archive,
    actor: &Actor,
    id: &str,
    page: u32,
    via: &str,
) -> Result<Vec<u8>, ServiceError> {
    actor.require(Permission::Read)?;
    let bytes = page_jpeg(a, id, page)?;
    a.catalog.audit(
        &actor.name,
        "view_image",
        id,
        serde_json::json!({"page": page, "via": via}),
    )?;
    Ok(bytes)
}

/// The page image to make a thumbnail of (not audited).
pub fn thumbnail_source(
    a: &Archive,
    actor: &Actor,
    id: &str,
    page: u32,
) -> Result<Vec<u8>, ServiceError> {
    actor.require(Permission::Read)?;
    page_jpeg(a, id, page)
}

/// File `n` (1-based) of the document's scan (audited as `download` with its SHA-256).
pub fn original(
    a: &mut Archive,
    actor: &Actor,
    id: &str,
    n: u32,
    via: &str,
) -> Result<Original, ServiceError> {
    actor.require(Permission::Read)?;
    let doc = live_document(a, id)?;
    let files = a.catalog.scan_files(&doc.scan_sha256)?;
    let (name, blob) = files
        .get((n as usize).wrapping_sub(1))
        .cloned()
        .ok_or_else(|| {
            ServiceError::not_found(format!(
                "the scan of {id} has {} files, not {n}",
                files.len()
            ))
        })?;
    if !a.store.contains(&blob) {
        return Err(ServiceError::not_found(format!(
            "the original file of {id} is no longer kept (redacted or destroyed)"
        )));
    }
    let bytes = a.store.get(&blob)?;
    a.catalog.audit(
        &actor.name,
        "download",
        &doc.doc_id,
        serde_json::json!({"file": n, "sha256": crate::store::sha256_hex(&bytes), "via": via}),
    )?;
    Ok(Original {
        doc_id: doc.doc_id,
        name,
        bytes,
    })
}

/// Reads a page a person sees the wrong way round again from the original scan, turned
/// (a reader's work: nothing is written, the writer stays free for the OCR run). Refused
/// for a document on legal hold, released, or in an unfinished purge job.
pub fn read_turn(
    a: &Archive,
    config: &crate::config::PipelineConfig,
    schedule: &crate::retention::Schedule,
    actor: &Actor,
    id: &str,
    page: u32,
    turn: &TurnPage,
) -> Result<TurnedReading, ServiceError> {
    actor.require(Permission::Ingest)?;
    if ![90, 180, 270].contains(&turn.turn) {
        return Err(ServiceError::bad_request(format!(
            "turn is 90, 180 or 270 (degrees clockwise), not {}",
            turn.turn
        )));
    }
    page_view(a, id, page)?;
    Ok(a.read_turned_page(config, schedule, id, page, turn.turn)?)
}

/// Stores a page read again by [`read_turn`]: the new reading replaces the old one and the
/// document is re-indexed (audited as `rotate_page` with both readings' confidences). The
/// document's fields stay as they are: the QA form beside the page corrects them.
pub fn store_turn(
    a: &mut Archive,
    schedule: &crate::retention::Schedule,
    actor: &Actor,
    reading: &TurnedReading,
) -> Result<TurnedPage, ServiceError> {
    actor.require(Permission::Ingest)?;
    let t = a.store_turned_page(schedule, reading, &actor.name)?;
    Ok(TurnedPage {
        doc_id: reading.doc_id().to_string(),
        page_no: t.page_no,
        rotation_deg: t.rotation_deg,
        confidence_before: t.confidence_before,
        confidence_after: t.confidence_after,
        words: t.words,
    })
}
