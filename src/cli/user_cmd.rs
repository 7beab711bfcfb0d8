use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use crate::access::{password, valid_username, Role};

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a user of the web service, or set an existing user's role and password.
    /// The password is read from stdin (one line), or asked for on a terminal.
    Add {
        name: String,
        /// viewer, clerk, retention_officer, approver or admin
        #[arg(long)]
        role: String,
    },
    /// List users and roles
    List,
    /// Disable a user (their sessions end at once)
    Disable { name: String },
}

pub(crate) fn read_password() -> anyhow::Result<String> {
    read_secret(&format!(
        "password (input is shown; at least {} characters): ",
        password::MIN_LENGTH
    ))
}

/// One line from stdin, with `prompt` first on a terminal.
pub(crate) fn read_secret(prompt: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}");
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn run(ctx: &Context, args: UserArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        UserAction::Add { name, role } => {
            if !valid_username(&name) {
                anyhow::bail!(
                    "user name {name:?}: use 1 to 64 letters, digits, '.', '_' or '-' \
                     (scheduler and system are the system's own names)"
                );
            }
            let Some(role) = Role::parse(&role) else {
                anyhow::bail!(
                    "unknown role {role:?} (viewer, clerk, retention_officer, approver, admin)"
                );
            };
            let hash = password::hash(&read_password()?)?;
            let mut archive = ctx.open_archive(true)?;
            let created = archive
                .catalog
                .put_user(&name, role.as_str(), &hash, &ctx.user)?;
            println!(
                "{} user {name} with role {}",
                if created { "added" } else { "updated" },
                role.as_str()
            );
        }
        UserAction::List => {
            let archive = ctx.open_archive(false)?;
            let users = archive.catalog.users()?;
            if users.is_empty() {
                println!("no users (add one with `chartvault user add NAME --role admin`)");
            }
            for u in users {
                println!(
                    "{:<20} {:<18} added {} by {}{}",
                    u.username,
                    u.role,
                    u.created_at,
                    u.created_by,
                    u.disabled_at
                        .map(|d| format!("  DISABLED {d}"))
                        .unwrap_or_default()
                );
            }
        }
        UserAction::Disable { name } => {
            let mut archive = ctx.open_archive(false)?;
            if !archive.catalog.disable_user(&name, &ctx.user)? {
                anyhow::bail!("no enabled user {name}");
            }
            println!("user {name} disabled");
        }
    }
    Ok(ExitCode::SUCCESS)
}
