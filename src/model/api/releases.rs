//! What the service's releases operations take and answer (`crate::service::releases`).

/// What a person asks to release, and to whom.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub doc_ids: Vec<String>,
    /// Who asked for the release (the patient, a clinic, an attorney, an insurer).
    pub requester: String,
    pub recipient: String,
    pub purpose: String,
    /// What permits it: patient_request, treatment, payment, operations, authorization, legal.
    pub basis: String,
    /// The signed authorization (or the court order, subpoena) is on file.
    #[serde(default)]
    pub authorization_on_file: bool,
    /// The authorization's expiry date (`YYYY-MM-DD`); needed with basis `authorization`.
    #[serde(default)]
    pub authorization_expires: Option<String>,
    /// The documents belong to more than one patient and the person releasing means it.
    #[serde(default)]
    pub several_patients: bool,
}

/// A built release: its disclosure id and the PDF.
#[derive(Debug, Clone)]
pub struct Released {
    pub disclosure_id: String,
    pub pdf: Vec<u8>,
}
