//! Logging in and out of the web service: passwords checked, sessions created and ended,
//! each audited. The caller (the web door) keeps the login delays per address and the
//! cookie; only a token's hash is stored.

use super::ServiceError;
use crate::archive::Archive;
use crate::catalog::Session;
pub use crate::model::api::sessions::LoggedIn;
use crate::store::sha256_hex;

/// A random 256-bit token, hex.
pub fn random_token() -> String {
    use rand_core::RngCore;
    let mut b = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Checks a password; on success opens a session lasting `hours` (audited as `login`,
/// a failure as `login_failed`). `None` for a wrong name or password (or a disabled user).
pub fn login(
    a: &mut Archive,
    username: &str,
    password: &str,
    hours: i64,
    bearer: bool,
) -> Result<Option<LoggedIn>, ServiceError> {
    let Some(user) = a.catalog.authenticate(username, password)? else {
        a.catalog
            .audit(username, "login_failed", username, serde_json::json!({}))?;
        return Ok(None);
    };
    let token = random_token();
    let csrf = random_token();
    let expires = chrono::Utc::now() + chrono::Duration::hours(hours);
    a.catalog.create_session(
        &sha256_hex(token.as_bytes()),
        &user.username,
        &csrf,
        &expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )?;
    a.catalog.audit(
        &user.username,
        "login",
        &user.username,
        serde_json::json!({"bearer": bearer}),
    )?;
    Ok(Some(LoggedIn { user, token, csrf }))
}

/// The live session a token opens, if any (expired sessions and disabled users: none).
pub fn session(a: &Archive, token: &str) -> Result<Option<Session>, ServiceError> {
    Ok(a.catalog.session(&sha256_hex(token.as_bytes()))?)
}

/// Ends the session of `token` (when given) and audits the logout.
pub fn logout(a: &mut Archive, username: &str, token: Option<&str>) -> Result<(), ServiceError> {
    if let Some(t) = token {
        a.catalog.end_session(&sha256_hex(t.as_bytes()))?;
    }
    a.catalog
        .audit(username, "logout", username, serde_json::json!({}))?;
    Ok(())
}
