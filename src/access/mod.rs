//! Who may do what: the roles of local users and the one permission matrix every web
//! endpoint is checked against (`src/web/routes.rs` names a permission per route).
//!
//! | permission     | viewer | clerk | retention_officer | approver | admin |
//! |----------------|:------:|:-----:|:-----------------:|:--------:|:-----:|
//! | read           |   ✓    |   ✓   |         ✓         |    ✓     |   ✓   |
//! | ingest         |        |   ✓   |                   |          |   ✓   |
//! | release        |        |   ✓   |                   |          |   ✓   |
//! | retention_read |        |       |         ✓         |    ✓     |   ✓   |
//! | hold           |        |       |         ✓         |          |   ✓   |
//! | purge          |        |       |         ✓         |          |   ✓   |
//! | approve        |        |       |                   |    ✓     |   ✓   |
//! | audit          |        |       |                   |          |   ✓   |
//! | admin          |        |       |                   |          |   ✓   |
//!
//! Two-person control does not rest on roles alone: [`crate::purge::approve`] refuses the
//! job's initiator whatever their role.

pub mod password;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Clerk,
    RetentionOfficer,
    Approver,
    Admin,
}

pub const ROLES: [Role; 5] = [
    Role::Viewer,
    Role::Clerk,
    Role::RetentionOfficer,
    Role::Approver,
    Role::Admin,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Clerk => "clerk",
            Role::RetentionOfficer => "retention_officer",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        ROLES.into_iter().find(|r| r.as_str() == s)
    }

    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Viewer => p == Read,
            Role::Clerk => matches!(p, Read | Ingest | Release),
            Role::RetentionOfficer => matches!(p, Read | RetentionRead | Hold | Purge),
            Role::Approver => matches!(p, Read | RetentionRead | Approve),
        }
    }

    pub fn permissions(self) -> Vec<Permission> {
        PERMISSIONS.into_iter().filter(|p| self.can(*p)).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Search, view documents, pages and originals, patient views.
    Read,
    /// Upload scans, watch ingest progress, fix documents in the QA queue.
    Ingest,
    /// Release of information and accounting of disclosures.
    Release,
    /// Retention status report, holds, purge jobs and certificates (read).
    RetentionRead,
    /// Place and release legal holds.
    Hold,
    /// Plan, execute and cancel purge jobs.
    Purge,
    /// Approve purge jobs (never one's own).
    Approve,
    /// Read the audit log.
    Audit,
    /// Manage users.
    Admin,
}

pub const PERMISSIONS: [Permission; 9] = [
    Permission::Read,
    Permission::Ingest,
    Permission::Release,
    Permission::RetentionRead,
    Permission::Hold,
    Permission::Purge,
    Permission::Approve,
    Permission::Audit,
    Permission::Admin,
];

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Ingest => "ingest",
            Permission::Release => "release",
            Permission::RetentionRead => "retention_read",
            Permission::Hold => "hold",
            Permission::Purge => "purge",
            Permission::Approve => "approve",
            Permission::Audit => "audit",
            Permission::Admin => "admin",
        }
    }
}

/// Names the system acts under (the retention sweep plans purges as `scheduler`): no
/// account may take one, or it could pass for the system in the audit log and in a job's
/// initiator.
pub const RESERVED_USERNAMES: &[&str] = &["scheduler", "system"];

/// A user name: 1 to 64 letters, digits, `.`, `_`, `-` (it appears in the audit log), and
/// not a reserved one.
pub fn valid_username(name: &str) -> bool {
    !RESERVED_USERNAMES.contains(&name)
        && !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_reads_only_and_admin_does_everything() {
        assert_eq!(Role::Viewer.permissions(), vec![Permission::Read]);
        assert_eq!(Role::Admin.permissions(), PERMISSIONS.to_vec());
        assert!(!Role::Approver.can(Permission::Purge));
        assert!(!Role::RetentionOfficer.can(Permission::Approve));
        assert!(Role::Clerk.can(Permission::Release));
        for r in ROLES {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn system_names_are_reserved() {
        assert!(!valid_username("scheduler"));
        assert!(!valid_username("system"));
        assert!(valid_username("scheduler2"));
    }

    #[test]
    fn user_names_are_plain() {
        assert!(valid_username("m.ortiz-2"));
        assert!(!valid_username(""));
        assert!(!valid_username("a b"));
        assert!(!valid_username("x\n"));
    }
}
