//! Reading one document: `chartvault show` and `GET /api/v1/documents/{id}` (and its
//! text). Every read of patient data is audited here.

use serde::Serialize;

use super::{live_document, Actor, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::catalog::{PageView, Tombstone};
use crate::model::{DocumentRecord, ReviewFlag};
use crate::retention::{Decision, Schedule};

/// A correction a person made to a field.
#[derive(Debug, Clone, Serialize)]
pub struct Correction {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub user: String,
    pub at: String,
}

/// A live document with everything a reader is shown about it.
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub document: DocumentRecord,
    /// The retention decision as of the date asked (today unless given).
    pub retention: Option<Decision>,
    pub review_flags: Vec<ReviewFlag>,
    pub corrections: Vec<Correction>,
    /// Files of the scan the document came from (1, or a folder batch's pages).
    pub files: usize,
    pub other_documents_in_scan: u64,
    /// Page sizes and blobs, in page order.
    pub pages: Vec<PageView>,
}

/// What `show` finds: the document, or what is kept of a destroyed one.
#[derive(Debug, Clone)]
pub enum Shown {
    Live(Box<DocumentView>),
    Destroyed(Box<Tombstone>),
}

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
