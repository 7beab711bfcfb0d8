//! Purge jobs as people drive them: plan, review, approve, execute, cancel, certificates.
//! The rules (two-person control, re-checks against today) live in [`crate::purge`]; this
//! is where a front door asks for a step, so the permission check, its refused-step audit
//! entry and the answer are the same from `chartvault purge` and `/api/v1/purge-jobs`.

use crate::model::retention::quarantined_scan_of;

use super::{Actor, Door, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::catalog::JobRow;
pub use crate::model::api::purge::{
    ApprovalView, Approved, Executed, ItemCounts, JobDetail, JobSummary, ManifestRow, PlanRequest,
    Planned, Skipped,
};
use crate::retention::Schedule;

/// Checks a purge step's permission; a refusal is audited (who tried what on which job).
fn require_step(
    archive: &mut Archive,
    actor: &Actor,
    permission: Permission,
    step: &str,
    subject: &str,
    via: &str,
) -> Result<(), ServiceError> {
    if actor.require(permission).is_err() {
        archive.catalog.audit(
            &actor.name,
            &format!("purge_{step}_refused"),
            subject,
            serde_json::json!({"reason": "permission", "via": via}),
        )?;
        let role = actor.role().map_or("operator", |r| r.as_str());
        return Err(ServiceError::new(
            super::Code::Forbidden,
            format!(
                "{}: a {role} may not {step} purges (needs permission {})",
                actor.name,
                permission.as_str()
            ),
        ));
    }
    Ok(())
}

/// Plans a purge (a dry run: nothing is destroyed; audited).
pub fn plan(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    req: &PlanRequest,
    via: &str,
) -> Result<Planned, ServiceError> {
    require_step(archive, actor, Permission::Purge, "plan", "purge", via)?;
    let policy = schedule.purge_approvals;
    if req.approvals.is_some_and(|n| n != policy) {
        return Err(ServiceError::bad_request(format!(
            "a plan cannot set its approvals: the retention policy requires {policy} \
             (purge_approvals in the retention schedule)"
        )));
    }
    let today = crate::clock::today();
    let as_of = req.as_of.unwrap_or(today);
    let p = crate::purge::plan(archive, schedule, as_of, &actor.name)?;
    Ok(Planned {
        job_id: p.job_id,
        state: if p.forecast { "forecast" } else { "planned" },
        forecast: p.forecast,
        documents: p.documents,
        quarantined_scans: p.quarantined_scans,
        excluded: p.excluded,
        manifest_sha256: p.manifest_hash,
        as_of,
        today,
        required_approvals: p.required_approvals,
        earliest_retain_through: p.earliest_retain_through,
    })
}

/// Approves a planned job (never one's own; audited, refusals too).
pub fn approve(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    job_id: &str,
    via: &str,
) -> Result<Approved, ServiceError> {
    require_step(archive, actor, Permission::Approve, "approve", job_id, via)?;
    let (approvals, required) = crate::purge::approve(archive, schedule, job_id, &actor.name)?;
    Ok(Approved {
        job_id: job_id.to_string(),
        approvals,
        required,
    })
}

/// Executes an approved job: each document re-checked against today, destroyed,
/// verified, certified.
pub fn execute(
    archive: &mut Archive,
    schedule: &Schedule,
    actor: &Actor,
    job_id: &str,
    via: &str,
) -> Result<Executed, ServiceError> {
    require_step(archive, actor, Permission::Purge, "execute", job_id, via)?;
    archive.index.begin_writing()?;
    let facility = schedule.facility.clone();
    let e = crate::purge::execute(archive, schedule, job_id, &actor.name, &facility)?;
    Ok(Executed {
        job_id: job_id.to_string(),
        approved: e.approved,
        destroyed: e.destroyed,
        skipped: e
            .skipped
            .into_iter()
            .map(|(doc_id, reason)| Skipped { doc_id, reason })
            .collect(),
        verified: e.verification_ok,
        certificate_id: e.certificate_id,
    })
}

/// Cancels a job before execution (audited).
pub fn cancel(
    archive: &mut Archive,
    actor: &Actor,
    job_id: &str,
    via: &str,
) -> Result<(), ServiceError> {
    require_step(archive, actor, Permission::Purge, "cancel", job_id, via)?;
    crate::purge::cancel(archive, job_id, &actor.name)?;
    Ok(())
}

fn summary(archive: &Archive, j: &JobRow) -> Result<JobSummary, ServiceError> {
    Ok(JobSummary {
        id: j.id.clone(),
        state: j.state.clone(),
        as_of: j.as_of.clone(),
        schedule: j.schedule_label.clone(),
        created_by: j.created_by.clone(),
        created_at: j.created_at.clone(),
        documents: j.manifest.len(),
        earliest_retain_through: j.manifest.iter().filter_map(|e| e.retain_through).min(),
        forecast: j.state == "forecast",
        excluded: j.excluded.clone(),
        manifest_sha256: j.manifest_hash.clone(),
        required_approvals: j.required_approvals,
        approvals_expire: j.approvals_expire.clone(),
        executed_by: j.executed_by.clone(),
        finished_at: j.finished_at.clone(),
        verification: j.verification.clone(),
        certificate_id: j.certificate_id.clone(),
        approved_by: crate::purge::valid_approvals(archive, j)?,
    })
}

/// Every purge job, oldest first.
pub fn jobs(archive: &Archive, actor: &Actor) -> Result<Vec<JobSummary>, ServiceError> {
    actor.require(Permission::RetentionRead)?;
    archive
        .catalog
        .purge_jobs()?
        .iter()
        .map(|j| summary(archive, j))
        .collect()
}

/// Rows of the review list one web answer shows at most.
pub const MAX_REVIEW_ROWS: usize = 5000;

/// One job; with `review`, its manifest with the patients (audited as `purge_review`).
pub fn job(
    archive: &mut Archive,
    actor: &Actor,
    job_id: &str,
    review: bool,
    door: Door,
) -> Result<JobDetail, ServiceError> {
    let via = door.as_str();
    let max_rows = match door {
        Door::Web => MAX_REVIEW_ROWS,
        Door::Cli => usize::MAX,
    };
    actor.require(Permission::RetentionRead)?;
    let j = archive
        .catalog
        .purge_job(job_id)?
        .ok_or_else(|| ServiceError::not_found(format!("no purge job {job_id}")))?;
    let approvals = archive
        .catalog
        .purge_approvals(job_id)?
        .into_iter()
        .map(|(user, h, at)| ApprovalView {
            user,
            at,
            valid: h == j.manifest_hash,
        })
        .collect();
    let items: std::collections::HashMap<String, crate::catalog::PurgeItem> = archive
        .catalog
        .purge_item_states(job_id)?
        .into_iter()
        .map(|i| (i.doc_id.clone(), i))
        .collect();
    let count = |s: &str| items.values().filter(|i| i.state == s).count();
    let counts = ItemCounts {
        destroyed: count("destroyed"),
        skipped: count("skipped"),
        pending: count("pending"),
    };
    let mut manifest = Vec::new();
    if review {
        archive.catalog.audit(
            &actor.name,
            "purge_review",
            job_id,
            serde_json::json!({"via": via}),
        )?;
        let quarantined: std::collections::HashMap<String, crate::catalog::QuarantineRecord> = if j
            .manifest
            .iter()
            .any(|e| quarantined_scan_of(&e.doc_id).is_some())
        {
            archive
                .catalog
                .quarantined()?
                .into_iter()
                .filter_map(|r| r.sha256.clone().map(|s| (s, r)))
                .collect()
        } else {
            Default::default()
        };
        for e in j.manifest.iter().take(max_rows) {
            let scan = quarantined_scan_of(&e.doc_id);
            // This quarantine of the scan (the same file quarantined again is another item).
            let q = scan.and_then(|sha| quarantined.get(sha)).filter(|q| {
                q.sha256
                    .as_deref()
                    .map(|sha| crate::model::retention::quarantine_item_id(sha, &q.at))
                    == Some(e.doc_id.clone())
            });
            let d = match scan {
                Some(_) => None,
                None => archive.catalog.document(&e.doc_id)?,
            };
            let missing = if scan.is_some() {
                q.is_none()
            } else {
                d.is_none()
            };
            // A quarantined scan that is gone without a tombstone was read since (or came
            // back later as another item): not destroyed.
            let left_quarantine =
                missing && scan.is_some() && archive.catalog.tombstone(&e.doc_id)?.is_none();
            let gone = missing && !left_quarantine;
            let item = items.get(&e.doc_id);
            let state = match item.map(|i| i.state.as_str()) {
                Some("destroyed") => "destroyed",
                Some("skipped") => "skipped",
                _ if left_quarantine => "no_longer_in_quarantine",
                _ if gone => "destroyed_by_another_job",
                Some(s) => s,
                None => "pending",
            };
            manifest.push(ManifestRow {
                doc_id: e.doc_id.clone(),
                class: e.class.clone(),
                doc_type: e.doc_type.clone(),
                patient_name: d.as_ref().and_then(|d| d.patient.name.clone()),
                mrn: d.as_ref().and_then(|d| d.patient.mrn.clone()),
                service_date: d.as_ref().and_then(|d| d.service_date.clone()),
                retain_through: e.retain_through,
                destroyed: item.is_some_and(|i| i.state == "destroyed") || gone,
                state: state.to_string(),
                skip_reason: item.and_then(|i| i.reason.clone()),
                file: q.map(|q| q.source_path.clone()),
                quarantine_reason: q.map(|q| q.reason.clone()),
            });
        }
    }
    Ok(JobDetail {
        summary: summary(archive, &j)?,
        approvals,
        manifest_truncated: review && manifest.len() < j.manifest.len(),
        manifest,
        items: counts,
    })
}

/// A certificate of destruction (its stored JSON).
pub fn certificate(
    archive: &Archive,
    actor: &Actor,
    id: &str,
) -> Result<serde_json::Value, ServiceError> {
    actor.require(Permission::RetentionRead)?;
    let body = archive
        .catalog
        .certificate(id)?
        .ok_or_else(|| ServiceError::not_found(format!("no certificate {id}")))?;
    serde_json::from_str(&body)
        .map_err(|e| ServiceError::internal(format!("certificate {id} is unreadable: {e}")))
}

/// The account that takes a purge step on the command line, by its password: purge steps
/// are taken by user accounts of the archive, so two-person control holds at the console
/// too. A failure is audited as `purge_STEP_refused`.
pub fn authenticate(
    archive: &mut Archive,
    user: &str,
    password: &str,
    step: &str,
    subject: &str,
) -> Result<Actor, ServiceError> {
    let account = archive.catalog.authenticate(user, password)?;
    let role = account
        .as_ref()
        .and_then(|a| crate::access::Role::parse(&a.role));
    let Some(role) = role else {
        archive.catalog.audit(
            user,
            &format!("purge_{step}_refused"),
            subject,
            serde_json::json!({"reason": "authentication failed", "via": "cli"}),
        )?;
        return Err(ServiceError::new(
            super::Code::LoginFailed,
            format!(
                "cannot {step} as {user}: wrong user name or password, or a disabled account \
                 (purge steps need a user account of this archive: `chartvault user add`)"
            ),
        ));
    };
    Ok(Actor::user(user, role))
}

/// The items of a job left alone at execution, with why.
pub fn skipped(
    archive: &Archive,
    actor: &Actor,
    job_id: &str,
) -> Result<Vec<(String, Option<String>)>, ServiceError> {
    actor.require(Permission::RetentionRead)?;
    Ok(archive
        .catalog
        .purge_item_states(job_id)?
        .into_iter()
        .filter(|i| i.state == "skipped")
        .map(|i| (i.doc_id, i.reason))
        .collect())
}
