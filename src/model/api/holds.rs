//! What the service's holds operations take and answer (`crate::service::holds`).

use serde::{Deserialize, Serialize};

use crate::model::retention::HoldScope;
use crate::model::Hold;

/// A request to place a hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceHold {
    pub matter: String,
    pub reason: String,
    pub scope: HoldScope,
}

/// A placed hold: its id and how many documents it covers now.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedHold {
    pub hold_id: String,
    pub covers: usize,
    pub placed_by: String,
}

/// The patient a patient hold covers (read from a covered document: the hold keeps a keyed
/// tag of the MRN, not the MRN).
#[derive(Debug, Clone, Serialize)]
pub struct HoldPatient {
    pub mrn: Option<String>,
    pub name: Option<String>,
}

/// A hold as people see it: what it covers now (its whole scope: any status, missing
/// fields too) and, for a patient hold, who the patient is.
#[derive(Debug, Clone, Serialize)]
pub struct HoldView {
    #[serde(flatten)]
    pub hold: Hold,
    pub covers: usize,
    pub patient: Option<HoldPatient>,
    /// The covered documents (filled by [`show`] only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<String>>,
}
