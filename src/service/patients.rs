//! One patient's documents (the patient view), looked up by MRN; audited under the MRN's
//! keyed tag, never the MRN itself.

use super::{Actor, ServiceError};
use crate::access::Permission;
use crate::archive::Archive;
use crate::index::{SearchQuery, SortOrder};
pub use crate::model::api::patients::PatientDocuments;

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
        mrn,
        total: results.total,
        documents: results.hits,
    })
}
