//! Local users of the web service and their login sessions. Passwords arrive hashed
//! (argon2, [`crate::access::password`]); session tokens arrive hashed (SHA-256), so the
//! catalog never holds a secret that logs someone in.

use rusqlite::{params, OptionalExtension};

use super::{now, Catalog, CatalogError};
pub use crate::model::users::{Session, User};

/// Sessions live on the real clock (a test clock moving years ahead must not log people
/// out, nor keep an expired session alive).
fn wall_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Audit actions that create, re-enable or change an account (password, role). Whoever
/// was such a change, and whoever made it, after a purge job was planned cannot approve
/// that job ([`crate::purge::approve`]). Every new account-changing action goes here.
pub const ACCOUNT_CHANGE_ACTIONS: &[&str] = &["user_add", "user_update"];

/// What [`Catalog::update_user`] changes.
#[derive(Debug, Clone, PartialEq)]
pub enum UserChange {
    Role(String),
    /// The new password's hash.
    Password(String),
    Enable,
}

/// An account change recorded in the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountChange {
    pub action: String,
    /// Who made the change.
    pub by: String,
    /// The account changed.
    pub subject: String,
    pub at: String,
}

impl AccountChange {
    /// "created", "changed" (password or role, or re-enabled).
    pub fn what(&self) -> &'static str {
        match self.action.as_str() {
            "user_add" => "created",
            _ => "changed (password, role or re-enabled)",
        }
    }
}

impl Catalog {
    /// Adds a user (audited as `user_add`). Returns false, changing nothing, when the name
    /// is taken: a role or password is changed on purpose ([`Catalog::update_user`]), never
    /// by adding a user of the same name.
    pub fn add_user(
        &mut self,
        username: &str,
        role: &str,
        password_hash: &str,
        by: &str,
    ) -> Result<bool, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "INSERT INTO users(username, role, password_hash, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(username) DO NOTHING",
            params![username, role, password_hash, now(), by],
        )?;
        if n == 0 {
            return Ok(false);
        }
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            by,
            "user_add",
            username,
            &serde_json::json!({"role": role}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(true)
    }

    /// Changes an account: its role, its password, or enables it again (audited as
    /// `user_update`, the detail naming what changed). Ends the user's sessions. Returns
    /// false when there is no such user.
    pub fn update_user(
        &mut self,
        username: &str,
        change: &UserChange,
        by: &str,
    ) -> Result<bool, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = match change {
            UserChange::Role(role) => tx.execute(
                "UPDATE users SET role = ?2 WHERE username = ?1",
                params![username, role],
            )?,
            UserChange::Password(hash) => tx.execute(
                "UPDATE users SET password_hash = ?2 WHERE username = ?1",
                params![username, hash],
            )?,
            // Only a disabled account: enabling an enabled one changes nothing (and must not
            // count as an account change for purge approvals).
            UserChange::Enable => tx.execute(
                "UPDATE users SET disabled_at = NULL WHERE username = ?1 AND disabled_at IS NOT NULL",
                params![username],
            )?,
        };
        if n == 0 {
            return Ok(false);
        }
        tx.execute("DELETE FROM sessions WHERE username = ?1", [username])?;
        let detail = match change {
            UserChange::Role(role) => serde_json::json!({"role": role}),
            UserChange::Password(_) => serde_json::json!({"password": "reset"}),
            UserChange::Enable => serde_json::json!({"enabled": true}),
        };
        let (seq, hash) =
            super::audit::append_tx(&tx, &self.keys, by, "user_update", username, &detail)?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(true)
    }

    /// Disables a user and ends their sessions. Returns false when there is no such user.
    pub fn disable_user(&mut self, username: &str, by: &str) -> Result<bool, CatalogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE users SET disabled_at = ?2 WHERE username = ?1 AND disabled_at IS NULL",
            params![username, now()],
        )?;
        tx.execute("DELETE FROM sessions WHERE username = ?1", [username])?;
        if n == 0 {
            return Ok(false);
        }
        let (seq, hash) = super::audit::append_tx(
            &tx,
            &self.keys,
            by,
            "user_disable",
            username,
            &serde_json::json!({}),
        )?;
        tx.commit()?;
        self.write_head(seq, &hash);
        Ok(true)
    }

    /// The enabled account `username` if `password` is its password. An unknown name costs
    /// the time a real check takes (no timing hint). The one check behind web logins and
    /// the command line's purge steps.
    pub fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, CatalogError> {
        let user = self.user(username)?;
        let ok = match &user {
            Some(u) if u.disabled_at.is_none() => {
                crate::access::password::verify(password, &u.password_hash)
            }
            _ => {
                crate::access::password::verify_dummy(password);
                false
            }
        };
        Ok(user.filter(|_| ok))
    }

    pub fn user(&self, username: &str) -> Result<Option<User>, CatalogError> {
        Ok(self
            .conn
            .query_row(
                "SELECT username, role, password_hash, created_at, created_by, disabled_at
                 FROM users WHERE username = ?1",
                [username],
                user_row,
            )
            .optional()?)
    }

    pub fn users(&self) -> Result<Vec<User>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT username, role, password_hash, created_at, created_by, disabled_at
             FROM users ORDER BY username",
        )?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Account changes recorded after purge job `job` was planned (its `purge_plan` audit
    /// entry) that concern `user`: changes of `user`'s own account, and changes `user` made
    /// to any account. Ordered by the audit sequence, so clocks do not matter. A job with no
    /// plan entry counts every change (fail closed).
    pub fn account_changes_after(
        &self,
        job: &str,
        user: &str,
    ) -> Result<Vec<AccountChange>, CatalogError> {
        let planned: i64 = self
            .conn
            .query_row(
                "SELECT MIN(seq) FROM audit_log WHERE action = 'purge_plan' AND subject = ?1",
                [job],
                |r| r.get::<_, Option<i64>>(0),
            )?
            .unwrap_or(0);
        let actions = ACCOUNT_CHANGE_ACTIONS
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self.conn.prepare(&format!(
            "SELECT action, user, subject, at FROM audit_log
             WHERE seq > ?1 AND action IN ({actions}) AND (subject = ?2 OR user = ?2)
             ORDER BY seq"
        ))?;
        let rows = stmt.query_map(params![planned, user], |r| {
            Ok(AccountChange {
                action: r.get(0)?,
                by: r.get(1)?,
                subject: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn create_session(
        &mut self,
        token_hash: &str,
        username: &str,
        csrf: &str,
        expires_at: &str,
    ) -> Result<(), CatalogError> {
        let at = wall_now();
        self.conn
            .execute("DELETE FROM sessions WHERE expires_at < ?1", [&at])?;
        self.conn.execute(
            "INSERT INTO sessions(token_hash, username, csrf, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, username, csrf, at, expires_at],
        )?;
        Ok(())
    }

    /// The unexpired session with this token hash, if its user is still enabled.
    pub fn session(&self, token_hash: &str) -> Result<Option<Session>, CatalogError> {
        Ok(self
            .conn
            .query_row(
                "SELECT u.username, u.role, s.csrf, s.expires_at
                 FROM sessions s JOIN users u ON u.username = s.username
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL",
                params![token_hash, wall_now()],
                |r| {
                    Ok(Session {
                        username: r.get(0)?,
                        role: r.get(1)?,
                        csrf: r.get(2)?,
                        expires_at: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn end_session(&mut self, token_hash: &str) -> Result<bool, CatalogError> {
        Ok(self
            .conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?
            > 0)
    }
}

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
    Ok(User {
        username: r.get(0)?,
        role: r.get(1)?,
        password_hash: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        disabled_at: r.get(5)?,
    })
}
