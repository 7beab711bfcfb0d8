//! `chartvault keys`: where the key store is, and a copy of it for disaster recovery.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;
use crate::service::maintenance;

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Where the key store and master key are, and how many keys it holds.
    Status,
    /// Copy the key store (and the master key file, if it is one) into a new folder.
    Backup {
        /// Destination folder (new or empty); keep it offline and apart from archive backups
        dest: PathBuf,
        /// Do not copy the master key file (store it separately yourself)
        #[arg(long)]
        without_master: bool,
    },
}

pub fn run(ctx: &Context, args: KeysArgs) -> anyhow::Result<ExitCode> {
    let mut archive = ctx.open_archive(false)?;
    let actor = ctx.actor();
    match args.command {
        KeysCommand::Status => {
            let st = maintenance::key_store_status(&archive, &actor)?;
            println!("key store:  {}", st.path.display());
            match &st.master_file {
                Some(f) => println!("master key: {}", f.display()),
                None => println!("master key: $CHARTVAULT_MASTER_KEY"),
            }
            println!("keys:       {}", st.keys);
        }
        KeysCommand::Backup {
            dest,
            without_master,
        } => {
            let (count, copied_master) =
                maintenance::backup_key_store(&mut archive, &actor, &dest, without_master)?;
            println!(
                "copied {count} keys to {}{}",
                dest.display(),
                if copied_master {
                    " with the master key"
                } else {
                    " (without the master key)"
                }
            );
            println!(
                "keep this copy offline and apart from archive backups: it can read the whole \
                 archive. Replace it after every purge: an older copy still holds the keys of \
                 documents destroyed since."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
