//! The QA queue and the fixes a clerk makes: type, patient fields, "checked", split and
//! merge. `chartvault review` / `reclassify` and `/api/v1/review`, `PATCH
//! /api/v1/documents/{id}`, `.../split`, `.../merge-previous` all call these.

use super::{live_document, Actor, ServiceError};
use crate::access::Permission;
use crate::archive::{Archive, Regroup};
use crate::config::PipelineConfig;
pub use crate::model::api::review::{
    DocumentFix, FixOutcome, PatientFix, RegroupOutcome, RegroupedDocument,
};
use crate::model::{DocType, ReviewItem};
use crate::retention::Schedule;

/// Longest MRN or name accepted from a person.
pub const MAX_PATIENT_FIELD: usize = 200;

/// The most QA queue items one answer lists (with their patients).
pub const MAX_QUEUE: usize = 500;

/// The documents waiting for a person, oldest first, at most [`MAX_QUEUE`], with the total
/// waiting. The answer names patients: it is audited (`view_review_queue`, the ids listed).
pub fn queue(
    archive: &mut Archive,
    actor: &Actor,
    via: &str,
) -> Result<(usize, Vec<ReviewItem>), ServiceError> {
    actor.require(Permission::Ingest)?;
    let mut items = archive.catalog.review_queue()?;
    let total = items.len();
    items.truncate(MAX_QUEUE);
    let ids: Vec<&str> = items.iter().map(|i| i.doc_id.as_str()).collect();
    archive.catalog.audit(
        &actor.name,
        "view_review_queue",
        "review_queue",
        serde_json::json!({"total": total, "documents": ids, "via": via}),
    )?;
    Ok((total, items))
}

/// A type a person may set: any but `unclassified` (what the archive says when it cannot
/// tell; a person who cannot tell leaves the document in the queue).
pub fn settable_type(t: &str) -> Result<DocType, ServiceError> {
    DocType::parse(t.trim())
        .filter(|t| *t != DocType::Unclassified)
        .ok_or_else(|| {
            let known: Vec<&str> = DocType::ALL
                .iter()
                .filter(|t| **t != DocType::Unclassified)
                .map(|t| t.as_str())
                .collect();
            ServiceError::bad_request(format!(
                "unknown document type {t:?}; use one of: {}",
                known.join(", ")
            ))
        })
}

/// Applies a QA fix (each change audited), then recomputes the document's retention (its
/// type decides its class) and brings the index up to date.
pub fn fix(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    doc_id: &str,
    fix: &DocumentFix,
) -> Result<FixOutcome, ServiceError> {
    actor.require(Permission::Ingest)?;
    let doc_type = fix.doc_type.as_deref().map(settable_type).transpose()?;
    if let Some(p) = &fix.patient {
        if let Some(d) = p.dob.as_deref().filter(|d| !d.is_empty()) {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                ServiceError::bad_request(format!("date of birth {d:?} is not YYYY-MM-DD"))
            })?;
        }
        for v in [&p.mrn, &p.name].into_iter().flatten() {
            if v.chars().count() > MAX_PATIENT_FIELD {
                return Err(ServiceError::bad_request(format!(
                    "a patient field is longer than {MAX_PATIENT_FIELD} characters"
                )));
            }
            if v.chars().any(char::is_control) {
                return Err(ServiceError::bad_request(
                    "a patient field contains control characters",
                ));
            }
        }
    }
    live_document(archive, doc_id)?;
    // Only a new type or patient changes what the index holds; "checked" alone does not,
    // and must work beside a running `serve` (which holds the index writer).
    if doc_type.is_some() || fix.patient.is_some() {
        archive.index.begin_writing()?;
    }
    let mut changed = Vec::new();
    let mut previous_doc_type = None;
    if let Some(t) = doc_type {
        previous_doc_type = archive.catalog.set_doc_type(doc_id, t, &actor.name)?;
        changed.push("doc_type");
    }
    if let Some(p) = &fix.patient {
        let fields = [
            ("mrn", p.mrn.as_deref()),
            ("name", p.name.as_deref()),
            ("dob", p.dob.as_deref()),
        ];
        archive.catalog.set_patient(doc_id, &fields, &actor.name)?;
        changed.push("patient");
    }
    if fix.confirm {
        archive.catalog.confirm_review(doc_id, &actor.name)?;
        changed.push("review");
    }
    let today = crate::clock::today();
    let ids = [doc_id.to_string()];
    archive.recompute_retention(schedule, today, Some(&ids))?;
    archive.sync_index()?;
    Ok(FixOutcome {
        doc_id: doc_id.to_string(),
        changed,
        previous_doc_type,
        review_flags: archive.catalog.review_flags(doc_id)?.unwrap_or_default(),
    })
}

/// Splits a document at a page or merges it into the one before it (audited; refused on
/// legal hold, released or in a purge job).
pub fn regroup(
    archive: &mut Archive,
    config: &PipelineConfig,
    schedule: &Schedule,
    actor: &Actor,
    doc_id: &str,
    how: Regroup,
) -> Result<RegroupOutcome, ServiceError> {
    actor.require(Permission::Ingest)?;
    live_document(archive, doc_id)?;
    archive.index.begin_writing()?;
    let today = crate::clock::today();
    let r = archive.regroup(config, schedule, doc_id, how, &actor.name, today)?;
    let mut documents = Vec::new();
    for d in &r.documents {
        if let Some(rec) = archive.catalog.document(d)? {
            documents.push(RegroupedDocument {
                pages: rec.page_numbers(),
                doc_id: rec.doc_id,
                doc_type: rec.doc_type,
                review_flags: archive.catalog.review_flags(d)?.unwrap_or_default(),
            });
        }
    }
    Ok(RegroupOutcome {
        documents,
        removed: r.removed,
    })
}

/// The documents people have confirmed or corrected, as training examples for the type
/// classifier (`chartvault train --from-archive`).
pub fn reviewed_examples(
    archive: &Archive,
    actor: &Actor,
) -> Result<Vec<crate::classify::Example>, ServiceError> {
    actor.require(Permission::Admin)?;
    Ok(archive.catalog.reviewed_examples()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_types_can_be_set() {
        assert_eq!(
            settable_type(" discharge_summary ").unwrap(),
            DocType::DischargeSummary
        );
        for bad in ["unclassified", "<script>", ""] {
            let e = settable_type(bad).unwrap_err();
            assert_eq!(e.code, super::super::Code::BadRequest);
            assert!(e.message.contains("discharge_summary"), "{}", e.message);
        }
    }
}
