//! Reading the audit log: `chartvault audit list` and `GET /api/v1/audit`.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::patients::{audit_subject, check_mrn};
use super::{Actor, Door, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::catalog::{AuditFilter, PatientSubjects, SubjectOf};
pub use crate::model::api::audit::{AuditPage, AuditQuery, AuditView};

/// Entries shown at most in one web answer (the command line lists any number).
pub const MAX_LIMIT: usize = 10_000;

/// The latest entries that pass the query's filters, oldest first, with the `before` that
/// reads the page before them. Asking by patient is itself audited (`audit_search`, subject
/// the patient's tag): who looked up whom in the log is on the record too.
pub fn entries(
    archive: &mut Archive,
    actor: &Actor,
    q: &AuditQuery,
    door: Door,
) -> Result<AuditPage, ServiceError> {
    actor.require(Permission::Audit)?;
    let limit = q.limit.unwrap_or(100);
    let max = match door {
        Door::Web => MAX_LIMIT,
        Door::Cli => usize::MAX,
    };
    if limit == 0 || limit > max {
        return Err(ServiceError::bad_request(format!(
            "limit must be 1 to {MAX_LIMIT}"
        )));
    }
    let day = |name: &str, v: &Option<String>| -> Result<Option<NaiveDate>, ServiceError> {
        v.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                    ServiceError::bad_request(format!("{name} {s:?} is not a date (YYYY-MM-DD)"))
                })
            })
            .transpose()
    };
    let (from, to) = (day("from", &q.from)?, day("to", &q.to)?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ServiceError::bad_request(format!(
                "from {f} is after to {t}"
            )));
        }
    }
    let text = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let mrn = match text(&q.mrn) {
        Some(m) => Some(check_mrn(&m)?),
        None => None,
    };
    let patient = match &mrn {
        Some(m) => {
            let tag = archive.keys.mrn_tag(m);
            Some(PatientSubjects {
                subjects: vec![audit_subject(archive, m)],
                doc_ids: archive.catalog.doc_ids_of_tag(&tag)?,
            })
        }
        None => None,
    };
    let filter = AuditFilter {
        user: text(&q.user),
        action: text(&q.action),
        at_from: from.map(|d| format!("{d}T00:00:00")),
        at_before: to
            .and_then(|d| d.succ_opt())
            .map(|d| format!("{d}T00:00:00")),
        before_seq: q.before,
        patient,
        // One more than asked: whether an older page exists.
        limit: limit.saturating_add(1),
    };
    let mut found = archive.catalog.audit_search(&filter)?;
    let older = if found.len() > limit {
        found.remove(0);
        found.first().map(|e| e.seq)
    } else {
        None
    };
    let mut labels: HashMap<String, Option<String>> = HashMap::new();
    let mut list = Vec::with_capacity(found.len());
    for e in found {
        if !labels.contains_key(&e.subject) {
            let l = subject_label(archive, &e.subject)?;
            labels.insert(e.subject.clone(), l);
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
            subject_label: labels[&e.subject].clone(),
            subject: e.subject,
            detail,
            hash: e.hash,
        });
    }
    // The answer names patients (subject labels): every read is on the record, a read by
    // patient under that patient's tag.
    match &mrn {
        Some(m) => archive.catalog.audit(
            &actor.name,
            "audit_search",
            &audit_subject(archive, m),
            serde_json::json!({"entries": list.len(), "via": door.as_str()}),
        )?,
        None => archive.catalog.audit(
            &actor.name,
            "audit_view",
            "audit_log",
            serde_json::json!({"entries": list.len(), "first": list.first().map(|e| e.seq),
                "last": list.last().map(|e| e.seq), "via": door.as_str()}),
        )?,
    }
    Ok(AuditPage {
        entries: list,
        older,
    })
}

/// The subject of an entry in words, or `None` when it names no patient or document.
fn subject_label(archive: &Archive, subject: &str) -> Result<Option<String>, ServiceError> {
    let who = |mrn: &Option<String>, name: &Option<String>| match (name, mrn) {
        (Some(n), Some(m)) => format!("{n} (MRN {m})"),
        (None, Some(m)) => format!("MRN {m}"),
        (Some(n), None) => n.clone(),
        (None, None) => "patient not read".into(),
    };
    if let Some(prefix) = subject.strip_prefix("mrn:") {
        return Ok(Some(
            match archive.catalog.patient_of_tag_prefix(prefix)? {
                Some(SubjectOf::Patient { mrn, name }) => {
                    format!("Patient {}", who(&Some(mrn), &name))
                }
                _ => "A patient with no live document now".into(),
            },
        ));
    }
    if subject.len() == 64 && subject.bytes().all(|b| b.is_ascii_hexdigit()) {
        if let Some(SubjectOf::Scan { source_path }) = archive.catalog.scan_subject(subject)? {
            return Ok(Some(format!("Scan {source_path}")));
        }
    }
    Ok(match archive.catalog.document_subject(subject)? {
        Some(SubjectOf::Document {
            doc_type,
            service_date,
            mrn,
            name,
            destroyed,
        }) => {
            let kind = crate::model::DocType::parse(&doc_type)
                .map(|t| t.label().to_string())
                .unwrap_or(doc_type);
            let date = service_date
                .map(|d| format!(", service {d}"))
                .unwrap_or_default();
            Some(if destroyed {
                format!("Destroyed document ({kind}{date})")
            } else {
                format!("{kind}{date} of {}", who(&mrn, &name))
            })
        }
        _ => None,
    })
}

/// [`entries`] for a file taken away (audited as `audit_export`: the file names patients).
pub fn export(
    archive: &mut Archive,
    actor: &Actor,
    q: &AuditQuery,
    door: Door,
) -> Result<AuditPage, ServiceError> {
    let page = entries(archive, actor, q, door)?;
    archive.catalog.audit(
        &actor.name,
        "audit_export",
        "audit_log",
        serde_json::json!({
            "entries": page.entries.len(),
            "first": page.entries.first().map(|e| e.seq),
            "last": page.entries.last().map(|e| e.seq),
            "via": door.as_str(),
        }),
    )?;
    Ok(page)
}

/// The page as CSV (RFC 4180: every field quoted, quotes doubled), a header line first.
pub fn csv(page: &AuditPage) -> String {
    let field = |s: &str| {
        // A cell a spreadsheet would run as a formula is kept as text.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("seq,at,user,action,subject,subject_label,detail,hash\r\n");
    for e in &page.entries {
        let row = [
            e.seq.to_string(),
            e.at.clone(),
            e.user.clone(),
            e.action.clone(),
            e.subject.clone(),
            e.subject_label.clone().unwrap_or_default(),
            e.detail.to_string(),
            e.hash.clone(),
        ];
        out.push_str(&row.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
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
