//! Reading the audit log: `chartvault audit list` and `GET /api/v1/audit`.

use super::{Actor, Door, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
pub use crate::model::api::audit::{AuditQuery, AuditView};

/// Entries shown at most in one web answer (the command line lists any number).
pub const MAX_LIMIT: usize = 10_000;
/// Entries a filter looks back over.
pub const FILTER_WINDOW: usize = 20_000;

/// The latest entries, oldest first, optionally of one user or one action (looking back
/// over the latest [`FILTER_WINDOW`] entries).
pub fn entries(
    archive: &Archive,
    actor: &Actor,
    q: &AuditQuery,
    door: Door,
) -> Result<Vec<AuditView>, ServiceError> {
    actor.require(Permission::Audit)?;
    let limit = q.limit.unwrap_or(100);
    let max = match door {
        Door::Web => MAX_LIMIT,
        Door::Cli => usize::MAX,
    };
    if limit == 0 {
        return Err(ServiceError::bad_request("limit must be at least 1"));
    }
    if limit > max {
        return Err(ServiceError::bad_request(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    let filtered = q.user.is_some() || q.action.is_some();
    let window = if filtered {
        FILTER_WINDOW.max(limit)
    } else {
        limit
    };
    let mut list: Vec<AuditView> = Vec::new();
    for e in archive.catalog.audit_entries(Some(window))? {
        if q.user.as_ref().is_some_and(|u| &e.user != u)
            || q.action.as_ref().is_some_and(|x| &e.action != x)
        {
            continue;
        }
        // Every detail is written as JSON; one that is not is shown as the text it is
        // (the chain's hash covers the text, and `audit verify` judges it).
        let detail = serde_json::from_str(&e.detail)
            .unwrap_or_else(|_| serde_json::Value::String(e.detail.clone()));
        list.push(AuditView {
            seq: e.seq,
            at: e.at,
            user: e.user,
            action: e.action,
            subject: e.subject,
            detail,
            hash: e.hash,
        });
    }
    let skip = list.len().saturating_sub(limit);
    list.drain(..skip);
    Ok(list)
}

/// Writes a keyed checkpoint of the audit log's head (to the archive's checkpoint file,
/// and to `to` when given, a file kept elsewhere). Returns the checkpoint line.
pub fn checkpoint(
    archive: &Archive,
    actor: &Actor,
    to: Option<&std::path::Path>,
) -> Result<String, ServiceError> {
    actor.require(Permission::Audit)?;
    Ok(archive.catalog.checkpoint_audit(to)?)
}

/// Checks the audit log's keyed chain, its signed head and its checkpoints (the archive's
/// and `extra` files kept elsewhere).
pub fn verify(
    archive: &Archive,
    actor: &Actor,
    extra: &[&std::path::Path],
) -> Result<crate::catalog::AuditVerification, ServiceError> {
    actor.require(Permission::Audit)?;
    Ok(archive.catalog.verify_audit(extra)?)
}
