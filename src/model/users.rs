//! The people of the archive as data: users and their login sessions.

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub username: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: String,
    pub created_by: String,
    pub disabled_at: Option<String>,
}

/// A live session joined with its (enabled) user.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub username: String,
    pub role: String,
    pub csrf: String,
    pub expires_at: String,
}
