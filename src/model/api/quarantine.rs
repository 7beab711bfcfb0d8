//! What the service's quarantine operations take and answer (`crate::service::quarantine`).

use crate::model::retention::Decision;

/// A quarantined scan as people are shown it.
#[derive(Debug, Clone)]
pub struct QuarantinedScan {
    /// SHA-256 of the file (none when it could not be read at all).
    pub sha256: Option<String>,
    pub source_path: String,
    pub reason: String,
    pub at: String,
    /// Whether a sealed copy of the original was kept.
    pub sealed: bool,
    /// Its retention decision today (none without a copy: nothing to keep or destroy).
    pub retention: Option<Decision>,
}
