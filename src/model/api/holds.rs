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
    /// The covered documents as people read them (filled by [`show`] only; the first
    /// [`MAX_HELD_SHOWN`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<Vec<HeldDocument>>,
}

/// The most covered documents a hold's view describes one by one.
pub const MAX_HELD_SHOWN: usize = 500;

/// A document a hold covers.
#[derive(Debug, Clone, Serialize)]
pub struct HeldDocument {
    pub doc_id: String,
    pub doc_type: String,
    pub service_date: Option<String>,
    pub mrn: Option<String>,
    pub patient_name: Option<String>,
}
