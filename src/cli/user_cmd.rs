use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use crate::access::password;
use crate::service::users;

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a user of the web service (an existing user is never changed: use set-role or
    /// reset-password). The password is read from stdin (one line), or asked for on a terminal.
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
    /// Let a disabled user log in again
    Enable { name: String },
    /// Give a user another role (their sessions end)
    SetRole {
        name: String,
        /// viewer, clerk, retention_officer, approver or admin
        #[arg(long)]
        role: String,
    },
    /// Set a user's password, read from stdin (one line) or asked for on a terminal (their
    /// sessions end)
    ResetPassword { name: String },
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
            users::check_name_and_role(&name, &role)?;
            let new = users::NewUser {
                username: name,
                role,
                password: read_password()?,
            };
            let mut archive = ctx.open_archive(true)?;
            let added = users::add(&mut archive, &ctx.actor(), &new)?;
            println!(
                "added user {} with role {}",
                added.username,
                added.role.as_str()
            );
        }
        UserAction::List => {
            let archive = ctx.open_archive(false)?;
            let list = users::list(&archive, &ctx.actor())?;
            if list.is_empty() {
                println!("no users (add one with `chartvault user add NAME --role admin`)");
            }
            for u in list {
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
            users::disable(&mut archive, &ctx.actor(), &name)?;
            println!("user {name} disabled");
        }
        UserAction::Enable { name } => {
            let mut archive = ctx.open_archive(false)?;
            users::enable(&mut archive, &ctx.actor(), &name)?;
            println!("user {name} enabled");
        }
        UserAction::SetRole { name, role } => {
            let mut archive = ctx.open_archive(false)?;
            let role = users::set_role(&mut archive, &ctx.actor(), &name, &role)?;
            println!("user {name} now has role {}", role.as_str());
        }
        UserAction::ResetPassword { name } => {
            let password = read_password()?;
            let mut archive = ctx.open_archive(false)?;
            users::reset_password(&mut archive, &ctx.actor(), &name, &password)?;
            println!("password of user {name} reset");
        }
    }
    Ok(ExitCode::SUCCESS)
}
