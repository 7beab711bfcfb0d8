//! What the service's maintenance operations take and answer (`crate::service::maintenance`).

use std::path::PathBuf;

/// Where the key store is and how many keys it holds.
#[derive(Debug, Clone)]
pub struct KeyStoreStatus {
    pub path: PathBuf,
    /// The master key file, or none when it comes from `$CHARTVAULT_MASTER_KEY`.
    pub master_file: Option<PathBuf>,
    pub keys: u64,
}
