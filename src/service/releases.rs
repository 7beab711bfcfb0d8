//! Release of information (one PDF of the chosen documents, recorded as a disclosure) and
//! the accounting of disclosures (HIPAA 164.528); permission `release`.

use super::patients::{audit_subject, check_mrn};
use super::{live_document, pdf_pages, Actor, Code, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::catalog::{DisclosedDocument, Disclosure, NewDisclosure};
pub use crate::model::api::releases::{ReleaseRequest, Released};
use crate::model::{DocumentRecord, ReleaseBasis};
use crate::release::{build_pdf, CoverSheet};
use crate::store::sha256_hex;
use chrono::NaiveDate;

/// The most documents one release holds.
pub const MAX_DOCUMENTS: usize = 200;

fn required(name: &str, v: &str) -> Result<String, ServiceError> {
    crate::model::text::free_text(name, v, crate::model::text::MAX_FIELD_CHARS)
        .map_err(|e| ServiceError::bad_request(e.to_string()))
}

/// Builds the release PDF (cover sheet, page images with an invisible text layer) and
/// records the disclosure (the accounting of disclosures reads it). Refused: no requester,
/// recipient or purpose; a basis that needs a document (a signed authorization, a court
/// order) without one on file; an authorization without its expiry date or expired; the
/// documents of several patients unless `several_patients` confirms it.
pub fn release(
    a: &mut Archive,
    facility: &str,
    actor: &Actor,
    req: &ReleaseRequest,
) -> Result<Released, ServiceError> {
    actor.require(Permission::Release)?;
    let requester = required("requester", &req.requester)?;
    let recipient = required("recipient", &req.recipient)?;
    let purpose = required("purpose", &req.purpose)?;
    let basis = ReleaseBasis::parse(&req.basis).ok_or_else(|| {
        ServiceError::bad_request(format!(
            "basis must be one of {}",
            ReleaseBasis::ALL.map(|b| b.as_str()).join(", ")
        ))
    })?;
    let expires = match req.authorization_expires.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            ServiceError::bad_request(format!(
                "authorization_expires {d:?} is not a date (YYYY-MM-DD)"
            ))
        })?),
    };
    if basis.needs_document() && !req.authorization_on_file {
        return Err(ServiceError::refused(format!(
            "a release on the basis \"{}\" needs that document on file: file it, then \
             confirm it is on file",
            basis.label()
        )));
    }
    if basis == ReleaseBasis::Authorization {
        match expires {
            None => {
                return Err(ServiceError::bad_request(
                    "give the authorization's expiry date (authorization_expires)",
                ))
            }
            Some(e) if e < crate::clock::today() => {
                return Err(ServiceError::refused(format!(
                    "the authorization expired on {e}: a new one is needed"
                )))
            }
            Some(_) => {}
        }
    }
    let mut ids: Vec<String> = Vec::new();
    for id in &req.doc_ids {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    if ids.is_empty() || ids.len() > MAX_DOCUMENTS {
        return Err(ServiceError::bad_request(format!(
            "select 1 to {MAX_DOCUMENTS} documents to release"
        )));
    }
    let mut records = Vec::new();
    for doc_id in &ids {
        records.push(live_document(a, doc_id)?);
    }
    let patients = patients_of(&records);
    if patients.len() > 1 && !req.several_patients {
        // Names stay out of the message: it may reach a log.
        return Err(ServiceError::refused(format!(
            "these documents belong to {} different patients: release each patient's \
             separately, or confirm that one release holds them all",
            patients.len()
        )));
    }
    let now = crate::clock::now();
    let id = format!(
        "ROI-{}-{}",
        now.format("%Y%m%d"),
        &sha256_hex(format!("{}{:?}{}", now.to_rfc3339(), ids, actor.name).as_bytes())[..8]
    );
    let authorization = authorization_text(basis, req.authorization_on_file, expires);
    let cover_date = now.format("%Y-%m-%d %H:%M UTC").to_string();
    let ctx = CoverContext {
        id: &id,
        requester: &requester,
        recipient: &recipient,
        purpose: &purpose,
        basis,
        authorization: &authorization,
        released_by: &actor.name,
        cover_date: &cover_date,
        facility,
    };
    let (pdf, page_count) = build(a, &ctx, &records)?;
    let docs: Vec<(DisclosedDocument, Option<String>)> = records
        .iter()
        .map(|doc| {
            (
                DisclosedDocument {
                    doc_id: doc.doc_id.clone(),
                    doc_type: doc.doc_type.as_str().to_string(),
                    service_date: doc.service_date.clone(),
                },
                doc.patient.mrn.clone(),
            )
        })
        .collect();
    let expires_text = expires.map(|e| e.to_string());
    a.catalog.record_disclosure(&NewDisclosure {
        id: &id,
        user: &actor.name,
        requester: &requester,
        recipient: &recipient,
        purpose: &purpose,
        basis,
        authorization_on_file: req.authorization_on_file,
        authorization_expires: expires_text.as_deref(),
        cover_date: &cover_date,
        facility,
        pages: page_count,
        pdf_sha256: &sha256_hex(&pdf),
        documents: &docs,
    })?;
    Ok(Released {
        disclosure_id: id,
        pdf,
    })
}

/// A past release's PDF, built again from its recorded cover and documents and checked
/// against the hash recorded when it was released (audited as `release_download`).
/// Refused when a document was destroyed or changed since (a QA fix): the release can no
/// longer be reproduced exactly, and its record stays in the accounting of disclosures.
pub fn reproduce(a: &mut Archive, actor: &Actor, id: &str) -> Result<Released, ServiceError> {
    actor.require(Permission::Release)?;
    let d = disclosure(a, actor, id)?;
    let replay = a.catalog.release_replay(id)?.ok_or_else(|| {
        ServiceError::refused(format!(
            "{id} was released before releases could be built again; its record stays in \
             the accounting of disclosures"
        ))
    })?;
    let mut records = Vec::new();
    for doc_id in &replay.doc_ids {
        match live_document(a, doc_id) {
            Ok(r) => records.push(r),
            Err(e) if matches!(e.code, Code::Gone | Code::NotFound) => {
                return Err(ServiceError::refused(format!(
                    "document {doc_id} of {id} is no longer in the archive (destroyed under \
                     the retention schedule): the release cannot be built again"
                )))
            }
            Err(e) => return Err(e),
        }
    }
    let basis = d.basis.unwrap_or(ReleaseBasis::Authorization);
    let expires = d
        .authorization_expires
        .as_deref()
        .and_then(|e| NaiveDate::parse_from_str(e, "%Y-%m-%d").ok());
    let authorization =
        authorization_text(basis, d.authorization_on_file.unwrap_or(false), expires);
    let ctx = CoverContext {
        id,
        requester: d.requester.as_deref().unwrap_or(""),
        recipient: &d.recipient,
        purpose: &d.purpose,
        basis,
        authorization: &authorization,
        released_by: &d.user,
        cover_date: &replay.cover_date,
        facility: &replay.facility,
    };
    let (pdf, _) = build(a, &ctx, &records)?;
    if sha256_hex(&pdf) != d.pdf_sha256 {
        return Err(ServiceError::refused(format!(
            "the documents of {id} changed since it was released (a correction or a re-read \
             page): the same PDF cannot be built again"
        )));
    }
    a.catalog.audit(
        &actor.name,
        "release_download",
        id,
        serde_json::json!({"pdf_sha256": d.pdf_sha256, "documents": replay.doc_ids}),
    )?;
    Ok(Released {
        disclosure_id: id.to_string(),
        pdf,
    })
}

/// The cover sheet's fields that are not read from the documents.
struct CoverContext<'a> {
    id: &'a str,
    requester: &'a str,
    recipient: &'a str,
    purpose: &'a str,
    basis: ReleaseBasis,
    authorization: &'a str,
    released_by: &'a str,
    cover_date: &'a str,
    facility: &'a str,
}

fn authorization_text(basis: ReleaseBasis, on_file: bool, expires: Option<NaiveDate>) -> String {
    match (basis.needs_document(), on_file, expires) {
        (_, true, Some(e)) => format!("on file, expires {e}"),
        (_, true, None) => "on file".into(),
        (true, false, _) => "not on file".into(),
        (false, false, _) => format!("not required ({})", basis.label()),
    }
}

/// Each patient of the documents once, in release order: name, MRN, date of birth.
fn patients_of(records: &[DocumentRecord]) -> Vec<String> {
    // One patient per MRN (documents may spell the name differently); a document whose
    // MRN was not read stands for a patient of its own unless its line repeats.
    let mut seen: Vec<(String, String)> = Vec::new();
    for r in records {
        let p = &r.patient;
        let line = format!(
            "{}  MRN {}  DOB {}",
            p.name.as_deref().unwrap_or("(name not read)"),
            p.mrn.as_deref().unwrap_or("(not read)"),
            p.dob.as_deref().unwrap_or("(not read)")
        );
        let key = p.mrn.clone().unwrap_or_else(|| line.clone());
        if !seen.iter().any(|(k, _)| *k == key) {
            seen.push((key, line));
        }
    }
    seen.into_iter().map(|(_, line)| line).collect()
}

/// The release PDF of these documents under this cover; with its page count.
fn build(
    a: &Archive,
    c: &CoverContext,
    records: &[DocumentRecord],
) -> Result<(Vec<u8>, u32), ServiceError> {
    let mut pages = Vec::new();
    let mut contents = Vec::new();
    for (i, doc) in records.iter().enumerate() {
        let own = pdf_pages(a, &doc.doc_id)?;
        let n = own.len();
        pages.extend(own);
        contents.push(format!(
            "{}. {}, service {}, {} page{}",
            i + 1,
            doc.doc_type.label(),
            doc.service_date.as_deref().unwrap_or("not read"),
            n,
            if n == 1 { "" } else { "s" }
        ));
    }
    let cover = CoverSheet {
        disclosure_id: c.id.to_string(),
        requester: c.requester.to_string(),
        recipient: c.recipient.to_string(),
        purpose: c.purpose.to_string(),
        basis: c.basis.label().to_string(),
        authorization: c.authorization.to_string(),
        released_by: c.released_by.to_string(),
        released_at: c.cover_date.to_string(),
        facility: c.facility.to_string(),
        patients: patients_of(records),
        contents,
        documents: records.len(),
        pages: pages.len(),
    };
    let pdf = build_pdf(&cover, &pages)
        .map_err(|e| ServiceError::internal(format!("cannot build the release PDF: {e}")))?;
    Ok((pdf, pages.len() as u32))
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
