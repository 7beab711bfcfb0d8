//! What the service's sessions operations take and answer (`crate::service::sessions`).

use crate::model::User;

/// A successful login: the account, and the secret session and CSRF tokens to hand back.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub user: User,
    pub token: String,
    pub csrf: String,
}
