//! Reading one document: `chartvault show` and `GET /api/v1/documents/{id}` (and its
//! text). Every read of patient data is audited here.

use super::{live_document, Actor, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
pub use crate::model::api::documents::{Correction, DocumentView, Shown};
use crate::model::DocumentRecord;
use crate::retention::Schedule;

/// One document (audited as `view`, a destroyed one too).
pub fn show(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    doc_id: &str,
    as_of: Option<chrono::NaiveDate>,
    via: &str,
) -> Result<Shown, ServiceError> {
    actor.require(Permission::Read)?;
    if let Some(t) = archive.catalog.tombstone(doc_id)? {
        archive.catalog.audit(
            &actor.name,
            "view",
            &t.doc_id,
            serde_json::json!({"destroyed": true, "via": via}),
        )?;
        return Ok(Shown::Destroyed(Box::new(t)));
    }
    let document = live_document(archive, doc_id)?;
    let as_of = as_of.unwrap_or_else(crate::clock::today);
    let retention = archive
        .decisions(
            schedule,
            as_of,
            Some(std::slice::from_ref(&document.doc_id)),
        )?
        .pop()
        .map(|(_, d)| d);
    let corrections = archive
        .catalog
        .corrections(&document.doc_id)?
        .into_iter()
        .map(|(field, old, new, user, at)| Correction {
            field,
            old,
            new,
            user,
            at,
        })
        .collect();
    let view = DocumentView {
        retention,
        review_flags: archive
            .catalog
            .review_flags(&document.doc_id)?
            .unwrap_or_default(),
        corrections,
        files: archive.catalog.scan_file_rows(&document.scan_sha256)?.len(),
        other_documents_in_scan: archive
            .catalog
            .documents_in_scan(&document.scan_sha256)?
            .saturating_sub(1),
        pages: archive.catalog.page_views(&document.doc_id)?,
        scan_documents: archive
            .catalog
            .scan_layout(&document.doc_id)?
            .map(|l| l.documents)
            .unwrap_or_default(),
        document,
    };
    archive.catalog.audit(
        &actor.name,
        "view",
        &view.document.doc_id,
        serde_json::json!({"via": via}),
    )?;
    Ok(Shown::Live(Box::new(view)))
}

/// A live document's text, page by page (audited as `view_text`).
pub fn text(
    archive: &mut Archive,
    actor: &Actor,
    doc_id: &str,
    via: &str,
) -> Result<DocumentRecord, ServiceError> {
    actor.require(Permission::Read)?;
    let doc = live_document(archive, doc_id)?;
    archive.catalog.audit(
        &actor.name,
        "view_text",
        &doc.doc_id,
        serde_json::json!({"via": via}),
    )?;
    Ok(doc)
}

/// One document's pages as a searchable PDF (page images with the OCR text layer), and
/// only this document's: the original scan file may hold other patients' documents
/// (audited as `download_pdf`).
pub fn pdf(
    archive: &mut Archive,
    actor: &Actor,
    doc_id: &str,
    via: &str,
) -> Result<(String, Vec<u8>), ServiceError> {
    actor.require(Permission::Read)?;
    let doc = live_document(archive, doc_id)?;
    let pages = super::pdf_pages(archive, doc_id)?;
    let title = format!(
        "{} {}",
        doc.doc_type.label(),
        doc.service_date.as_deref().unwrap_or("")
    );
    let bytes = crate::release::pages_pdf(title.trim(), &pages)
        .map_err(|e| ServiceError::internal(format!("cannot build the PDF of {doc_id}: {e}")))?;
    archive.catalog.audit(
        &actor.name,
        "download_pdf",
        doc_id,
        serde_json::json!({"pages": pages.len(), "sha256": crate::store::sha256_hex(&bytes), "via": via}),
    )?;
    Ok((doc.doc_id, bytes))
}
