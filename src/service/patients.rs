//! One patient's documents (the patient view), looked up by MRN; audited under the MRN's
//! keyed tag, never the MRN itself.

use super::{Actor, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::index::{SearchQuery, SortOrder};
pub use crate::model::api::patients::{
    PatientDocuments, PatientLookup, PatientMatch, PatientMatches, MAX_LOOKUP_DOCUMENTS,
};

/// The most documents one patient view lists.
pub const MAX_DOCUMENTS: usize = 1000;

/// The audit subject for a patient: the MRN's keyed tag (an MRN never enters the log).
pub fn audit_subject(a: &Archive, mrn: &str) -> String {
    let tag = a.keys.mrn_tag(mrn);
    format!("mrn:{}", &tag[..16.min(tag.len())])
}

/// Checks an MRN as typed: 1 to [`MAX_PATIENT_FIELD`] characters once trimmed (the
/// longest a QA fix can store).
pub fn check_mrn(mrn: &str) -> Result<String, ServiceError> {
    use super::review::MAX_PATIENT_FIELD;
    let mrn = mrn.trim();
    if mrn.is_empty() || mrn.chars().count() > MAX_PATIENT_FIELD {
        return Err(ServiceError::bad_request(format!(
            "an MRN is 1 to {MAX_PATIENT_FIELD} characters"
        )));
    }
    Ok(mrn.to_string())
}

/// Every live document of a patient, newest first (audited as `view_patient`).
pub fn documents(
    a: &mut Archive,
    actor: &Actor,
    mrn: &str,
    via: &str,
) -> Result<PatientDocuments, ServiceError> {
    actor.require(Permission::Read)?;
    let mrn = check_mrn(mrn)?;
    let q = SearchQuery {
        mrn: Some(mrn.clone()),
        limit: MAX_DOCUMENTS,
        sort: SortOrder::Newest,
        ..SearchQuery::default()
    };
    a.search_ready()?;
    let results = a.index.search(&q)?;
    a.catalog.audit(
        &actor.name,
        "view_patient",
        &audit_subject(a, &mrn),
        serde_json::json!({"documents": results.total, "via": via}),
    )?;
    Ok(PatientDocuments {
        name: results.hits.iter().find_map(|h| h.patient_name.clone()),
        dob: results.hits.iter().find_map(|h| h.dob.clone()),
        mrn,
        total: results.total,
        documents: results.hits,
    })
}

/// Patients by name and/or date of birth, one line per MRN, most documents first (audited
/// as `patient_lookup` with the number found; what was typed never enters the log).
pub fn lookup(
    a: &mut Archive,
    actor: &Actor,
    l: &PatientLookup,
    via: &str,
) -> Result<PatientMatches, ServiceError> {
    actor.require(Permission::Read)?;
    let name = l.name.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let dob = l.dob.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if name.is_none() && dob.is_none() {
        return Err(ServiceError::bad_request(
            "give a name, a date of birth, or both",
        ));
    }
    if name.is_some_and(|n| n.chars().count() > super::review::MAX_PATIENT_FIELD) {
        return Err(ServiceError::bad_request(format!(
            "a name is at most {} characters",
            super::review::MAX_PATIENT_FIELD
        )));
    }
    if let Some(d) = dob {
        if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            return Err(ServiceError::bad_request(
                "the date of birth is not a date (YYYY-MM-DD)",
            ));
        }
    }
    let q = SearchQuery {
        patient_name: name.map(str::to_string),
        dob: dob.map(str::to_string),
        limit: MAX_LOOKUP_DOCUMENTS,
        sort: SortOrder::Newest,
        ..SearchQuery::default()
    };
    a.search_ready()?;
    let results = a.index.search(&q)?;
    let mut by_mrn: Vec<PatientMatch> = Vec::new();
    for h in &results.hits {
        let Some(mrn) = &h.mrn else { continue };
        match by_mrn.iter_mut().find(|p| &p.mrn == mrn) {
            Some(p) => {
                p.documents += 1;
                if p.name.is_none() {
                    p.name = h.patient_name.clone();
                }
                if p.dob.is_none() {
                    p.dob = h.dob.clone();
                }
                if h.service_date > p.last_service {
                    p.last_service = h.service_date.clone();
                }
            }
            None => by_mrn.push(PatientMatch {
                mrn: mrn.clone(),
                name: h.patient_name.clone(),
                dob: h.dob.clone(),
                documents: 1,
                last_service: h.service_date.clone(),
            }),
        }
    }
    by_mrn.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.mrn.cmp(&b.mrn)));
    // Who was shown: each patient found, by keyed tag (never the MRN or what was typed).
    let shown: Vec<String> = by_mrn.iter().map(|p| audit_subject(a, &p.mrn)).collect();
    a.catalog.audit(
        &actor.name,
        "patient_lookup",
        "patients",
        serde_json::json!({"by_name": name.is_some(), "by_dob": dob.is_some(), "found": by_mrn.len(), "patients": shown, "via": via}),
    )?;
    Ok(PatientMatches {
        truncated: results.total > results.hits.len(),
        patients: by_mrn,
    })
}
