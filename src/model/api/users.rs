//! What the service's users operations take and answer (`crate::service::users`).

use serde::{Deserialize, Serialize};

use crate::access::Role;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub role: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AddedUser {
    pub username: String,
    pub role: Role,
    /// Always true: adding never changes an existing account.
    pub created: bool,
}

/// A new role for a user.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: String,
}

/// A new password for a user.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub username: String,
    pub role: String,
    pub created_at: String,
    pub created_by: String,
    pub disabled_at: Option<String>,
}
