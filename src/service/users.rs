//! Users of the web service: add (or update), list, disable. `chartvault user` and
//! `/api/v1/users` both call these.

use super::{Actor, ServiceError};
use crate::access::{password, valid_username, Permission, Role};
use crate::archive::Archive;
pub use crate::model::api::users::{AddedUser, NewUser, UserView};

/// Adds a user, or sets an existing user's role and password (audited). Refused: a name
/// that is not 1 to 64 letters, digits, `.`, `_`, `-` or is the system's own, an unknown
/// role, a short password.
pub fn add(archive: &mut Archive, actor: &Actor, n: &NewUser) -> Result<AddedUser, ServiceError> {
    actor.require(Permission::Admin)?;
    let role = check_name_and_role(&n.username, &n.role)?;
    let hash = password::hash(&n.password).map_err(|e| ServiceError::bad_request(e.to_string()))?;
    let created = archive
        .catalog
        .put_user(&n.username, role.as_str(), &hash, &actor.name)?;
    Ok(AddedUser {
        username: n.username.clone(),
        role,
        created,
    })
}

/// The name and role of a new user, checked (the CLI asks before prompting for a password).
pub fn check_name_and_role(username: &str, role: &str) -> Result<Role, ServiceError> {
    if !valid_username(username) {
        return Err(ServiceError::bad_request(format!(
            "user name {username:?}: use 1 to 64 letters, digits, '.', '_' or '-' (scheduler \
             and system are the system's own names)"
        )));
    }
    Role::parse(role).ok_or_else(|| {
        ServiceError::bad_request(format!(
            "unknown role {role:?} (viewer, clerk, retention_officer, approver, admin)"
        ))
    })
}

pub fn list(archive: &Archive, actor: &Actor) -> Result<Vec<UserView>, ServiceError> {
    actor.require(Permission::Admin)?;
    Ok(archive
        .catalog
        .users()?
        .into_iter()
        .map(|u| UserView {
            username: u.username,
            role: u.role,
            created_at: u.created_at,
            created_by: u.created_by,
            disabled_at: u.disabled_at,
        })
        .collect())
}

/// Disables a user (audited): no login, no purge step; the history keeps the name.
pub fn disable(archive: &mut Archive, actor: &Actor, name: &str) -> Result<(), ServiceError> {
    actor.require(Permission::Admin)?;
    if !archive.catalog.disable_user(name, &actor.name)? {
        return Err(ServiceError::not_found(format!("no enabled user {name}")));
    }
    Ok(())
}

/// Records that an administrator cleared a user's login delays (`sources` of them; the
/// delays themselves live in the web service's memory).
pub fn unlocked(
    archive: &mut Archive,
    actor: &Actor,
    name: &str,
    sources: usize,
) -> Result<(), ServiceError> {
    actor.require(Permission::Admin)?;
    if archive.catalog.user(name)?.is_none() {
        return Err(ServiceError::not_found(format!("no user {name}")));
    }
    archive.catalog.audit(
        &actor.name,
        "user_unlock",
        name,
        serde_json::json!({"sources_cleared": sources}),
    )?;
    Ok(())
}

/// Whether the archive has any user account yet (serve says how to add the first).
pub fn count(archive: &Archive) -> Result<usize, ServiceError> {
    Ok(archive.catalog.users()?.len())
}
