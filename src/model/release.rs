//! Releases of information as data: what was disclosed, to whom, why, and on what basis.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisclosedDocument {
    pub doc_id: String,
    pub doc_type: String,
    pub service_date: Option<String>,
}

/// What permits a disclosure (HIPAA): the patient's own request (164.524), treatment,
/// payment or health care operations (164.506), a signed authorization (164.508), or a
/// legal demand (court order, subpoena; 164.512(e)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseBasis {
    PatientRequest,
    Treatment,
    Payment,
    Operations,
    Authorization,
    Legal,
}

impl ReleaseBasis {
    pub const ALL: [ReleaseBasis; 6] = [
        ReleaseBasis::PatientRequest,
        ReleaseBasis::Treatment,
        ReleaseBasis::Payment,
        ReleaseBasis::Operations,
        ReleaseBasis::Authorization,
        ReleaseBasis::Legal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseBasis::PatientRequest => "patient_request",
            ReleaseBasis::Treatment => "treatment",
            ReleaseBasis::Payment => "payment",
            ReleaseBasis::Operations => "operations",
            ReleaseBasis::Authorization => "authorization",
            ReleaseBasis::Legal => "legal",
        }
    }

    pub fn parse(s: &str) -> Option<ReleaseBasis> {
        ReleaseBasis::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// In the words of a release of information desk.
    pub fn label(self) -> &'static str {
        match self {
            ReleaseBasis::PatientRequest => "Patient's own request (right of access)",
            ReleaseBasis::Treatment => "Treatment (continuity of care)",
            ReleaseBasis::Payment => "Payment",
            ReleaseBasis::Operations => "Health care operations",
            ReleaseBasis::Authorization => "Signed patient authorization",
            ReleaseBasis::Legal => "Court order or subpoena",
        }
    }

    /// Whether a document permitting the release must be on file: a signed authorization,
    /// or the court order or subpoena.
    pub fn needs_document(self) -> bool {
        matches!(self, ReleaseBasis::Authorization | ReleaseBasis::Legal)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disclosure {
    pub id: String,
    pub at: String,
    pub user: String,
    /// Who asked for the release (absent on releases recorded before it was asked).
    pub requester: Option<String>,
    pub recipient: String,
    pub purpose: String,
    pub basis: Option<ReleaseBasis>,
    pub authorization_on_file: Option<bool>,
    pub authorization_expires: Option<String>,
    pub pages: u32,
    pub pdf_sha256: String,
    pub documents: Vec<DisclosedDocument>,
}
