//! Release of information (one PDF of the chosen documents, recorded as a disclosure) and
//! the accounting of disclosures (HIPAA 164.528); permission `release`.

use super::patients::{audit_subject, check_mrn};
use super::{live_document, page_words, Actor, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::catalog::{DisclosedDocument, Disclosure};
pub use crate::model::api::releases::{ReleaseRequest, Released};
use crate::release::{build_pdf, CoverSheet, ReleasePage};
use crate::store::sha256_hex;

/// The most documents one release holds.
pub const MAX_DOCUMENTS: usize = 200;

fn required(name: &str, v: &str) -> Result<String, ServiceError> {
    crate::model::text::free_text(name, v, crate::model::text::MAX_FIELD_CHARS)
        .map_err(|e| ServiceError::bad_request(e.to_string()))
}

/// Builds the release PDF (cover sheet, page images with an invisible text layer) and
/// records the disclosure (the accounting of disclosures reads it).
pub fn release(
    a: &mut Archive,
    facility: &str,
    actor: &Actor,
    req: &ReleaseRequest,
) -> Result<Released, ServiceError> {
    actor.require(Permission::Release)?;
    let recipient = required("recipient", &req.recipient)?;
    let purpose = required("purpose", &req.purpose)?;
    let mut ids = req.doc_ids.clone();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_DOCUMENTS {
        return Err(ServiceError::bad_request(format!(
            "select 1 to {MAX_DOCUMENTS} documents to release"
        )));
    }
    let mut pages = Vec::new();
    let mut docs = Vec::new();
    for doc_id in &ids {
        let doc = live_document(a, doc_id)?;
        for v in a.catalog.page_views(doc_id)? {
            let Some(image) = &v.image_blob else { continue };
            let words = page_words(a, doc_id, v.page_no, v.words_blob.as_deref())?;
            pages.push(ReleasePage {
                jpeg: a.store.get(image)?,
                width_px: v.width_px,
                height_px: v.height_px,
                dpi: v.dpi,
                words,
            });
        }
        docs.push((
            DisclosedDocument {
                doc_id: doc.doc_id.clone(),
                doc_type: doc.doc_type.as_str().to_string(),
                service_date: doc.service_date.clone(),
            },
            doc.patient.mrn.clone(),
        ));
    }
    let now = chrono::Utc::now();
    let id = format!(
        "ROI-{}-{}",
        now.format("%Y%m%d"),
        &sha256_hex(format!("{}{:?}{}", now.to_rfc3339(), ids, actor.name).as_bytes())[..8]
    );
    let cover = CoverSheet {
        disclosure_id: id.clone(),
        recipient: recipient.clone(),
        purpose: purpose.clone(),
        released_by: actor.name.clone(),
        released_at: now.format("%Y-%m-%d %H:%M UTC").to_string(),
        facility: facility.to_string(),
        documents: docs.len(),
        pages: pages.len(),
    };
    let pdf = build_pdf(&cover, &pages)
        .map_err(|e| ServiceError::internal(format!("cannot build the release PDF: {e}")))?;
    a.catalog.record_disclosure(
        &id,
        &actor.name,
        &recipient,
        &purpose,
        pages.len() as u32,
        &sha256_hex(&pdf),
        &docs,
    )?;
    Ok(Released {
        disclosure_id: id,
        pdf,
    })
}

/// A recorded disclosure.
pub fn disclosure(a: &Archive, actor: &Actor, id: &str) -> Result<Disclosure, ServiceError> {
    actor.require(Permission::Release)?;
    a.catalog
        .disclosure(id)?
        .ok_or_else(|| ServiceError::not_found(format!("no disclosure {id}")))
}

/// Every disclosure of a patient's documents (audited as `accounting`).
pub fn accounting(
    a: &mut Archive,
    actor: &Actor,
    mrn: &str,
) -> Result<(String, Vec<Disclosure>), ServiceError> {
    actor.require(Permission::Release)?;
    let mrn = check_mrn(mrn)?;
    let list = a.catalog.disclosures_for_mrn(&mrn)?;
    a.catalog.audit(
        &actor.name,
        "accounting",
        &audit_subject(a, &mrn),
        serde_json::json!({"disclosures": list.len()}),
    )?;
    Ok((mrn, list))
}
