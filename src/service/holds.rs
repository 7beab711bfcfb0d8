//! Legal holds: place, release, list. `chartvault hold` and `/api/v1/holds` both call these,
//! so they accept and refuse the same requests with the same messages.

use super::{live_document, Actor, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
pub use crate::model::api::holds::{
    HeldDocument, HoldPatient, HoldView, PlaceHold, PlacedHold, MAX_HELD_SHOWN,
};
use crate::retention::{Hold, HoldScope, Schedule};

/// Places a hold (audited). Refused: a missing matter or reason, an empty scope, a
/// document that does not exist (or `gone` when destroyed), an unknown class, reversed
/// dates, control characters or over-long fields.
pub fn place(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    req: &PlaceHold,
) -> Result<PlacedHold, ServiceError> {
    actor.require(Permission::Hold)?;
    if req.matter.trim().is_empty() || req.reason.trim().is_empty() {
        return Err(ServiceError::bad_request(
            "a hold needs a matter and a reason",
        ));
    }
    let scope = trimmed(&req.scope);
    let empty = match &scope {
        HoldScope::Mrn { mrn } => mrn.is_empty(),
        HoldScope::Document { doc_id } => doc_id.is_empty(),
        HoldScope::Query { text, .. } => text.is_empty(),
        HoldScope::Class { class, .. } => class.is_empty(),
    };
    if empty {
        return Err(ServiceError::bad_request("the hold's scope is empty"));
    }
    if let HoldScope::Document { doc_id } = &scope {
        live_document(archive, doc_id)?;
    }
    archive.index.begin_writing()?;
    let (hold_id, covers) = archive.place_hold(
        schedule,
        req.matter.trim(),
        req.reason.trim(),
        &scope,
        &actor.name,
    )?;
    Ok(PlacedHold {
        hold_id,
        covers,
        placed_by: actor.name.clone(),
    })
}

/// Releases an active hold (audited); documents become eligible again and wait for the
/// next approved purge.
pub fn release(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    hold_id: &str,
    reason: &str,
) -> Result<(), ServiceError> {
    actor.require(Permission::Hold)?;
    if reason.trim().is_empty() {
        return Err(ServiceError::bad_request("releasing a hold needs a reason"));
    }
    archive.index.begin_writing()?;
    if !archive.release_hold(schedule, hold_id, &actor.name, reason.trim())? {
        return Err(ServiceError::not_found(format!(
            "no active hold with id {hold_id}"
        )));
    }
    Ok(())
}

/// Active holds (all of them with `all`), audited: a hold names a patient.
pub fn list(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    all: bool,
    via: &str,
) -> Result<Vec<HoldView>, ServiceError> {
    actor.require(Permission::RetentionRead)?;
    let views = views(archive, schedule, archive.catalog.holds(!all)?, false)?;
    archive.catalog.audit(
        &actor.name,
        "view_holds",
        "holds",
        serde_json::json!({"holds": views.len(), "via": via}),
    )?;
    Ok(views)
}

/// One hold with the documents it covers now (audited).
pub fn show(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    hold_id: &str,
    via: &str,
) -> Result<HoldView, ServiceError> {
    actor.require(Permission::RetentionRead)?;
    let hold = archive
        .catalog
        .holds(false)?
        .into_iter()
        .find(|h| h.id == hold_id)
        .ok_or_else(|| ServiceError::not_found(format!("no hold with id {hold_id}")))?;
    let view = views(archive, schedule, vec![hold], true)?
        .pop()
        .ok_or_else(|| ServiceError::internal("a hold view went missing"))?;
    archive.catalog.audit(
        &actor.name,
        "view_hold",
        hold_id,
        serde_json::json!({"covers": view.covers,
            "documents": view.held.iter().flatten().map(|d| d.doc_id.as_str()).collect::<Vec<_>>(),
            "via": via}),
    )?;
    Ok(view)
}

fn views(
    archive: &Archive,
    schedule: &Schedule,
    holds: Vec<Hold>,
    with_documents: bool,
) -> Result<Vec<HoldView>, ServiceError> {
    let decisions = archive.decisions(schedule, crate::clock::today(), None)?;
    let mut out = Vec::with_capacity(holds.len());
    for hold in holds {
        let covered: Vec<&String> = decisions
            .iter()
            .filter(|(_, d)| d.holds.contains(&hold.id))
            .map(|(id, _)| id)
            .collect();
        let patient = match &hold.scope {
            HoldScope::Mrn { .. } => {
                let (mut mrn, mut name) = (None, None);
                for id in covered.iter().take(20) {
                    if let Some(d) = archive.catalog.document(id)? {
                        mrn = mrn.or(d.patient.mrn);
                        name = name.or(d.patient.name);
                        if mrn.is_some() && name.is_some() {
                            break;
                        }
                    }
                }
                Some(HoldPatient { mrn, name })
            }
            _ => None,
        };
        let held = if with_documents {
            let mut v = Vec::new();
            for id in covered.iter().take(MAX_HELD_SHOWN) {
                if let Some(d) = archive.catalog.document(id)? {
                    v.push(HeldDocument {
                        doc_id: d.doc_id,
                        doc_type: d.doc_type.as_str().to_string(),
                        service_date: d.service_date,
                        mrn: d.patient.mrn,
                        patient_name: d.patient.name,
                    });
                }
            }
            Some(v)
        } else {
            None
        };
        out.push(HoldView {
            covers: covered.len(),
            held,
            documents: with_documents.then(|| covered.iter().map(|s| s.to_string()).collect()),
            hold,
            patient,
        });
    }
    Ok(out)
}

/// Identifiers and texts without the spaces around them (a pasted MRN keeps its match).
fn trimmed(scope: &HoldScope) -> HoldScope {
    match scope {
        HoldScope::Mrn { mrn } => HoldScope::Mrn {
            mrn: mrn.trim().to_string(),
        },
        HoldScope::Document { doc_id } => HoldScope::Document {
            doc_id: doc_id.trim().to_string(),
        },
        HoldScope::Query {
            text,
            doc_type,
            from,
            to,
        } => HoldScope::Query {
            text: text.trim().to_string(),
            doc_type: doc_type
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            from: *from,
            to: *to,
        },
        HoldScope::Class { class, from, to } => HoldScope::Class {
            class: class.trim().to_string(),
            from: *from,
            to: *to,
        },
    }
}
