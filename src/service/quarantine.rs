//! Scans that could not be read: listed with their reasons and retention, the sealed
//! original given back (to repair or re-send). Nothing here destroys one: like any record,
//! a quarantined scan is destroyed only by an approved purge job (QUARANTINE class).

use super::{Actor, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
pub use crate::model::api::quarantine::QuarantinedScan;
use crate::retention::{Decision, Schedule};

/// Every quarantined scan, newest first, with its retention today.
pub fn list(
    a: &Archive,
    schedule: &Schedule,
    actor: &Actor,
) -> Result<Vec<QuarantinedScan>, ServiceError> {
    actor.require(Permission::Ingest)?;
    let mut decisions: std::collections::HashMap<String, Decision> = a
        .quarantine_decisions(schedule, crate::clock::today())?
        .into_iter()
        .filter_map(|(r, d)| r.sha256.map(|s| (s, d)))
        .collect();
    Ok(a.catalog
        .quarantined()?
        .into_iter()
        .map(|r| QuarantinedScan {
            retention: r.sha256.as_ref().and_then(|s| decisions.remove(s)),
            sha256: r.sha256,
            source_path: r.source_path,
            reason: r.reason,
            at: r.at,
            sealed: r.blob.is_some(),
        })
        .collect())
}

/// The one quarantined scan whose id starts with `id` (at least 12 characters).
fn find(a: &Archive, id: &str) -> Result<(String, Option<String>), ServiceError> {
    let records = a.catalog.quarantined()?;
    let matches: Vec<_> = records
        .iter()
        .filter(|r| id.len() >= 12 && r.sha256.as_deref().is_some_and(|h| h.starts_with(id)))
        .collect();
    match matches.as_slice() {
        [one] => Ok((one.sha256.clone().unwrap_or_default(), one.blob.clone())),
        [] => Err(ServiceError::not_found(format!(
            "no quarantined scan {id} (give at least 12 characters of its id; see `quarantine list`)"
        ))),
        _ => Err(ServiceError::bad_request(format!(
            "{id} matches several quarantined scans: give more of it"
        ))),
    }
}

/// The sealed original of a quarantined scan, handed to `write` (a file the caller
/// creates); audited as `quarantine_export` once written. Returns its size.
pub fn export(
    a: &mut Archive,
    actor: &Actor,
    id: &str,
    write: impl FnOnce(&[u8]) -> Result<(), ServiceError>,
) -> Result<usize, ServiceError> {
    actor.require(Permission::Ingest)?;
    let (sha, blob) = find(a, id)?;
    let blob = blob
        .ok_or_else(|| ServiceError::not_found(format!("{id}: no copy of this scan was kept")))?;
    let bytes = a.store.get(&blob)?;
    write(&bytes)?;
    a.catalog.audit(
        &actor.name,
        "quarantine_export",
        &sha,
        serde_json::json!({"bytes": bytes.len()}),
    )?;
    Ok(bytes.len())
}
