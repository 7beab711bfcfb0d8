//! Scans that could not be read: listed with their reasons and retention, the sealed
//! original given back (to repair or re-send), or destroyed by hand when it is not a record
//! (records go through purge jobs under the QUARANTINE class).

use super::{Actor, Code, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::retention::{Decision, RetentionStatus, Schedule};

/// A quarantined scan as people are shown it.
#[derive(Debug, Clone)]
pub struct QuarantinedScan {
    /// SHA-256 of the file (none when it could not be read at all).
    pub sha256: Option<String>,
    pub source_path: String,
    pub reason: String,
    pub at: String,
    /// Whether a sealed copy of the original was kept.
    pub sealed: bool,
    /// Its retention decision today (none without a copy: nothing to keep or destroy).
    pub retention: Option<Decision>,
}

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

/// The sealed original of a quarantined scan (audited as `quarantine_export`).
pub fn export(a: &mut Archive, actor: &Actor, id: &str) -> Result<Vec<u8>, ServiceError> {
    actor.require(Permission::Ingest)?;
    let (sha, blob) = find(a, id)?;
    let blob = blob
        .ok_or_else(|| ServiceError::not_found(format!("{id}: no copy of this scan was kept")))?;
    let bytes = a.store.get(&blob)?;
    a.catalog.audit(
        &actor.name,
        "quarantine_export",
        &sha,
        serde_json::json!({"bytes": bytes.len()}),
    )?;
    Ok(bytes)
}

/// Destroys a quarantined scan that is not a record: its sealed original's key shredded,
/// its record removed (audited). Refused while a hold may cover it (a patient or search
/// hold: its patient and words cannot be read). Returns its id; false when already gone.
pub fn purge(
    a: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    id: &str,
) -> Result<(String, bool), ServiceError> {
    actor.require(Permission::Admin)?;
    let (sha, _) = find(a, id)?;
    let held = a
        .quarantine_decisions(schedule, crate::clock::today())?
        .into_iter()
        .find(|(q, _)| q.sha256.as_deref() == Some(sha.as_str()))
        .filter(|(_, d)| d.status == RetentionStatus::OnHold);
    if let Some((_, d)) = held {
        a.catalog.audit(
            &actor.name,
            "quarantine_purge_refused",
            &sha,
            serde_json::json!({"holds": d.holds}),
        )?;
        return Err(ServiceError::new(
            Code::Refused,
            format!(
                "{id}: on legal hold ({}): a quarantined scan's patient cannot be read, so a \
                 patient or search hold keeps it; release the hold first",
                d.holds.join(", ")
            ),
        ));
    }
    a.keys
        .destroy(
            &[crate::archive::quarantine_key_id(&sha)],
            Some("quarantine purge"),
        )
        .map_err(|e| ServiceError::internal(format!("cannot destroy the scan's key: {e}")))?;
    if !a.catalog.purge_quarantined(&sha, &actor.name)? {
        return Ok((sha, false));
    }
    let _ = std::fs::remove_dir_all(a.root.join("quarantine").join(&sha[..sha.len().min(32)]));
    Ok((sha, true))
}
