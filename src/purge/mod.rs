//! Purge jobs: the only code path that destroys content (retention.md §5).
//!
//! `planned → approved (N distinct approvers, never the initiator, bound to the manifest
//! hash) → executing → verified → certified`; `cancelled` before execution. Execution is
//! resumable and idempotent: each document is destroyed in one catalog transaction (PHI
//! erased, tombstone chained, item marked, freed blobs listed), then its blobs and index
//! entry are removed; a rerun finishes what a crash interrupted.

pub mod certificate;
pub mod redact;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use crate::archive::{Archive, ArchiveError};
use crate::catalog::{JobRow, ManifestEntry, Tombstone};
use crate::model::retention::{quarantined_scan_of, QUARANTINED_SCAN};
use crate::retention::{Decision, RetentionStatus, Schedule};

/// Days an approval stays valid.
pub const APPROVAL_DAYS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum PurgeError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("no purge job {0}")]
    NoJob(String),
    #[error("{0}")]
    Refused(String),
}

impl From<crate::catalog::CatalogError> for PurgeError {
    fn from(e: crate::catalog::CatalogError) -> Self {
        PurgeError::Archive(e.into())
    }
}

impl From<crate::index::IndexError> for PurgeError {
    fn from(e: crate::index::IndexError) -> Self {
        PurgeError::Archive(e.into())
    }
}

impl From<crate::store::StoreError> for PurgeError {
    fn from(e: crate::store::StoreError) -> Self {
        PurgeError::Archive(e.into())
    }
}

/// The dry run: what a job would destroy, and what it leaves out and why.
#[derive(Debug, Clone)]
pub struct Plan {
    pub job_id: String,
    pub manifest_hash: String,
    /// Items in the manifest (documents and quarantined scans).
    pub documents: usize,
    /// Of `documents`, quarantined scans.
    pub quarantined_scans: usize,
    pub excluded: BTreeMap<String, usize>,
    /// Planned as of a date after today: a forecast to review, never to approve or execute.
    pub forecast: bool,
    pub required_approvals: u32,
    /// The earliest retain-through date among the documents (what approvers are shown).
    pub earliest_retain_through: Option<NaiveDate>,
}

/// Creates a job from every document eligible as of `as_of`. A date after today makes a
/// forecast (state `forecast`): shown and reviewed, never approved or executed. The
/// approvals the job needs come from the schedule's policy, never from the request.
pub fn plan(
    archive: &mut Archive,
    schedule: &Schedule,
    as_of: NaiveDate,
    user: &str,
) -> Result<Plan, PurgeError> {
    let today = crate::clock::today();
    let forecast = as_of > today;
    let decisions = archive.decisions(schedule, as_of, None)?;
    let rows: HashMap<String, crate::catalog::RetentionRow> = archive
        .catalog
        .retention_rows(None)?
        .into_iter()
        .map(|r| (r.doc_id.clone(), r))
        .collect();
    let mut excluded: BTreeMap<String, usize> = BTreeMap::new();
    let mut slots: HashMap<String, u32> = HashMap::new();
    let mut manifest = Vec::new();
    for (id, d) in &decisions {
        if d.status != RetentionStatus::Eligible {
            *excluded.entry(d.status.as_str().to_string()).or_default() += 1;
            continue;
        }
        let Some(row) = rows.get(id) else {
            // Gone between the two reads (another process destroyed it): not planned.
            continue;
        };
        let next = slots.len() as u32;
        let slot = *slots
            .entry(row.mrn.clone().unwrap_or_else(|| format!("?{id}")))
            .or_insert(next);
        let pages = archive
            .catalog
            .document(id)?
            .map(|r| r.pages.len() as u32)
            .unwrap_or(0);
        manifest.push(ManifestEntry {
            doc_id: id.clone(),
            content_hash: archive.catalog.content_hash(id)?,
            class: d.class.clone(),
            doc_type: row.facts.doc_type.as_str().into(),
            service_year: row.facts.service_date.map(|s| s.year()),
            pages,
            patient_slot: Some(slot),
            retain_through: d.retain_through,
        });
    }
    // Quarantined scans under their own class (schedule: `quarantined_scan`).
    for (rec, d) in archive.quarantine_decisions(schedule, as_of)? {
        let Some(sha) = rec.sha256.clone() else {
            continue;
        };
        if d.status != RetentionStatus::Eligible {
            *excluded
                .entry(format!("quarantined scan {}", d.status.as_str()))
                .or_default() += 1;
            continue;
        }
        manifest.push(ManifestEntry {
            doc_id: crate::model::retention::quarantine_item_id(&sha, &rec.at),
            content_hash: sha,
            class: d.class.clone(),
            doc_type: crate::model::retention::QUARANTINED_SCAN.into(),
            service_year: None,
            pages: 0,
            patient_slot: None,
            retain_through: d.retain_through,
        });
    }
    manifest.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    let n = archive.catalog.purge_jobs()?.len() + 1;
    // Numbered by the day it was planned, whatever date it looks at.
    let job_id = format!("PJ-{}-{n:04}", today.format("%Y%m%d"));
    let expire = (crate::clock::now() + chrono::Duration::days(APPROVAL_DAYS as i64)).to_rfc3339();
    let excluded_json = serde_json::to_value(&excluded).unwrap_or_default();
    let required = schedule.purge_approvals;
    let manifest_hash = archive
        .catalog
        .create_purge_job(&crate::catalog::NewPurgeJob {
            id: &job_id,
            state: if forecast { "forecast" } else { "planned" },
            as_of: &as_of.to_string(),
            user,
            schedule_label: &schedule.label(),
            schedule_hash: &schedule.hash,
            manifest: &manifest,
            excluded: &excluded_json,
            required_approvals: required,
            approvals_expire: &expire,
        })?;
    Ok(Plan {
        job_id,
        manifest_hash,
        documents: manifest.len(),
        quarantined_scans: manifest
            .iter()
            .filter(|e| quarantined_scan_of(&e.doc_id).is_some())
            .count(),
        excluded,
        forecast,
        required_approvals: required,
        earliest_retain_through: manifest.iter().filter_map(|e| e.retain_through).min(),
    })
}

fn job(archive: &Archive, id: &str) -> Result<JobRow, PurgeError> {
    archive
        .catalog
        .purge_job(id)?
        .ok_or_else(|| PurgeError::NoJob(id.to_string()))
}

/// The stored manifest still hashes to what the job (and its approvals) recorded.
fn check_manifest(j: &JobRow) -> Result<(), PurgeError> {
    if crate::catalog::purge_sha256(&j.manifest_json) != j.manifest_hash {
        return Err(PurgeError::Refused(format!(
            "job {}: its manifest changed after it was planned; approvals are void — plan a new job",
            j.id
        )));
    }
    Ok(())
}

/// Refuses a job planned as of a date after today (a forecast), whatever its state says.
fn refuse_forecast(j: &JobRow, what: &str) -> Result<(), PurgeError> {
    let today = crate::clock::today();
    let as_of = NaiveDate::parse_from_str(&j.as_of, "%Y-%m-%d").unwrap_or(NaiveDate::MAX);
    if j.state == "forecast" || as_of > today {
        return Err(PurgeError::Refused(format!(
            "job {} is a forecast as of {} (after today, {today}): it can be reviewed but \
             not {what}; plan again on or after that date",
            j.id, j.as_of
        )));
    }
    Ok(())
}

fn approvals_expired(j: &JobRow) -> bool {
    chrono::DateTime::parse_from_rfc3339(&j.approvals_expire)
        .map(|e| e < crate::clock::now())
        .unwrap_or(true)
}

/// Records an approval by `user`, who must be an enabled account of the archive's user
/// store allowed to approve, authenticated by the caller (the web session; on the command
/// line, the password). Refused, with the reason: a forecast, a job not planned, expired
/// approvals, the initiator, a second approval by the same person, an account created,
/// re-enabled or changed (password, role) after the job was planned, and an administrator
/// who made such a change after it was planned. Returns (approvals, required).
pub fn approve(
    archive: &mut Archive,
    schedule: &Schedule,
    id: &str,
    user: &str,
) -> Result<(usize, u32), PurgeError> {
    let r = approve_checked(archive, schedule, id, user);
    audit_refusal(archive, &r, user, "purge_approve_refused", id)?;
    r
}

/// Records a refusal in the audit log (who tried what, and why).
fn audit_refusal<T>(
    archive: &mut Archive,
    r: &Result<T, PurgeError>,
    user: &str,
    action: &str,
    id: &str,
) -> Result<(), PurgeError> {
    if let Err(PurgeError::Refused(why)) = r {
        archive
            .catalog
            .audit(user, action, id, serde_json::json!({"reason": why}))?;
    }
    Ok(())
}

/// The job was planned under the schedule in force; approving or executing it under
/// another (a shorter profile given on the command line, an edited file) is refused.
fn same_schedule(j: &JobRow, schedule: &Schedule, what: &str) -> Result<(), PurgeError> {
    if j.schedule_hash != schedule.hash || j.schedule_label != schedule.label() {
        return Err(PurgeError::Refused(format!(
            "job {} was planned under retention schedule {}; the schedule in use now is {}: \
             it cannot be {what} under another schedule (plan a new job)",
            j.id,
            j.schedule_label,
            schedule.label()
        )));
    }
    Ok(())
}

/// Why `user` may not approve purges, if they may not: no account in the user store, a
/// disabled one, or a role without the approve permission. The one rule for recording an
/// approval and for counting it at execution.
fn approver_refusal(archive: &Archive, user: &str) -> Result<Option<String>, PurgeError> {
    let Some(account) = archive.catalog.user(user)? else {
        return Ok(Some(format!(
            "{user} is not a user of this archive: approvals come from user accounts \
             (`chartvault user add`)"
        )));
    };
    if account.disabled_at.is_some() {
        return Ok(Some(format!("the account {user} is disabled")));
    }
    let may = crate::access::Role::parse(&account.role)
        .is_some_and(|r| r.can(crate::access::Permission::Approve));
    Ok((!may).then(|| {
        format!(
            "{user} is a {} and may not approve purges (approver or admin)",
            account.role
        )
    }))
}

/// Approvals that count: bound to the job's manifest, not the initiator's, one per person,
/// from accounts that are enabled and still allowed to approve.
pub fn valid_approvals(archive: &Archive, j: &JobRow) -> Result<Vec<String>, PurgeError> {
    let mut out: Vec<String> = Vec::new();
    for (u, h, _) in archive.catalog.purge_approvals(&j.id)? {
        if h != j.manifest_hash || u == j.created_by || out.contains(&u) {
            continue;
        }
        if approver_refusal(archive, &u)?.is_none() {
            out.push(u);
        }
    }
    Ok(out)
}

fn approve_checked(
    archive: &mut Archive,
    schedule: &Schedule,
    id: &str,
    user: &str,
) -> Result<(usize, u32), PurgeError> {
    let j = job(archive, id)?;
    refuse_forecast(&j, "approved")?;
    same_schedule(&j, schedule, "approved")?;
    if j.state != "planned" && j.state != "approved" {
        return Err(PurgeError::Refused(format!(
            "job {id} is {}; only a planned job can be approved",
            j.state
        )));
    }
    if approvals_expired(&j) {
        return Err(PurgeError::Refused(format!(
            "the approval period of job {id} ended at {}; plan a new job",
            j.approvals_expire
        )));
    }
    if j.created_by == user {
        return Err(PurgeError::Refused(format!(
            "{user} planned job {id} and cannot approve it (two other people must)"
        )));
    }
    if archive
        .catalog
        .purge_approvals(id)?
        .iter()
        .any(|(u, _, _)| u == user)
    {
        return Err(PurgeError::Refused(format!(
            "{user} already approved job {id}"
        )));
    }
    if let Some(why) = approver_refusal(archive, user)? {
        return Err(PurgeError::Refused(why));
    }
    if let Some(c) = archive
        .catalog
        .account_changes_after(id, user)?
        .into_iter()
        .next()
    {
        let what = c.what();
        return Err(PurgeError::Refused(if c.subject == user {
            format!(
                "the account {user} was {what} by {} after job {id} was planned; it cannot \
                 approve this job (plan a new one)",
                c.by
            )
        } else {
            format!(
                "{user} {what} the account {} after job {id} was planned; the person who \
                 changes accounts cannot approve this job (plan a new one)",
                c.subject
            )
        }));
    }
    check_manifest(&j)?;
    // A policy raised since the plan applies at once.
    let needed = j.required_approvals.max(schedule.purge_approvals);
    let n = archive
        .catalog
        .approve_purge(id, user, &j.manifest_hash, needed)?;
    Ok((n, needed))
}

pub fn cancel(archive: &mut Archive, id: &str, user: &str) -> Result<(), PurgeError> {
    let j = job(archive, id)?;
    if !matches!(j.state.as_str(), "planned" | "approved" | "forecast") {
        return Err(PurgeError::Refused(format!(
            "job {id} is {}; it can no longer be cancelled",
            j.state
        )));
    }
    archive
        .catalog
        .set_purge_state(id, "cancelled", user, serde_json::json!({}))?;
    Ok(())
}

/// What an execution did.
#[derive(Debug, Clone, Default)]
pub struct Execution {
    /// Documents the approved manifest holds.
    pub approved: usize,
    pub destroyed: usize,
    /// (document, why) of the approved documents left alone when re-checked today.
    pub skipped: Vec<(String, String)>,
    pub certificate_id: Option<String>,
    pub verification_ok: bool,
}

/// The certificate of a job: numbered by the day its execution started (stable when a
/// run is resumed on a later day) and the job's sequence number.
fn certificate_id(j: &JobRow) -> String {
    let day: String = j
        .started_at
        .as_deref()
        .unwrap_or_default()
        .chars()
        .take(10)
        .filter(|c| c.is_ascii_digit())
        .collect();
    let seq = j.id.rsplit('-').next().unwrap_or("0");
    format!("COD-{day}-{seq}")
}

/// Why an approved document must not be destroyed today, if it must not: it is gone,
/// not eligible today (held, a newer document of the patient, a longer schedule,
/// indeterminate), or it changed since it was approved.
/// `decision` is the document's decision as of `today`, taken when the run began: the run
/// holds the writer, so no hold or document can change under it, and destroying an earlier
/// document of a patient only moves the others' dates earlier (the decision kept is the
/// later, safer one).
fn recheck(
    archive: &Archive,
    doc_id: &str,
    decision: Option<&Decision>,
    approved: Option<&&ManifestEntry>,
    today: NaiveDate,
) -> Result<Option<String>, PurgeError> {
    let Some(d) = decision else {
        return Ok(Some(if quarantined_scan_of(doc_id).is_some() {
            "the scan is no longer in quarantine (read since, or removed)".into()
        } else {
            "the document no longer exists".into()
        }));
    };
    match d.status {
        RetentionStatus::Eligible => {}
        RetentionStatus::OnHold => {
            return Ok(Some(format!("on legal hold ({})", d.holds.join(", "))));
        }
        RetentionStatus::Retained => {
            return Ok(Some(format!(
                "not eligible until {} (retained through {})",
                d.eligible_on.map(|e| e.to_string()).unwrap_or_default(),
                d.retain_through.map(|e| e.to_string()).unwrap_or_default()
            )));
        }
        RetentionStatus::Indeterminate => {
            return Ok(Some(format!(
                "retention cannot be determined (missing: {})",
                d.missing.join(", ")
            )));
        }
        other => return Ok(Some(format!("no longer eligible: {}", other.as_str()))),
    }
    // Belt and braces: the decision says eligible; the date must say so too.
    if d.eligible_on.is_none_or(|e| e > today) {
        return Ok(Some(format!("not eligible on {today}")));
    }
    let Some(e) = approved else {
        return Ok(Some("not in the approved manifest".into()));
    };
    if d.class != e.class {
        return Ok(Some(format!(
            "its retention class changed since approval ({} -> {})",
            e.class, d.class
        )));
    }
    // A quarantined scan is named by its bytes' hash: the same id is the same content.
    let now = match quarantined_scan_of(doc_id) {
        Some(sha) => sha.to_string(),
        None => archive.catalog.content_hash(doc_id)?,
    };
    if now != e.content_hash {
        return Ok(Some("it changed since it was approved".into()));
    }
    Ok(None)
}

/// Executes (or resumes) an approved job, verifies it and issues the certificate.
/// Every document is re-checked against *today* (never the plan's date) the moment before
/// it is destroyed; what no longer qualifies is skipped with its reason. The caller holds
/// the index writer.
pub fn execute(
    archive: &mut Archive,
    schedule: &Schedule,
    id: &str,
    user: &str,
    facility: &str,
) -> Result<Execution, PurgeError> {
    let r = execute_checked(archive, schedule, id, user, facility);
    audit_refusal(archive, &r, user, "purge_execute_refused", id)?;
    r
}

fn execute_checked(
    archive: &mut Archive,
    schedule: &Schedule,
    id: &str,
    user: &str,
    facility: &str,
) -> Result<Execution, PurgeError> {
    let j = job(archive, id)?;
    match j.state.as_str() {
        // A forecast is refused just below, with its own reason.
        "approved" | "executing" | "certified" | "verified" | "forecast" => {}
        s => {
            return Err(PurgeError::Refused(format!(
                "job {id} is {s}; it needs {} approvals first",
                j.required_approvals
            )))
        }
    }
    refuse_forecast(&j, "executed")?;
    check_manifest(&j)?;
    let pending = archive
        .catalog
        .purge_items(id)?
        .iter()
        .any(|(_, state, _, _)| state == "pending");
    // Whatever the job's state says, nothing is destroyed without its approvals under the
    // schedule it was planned with.
    if pending {
        same_schedule(&j, schedule, "executed")?;
        let valid = valid_approvals(archive, &j)?;
        let needed = j.required_approvals.max(schedule.purge_approvals);
        if (valid.len() as u32) < needed {
            return Err(PurgeError::Refused(format!(
                "job {id} has {} valid approvals of the {needed} it needs",
                valid.len(),
            )));
        }
    }
    if j.state == "approved" {
        if approvals_expired(&j) {
            return Err(PurgeError::Refused(format!(
                "the approvals of job {id} expired at {}; plan a new job",
                j.approvals_expire
            )));
        }
        archive
            .catalog
            .set_purge_state(id, "executing", user, serde_json::json!({}))?;
    }
    let j = job(archive, id)?;
    let certificate_id = certificate_id(&j);
    let today = crate::clock::today();
    // Eligibility is checked against the date that has arrived everywhere (see
    // `clock::destruction_day`): never early, whatever time zone the process runs in.
    let check_day = crate::clock::destruction_day();
    let mut out = Execution {
        approved: j.manifest.len(),
        ..Execution::default()
    };
    let entries: HashMap<&str, &ManifestEntry> =
        j.manifest.iter().map(|e| (e.doc_id.as_str(), e)).collect();
    let pending: Vec<String> = archive
        .catalog
        .purge_items(id)?
        .into_iter()
        .filter(|(_, state, _, _)| state == "pending")
        .map(|(doc_id, _, _, _)| doc_id)
        .collect();
    // Every pending document's decision as of today in one pass (holds, saved searches
    // and the patients' dates evaluated once, not once per document).
    let mut decisions: HashMap<String, Decision> = archive
        .decisions(schedule, check_day, Some(&pending))?
        .into_iter()
        .collect();
    let mut quarantined = HashMap::new();
    if pending.iter().any(|id| quarantined_scan_of(id).is_some()) {
        for (rec, d) in archive.quarantine_decisions(schedule, check_day)? {
            if let Some(sha) = rec.sha256.clone() {
                decisions.insert(
                    crate::model::retention::quarantine_item_id(&sha, &rec.at),
                    d,
                );
                quarantined.insert(sha, rec);
            }
        }
    }
    for doc_id in pending {
        let e = entries.get(doc_id.as_str());
        if let Some(reason) = recheck(archive, &doc_id, decisions.get(&doc_id), e, check_day)? {
            archive
                .catalog
                .skip_purge_item(id, &doc_id, &reason, user)?;
            out.skipped.push((doc_id, reason));
            continue;
        }
        let class = e.map(|e| e.class.clone()).unwrap_or_default();
        if let Some(sha) = quarantined_scan_of(&doc_id) {
            let bytes = quarantined
                .get(sha)
                .and_then(|r: &crate::catalog::QuarantineRecord| r.blob.as_deref())
                .and_then(|b| std::fs::metadata(archive.store.path_of(b)).ok())
                .map_or(0, |m| m.len());
            let t = Tombstone {
                doc_id: doc_id.clone(),
                class,
                doc_type: QUARANTINED_SCAN.into(),
                schedule_hash: j.schedule_hash.clone(),
                service_year: None,
                page_count: 0,
                bytes,
                original_sha256: sha.to_string(),
                job_id: id.to_string(),
                certificate_id: certificate_id.clone(),
                destroyed_at: crate::clock::now_rfc3339_secs(),
            };
            if archive.catalog.destroy_quarantined(&t, user)?.is_some() {
                shred(archive, &t)?;
                out.destroyed += 1;
                failpoint("purge_destroyed", out.destroyed);
            }
            continue;
        }
        let Some(rec) = archive.catalog.document(&doc_id)? else {
            continue;
        };
        let mut bytes = 0u64;
        for p in &rec.pages {
            bytes += p.text.len() as u64;
            for b in p.words_blob.iter().chain(p.image_blob.iter()) {
                bytes += std::fs::metadata(archive.store.path_of(b))
                    .map(|m| m.len())
                    .unwrap_or(0);
            }
        }
        let t = Tombstone {
            doc_id: doc_id.clone(),
            class,
            doc_type: rec.doc_type.as_str().into(),
            schedule_hash: j.schedule_hash.clone(),
            service_year: e.and_then(|e| e.service_year),
            page_count: rec.pages.len() as u32,
            bytes,
            original_sha256: rec.scan_sha256.clone(),
            job_id: id.to_string(),
            certificate_id: certificate_id.clone(),
            destroyed_at: crate::clock::now_rfc3339_secs(),
        };
        archive.catalog.destroy_document(&t, user)?;
        // Crypto-shredding: without its key no copy of the document (backups included)
        // can be read. A crash before this line is finished by `cleanup`.
        shred(archive, &t)?;
        out.destroyed += 1;
        failpoint("purge_destroyed", out.destroyed);
    }
    failpoint("purge_cleanup", 1);
    cleanup(archive, id, user)?;
    failpoint("purge_verify", 1);
    let verification = verify(archive, id)?;
    out.verification_ok = verification["ok"].as_bool().unwrap_or(false);
    let j = job(archive, id)?;
    if j.state == "executing" && out.verification_ok {
        archive
            .catalog
            .set_purge_state(id, "verified", user, verification.clone())?;
    }
    if out.verification_ok {
        let body = certificate::build(
            archive,
            &job(archive, id)?,
            &certificate_id,
            facility,
            today,
        )?;
        archive
            .catalog
            .add_certificate(&certificate_id, id, &body.to_string())?;
        certificate::write_files(archive, &certificate_id, &body)?;
        if job(archive, id)?.state != "certified" {
            archive.catalog.set_purge_state(
                id,
                "certified",
                user,
                serde_json::json!({"certificate_id": certificate_id}),
            )?;
        }
        out.certificate_id = Some(certificate_id);
    }
    Ok(out)
}

use crate::clock::failpoint;

/// Idempotent removal of everything destroyed documents of a job left behind: index
/// entries (then merge + garbage collection), freed blobs, and the scan originals that
/// held their pages (deleted when no live document remains, else rewritten without them).
fn cleanup(archive: &mut Archive, id: &str, user: &str) -> Result<(), PurgeError> {
    let items = archive.catalog.purge_items(id)?;
    let mut scans = HashSet::new();
    for (doc_id, state, _, blobs) in &items {
        if state != "destroyed" {
            continue;
        }
        if let Some(sha) = quarantined_scan_of(doc_id) {
            // The same file quarantined again since (a new item): its key, copy and folder
            // are that quarantine's, never this job's to touch.
            if quarantined_again(archive, doc_id, sha)? {
                continue;
            }
            if let Some(t) = archive.catalog.tombstone(doc_id)? {
                shred(archive, &t)?;
            }
            // A quarantined scan: its sealed file and its folder; nothing indexed.
            for b in blobs {
                if !archive.catalog.blob_in_use(b)? {
                    archive.store.remove(b)?;
                }
            }
            let _ = std::fs::remove_dir_all(
                archive
                    .root
                    .join("quarantine")
                    .join(&sha[..sha.len().min(32)]),
            );
            continue;
        }
        if let Some(t) = archive.catalog.tombstone(doc_id)? {
            shred(archive, &t)?;
        }
        archive.index.delete_doc(doc_id)?;
        for b in blobs {
            if !archive.catalog.blob_in_use(b)? {
                archive.store.remove(b)?;
            }
        }
        if let Some(t) = archive.catalog.tombstone(doc_id)? {
            scans.insert(t.original_sha256);
        }
    }
    archive.index.commit()?;
    archive.index.merge_and_collect()?;
    for scan in scans {
        redact::originals(archive, &scan, id, user)?;
    }
    archive.catalog.checkpoint()?;
    Ok(())
}

/// Destroys a document's key, recording its tombstone in the key store (for restores of
/// older backups).
fn shred(archive: &Archive, t: &Tombstone) -> Result<(), PurgeError> {
    let note = serde_json::to_string(t).unwrap_or_default();
    archive
        .keys
        .destroy(&[key_of(&t.doc_id)], Some(&note))
        .map_err(|e| PurgeError::Refused(format!("cannot destroy keys: {e}")))?;
    Ok(())
}

/// Whether the scan of a destroyed quarantine item is in quarantine again: a later
/// quarantine of the same file, a new item with its own key and copy.
fn quarantined_again(archive: &Archive, item: &str, sha: &str) -> Result<bool, PurgeError> {
    Ok(archive.catalog.quarantined()?.iter().any(|r| {
        r.sha256.as_deref() == Some(sha)
            && crate::model::retention::quarantine_item_id(sha, &r.at) != item
    }))
}

/// The key that seals a purge item's content: a document's key, or a quarantined scan's.
fn key_of(item_id: &str) -> String {
    match quarantined_scan_of(item_id) {
        Some(sha) => crate::archive::quarantine_key_id(sha),
        None => crate::keys::doc_key_id(item_id),
    }
}

/// Checks that every destroyed document of the job is gone: no index entry, no pending
/// deleted data in a segment, no orphaned segment file, no text or blob in the catalog or
/// store, and no original still holding its pages.
pub fn verify(archive: &Archive, id: &str) -> Result<serde_json::Value, PurgeError> {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (doc_id, state, _, blobs) in archive.catalog.purge_items(id)? {
        if state != "destroyed" {
            continue;
        }
        checked += 1;
        if let Some(sha) = quarantined_scan_of(&doc_id) {
            if quarantined_again(archive, &doc_id, sha)? {
                // Its key and copy now belong to the later quarantine.
                if archive.catalog.tombstone(&doc_id)?.is_none() {
                    problems.push(format!("{doc_id}: no tombstone"));
                }
                continue;
            }
        }
        let key = key_of(&doc_id);
        if archive.keys.exists(&key).unwrap_or(true) {
            problems.push(format!(
                "{doc_id}: its key still exists (not crypto-shredded)"
            ));
        }
        if let Some(sha) = quarantined_scan_of(&doc_id) {
            if archive.catalog.quarantined()?.iter().any(|r| {
                r.sha256.as_deref() == Some(sha)
                    && crate::model::retention::quarantine_item_id(sha, &r.at) == doc_id
            }) {
                problems.push(format!("{doc_id}: still recorded in quarantine"));
            }
            for b in &blobs {
                if archive.store.contains(b) && !archive.catalog.blob_in_use(b)? {
                    problems.push(format!("{doc_id}: sealed file {b} still stored"));
                }
            }
            if archive.catalog.tombstone(&doc_id)?.is_none() {
                problems.push(format!("{doc_id}: no tombstone"));
            }
            continue;
        }
        if archive.index.count_doc(&doc_id)? > 0 {
            problems.push(format!("{doc_id}: still in the search index"));
        }
        if let Some(rec) = archive.catalog.document(&doc_id)? {
            if rec
                .pages
                .iter()
                .any(|p| !p.text.is_empty() || p.image_blob.is_some() || p.words_blob.is_some())
                || rec.patient.mrn.is_some()
                || rec.patient.name.is_some()
            {
                problems.push(format!("{doc_id}: catalog still holds its content"));
            }
        }
        for b in blobs {
            if archive.store.contains(&b) && !archive.catalog.blob_in_use(&b)? {
                problems.push(format!("{doc_id}: blob {b} still stored"));
            }
        }
        if let Some(t) = archive.catalog.tombstone(&doc_id)? {
            if !redact::original_is_clean(archive, &t.original_sha256)? {
                problems.push(format!("{doc_id}: the scan original still holds its pages"));
            }
        } else {
            problems.push(format!("{doc_id}: no tombstone"));
        }
    }
    let pending = archive.index.pending_deletes();
    if pending > 0 {
        problems.push(format!(
            "{pending} deleted documents still in index segments (not merged)"
        ));
    }
    let orphans = archive.index.orphan_files(&archive.root.join("index"))?;
    if !orphans.is_empty() {
        problems.push(format!("orphaned index files: {}", orphans.join(", ")));
    }
    Ok(serde_json::json!({
        "ok": problems.is_empty(),
        "documents_checked": checked,
        "checks": ["no search hit by document id", "no deleted data left in index segments",
                   "no orphaned index files", "no page text, OCR words or page images in catalog or store",
                   "no scan original holding destroyed pages", "tombstone present",
                   "document key destroyed (backups cannot be decrypted)"],
        "problems": problems,
    }))
}
