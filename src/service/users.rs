//! Users of the web service: add, list, change a role, reset a password, disable, enable,
//! unlock. `chartvault user` and `/api/v1/users` both call these. Adding never changes an
//! existing account; an administrator changes their own account through another one.

use super::{Actor, ServiceError};
use crate::access::{password, valid_username, Permission, Role};
use crate::archive::Archive;
use crate::catalog::UserChange;
pub use crate::model::api::users::{AddedUser, NewUser, PasswordReset, RoleChange, UserView};

/// Adds a user (audited). Refused: a name that is not 1 to 64 letters, digits, `.`, `_`,
/// `-` or is the system's own, an unknown role, a short password, a name already taken.
pub fn add(archive: &mut Archive, actor: &Actor, n: &NewUser) -> Result<AddedUser, ServiceError> {
    actor.require(Permission::Admin)?;
    let role = check_name_and_role(&n.username, &n.role)?;
    let hash = password::hash(&n.password).map_err(|e| ServiceError::bad_request(e.to_string()))?;
    if !archive
        .catalog
        .add_user(&n.username, role.as_str(), &hash, &actor.name)?
    {
        return Err(ServiceError::refused(format!(
            "user {} exists already: change their role or reset their password instead",
            n.username
        )));
    }
    Ok(AddedUser {
        username: n.username.clone(),
        role,
        created: true,
    })
}

/// An administrator acting on their own account would lock themselves out (or keep a
/// session a change should end): another administrator does it.
fn not_self(actor: &Actor, name: &str, what: &str) -> Result<(), ServiceError> {
    if actor.name == name {
        return Err(ServiceError::refused(format!(
            "you cannot {what} your own account: ask another administrator"
        )));
    }
    Ok(())
}

fn change(
    archive: &mut Archive,
    actor: &Actor,
    name: &str,
    c: &UserChange,
) -> Result<(), ServiceError> {
    if !archive.catalog.update_user(name, c, &actor.name)? {
        return Err(ServiceError::not_found(format!("no user {name}")));
    }
    Ok(())
}

/// Gives a user another role (audited; their sessions end).
pub fn set_role(
    archive: &mut Archive,
    actor: &Actor,
    name: &str,
    role: &str,
) -> Result<Role, ServiceError> {
    actor.require(Permission::Admin)?;
    let role = check_name_and_role(name, role)?;
    not_self(actor, name, "change the role of")?;
    change(
        archive,
        actor,
        name,
        &UserChange::Role(role.as_str().into()),
    )?;
    Ok(role)
}

/// Sets a user's password (audited; their sessions end). Never one's own: another
/// administrator resets it (there is no self-service here).
pub fn reset_password(
    archive: &mut Archive,
    actor: &Actor,
    name: &str,
    new_password: &str,
) -> Result<(), ServiceError> {
    actor.require(Permission::Admin)?;
    not_self(actor, name, "reset the password of")?;
    let hash =
        password::hash(new_password).map_err(|e| ServiceError::bad_request(e.to_string()))?;
    change(archive, actor, name, &UserChange::Password(hash))
}

/// Lets a disabled user log in again (audited).
pub fn enable(archive: &mut Archive, actor: &Actor, name: &str) -> Result<(), ServiceError> {
    actor.require(Permission::Admin)?;
    if !archive
        .catalog
        .update_user(name, &UserChange::Enable, &actor.name)?
    {
        return Err(match archive.catalog.user(name)? {
            Some(_) => ServiceError::refused(format!("user {name} is not disabled")),
            None => ServiceError::not_found(format!("no user {name}")),
        });
    }
    Ok(())
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
    not_self(actor, name, "disable")?;
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
