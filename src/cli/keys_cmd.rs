//! `chartvault keys`: where the key store is, and a copy of it for disaster recovery.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::Context;

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
    let keys = archive.keys.clone();
    match args.command {
        KeysCommand::Status => {
            println!("key store:  {}", keys.path().display());
            match keys.master_file() {
                Some(f) => println!("master key: {}", f.display()),
                None => println!("master key: $CHARTVAULT_MASTER_KEY"),
            }
            println!("keys:       {}", keys.count()?);
        }
        KeysCommand::Backup {
            dest,
            without_master,
        } => {
            let inside =
                std::path::absolute(&dest)?.starts_with(std::path::absolute(&archive.root)?);
            if inside {
                anyhow::bail!(
                    "{} is inside the archive folder; a key copy must live apart from the archive",
                    dest.display()
                );
            }
            keys.backup_to(&dest)?;
            let count = keys.count()?;
            let mut copied_master = false;
            if let (Some(master), false) = (keys.master_file(), without_master) {
                copy_private(master, &dest.join("master.key"))?;
                copied_master = true;
            }
            archive.catalog.audit(
                &ctx.user,
                "keys_backup",
                "key store",
                serde_json::json!({"dest": dest.display().to_string(), "keys": count,
                                   "master_copied": copied_master}),
            )?;
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

fn copy_private(src: &std::path::Path, dest: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write;
    let bytes = std::fs::read(src)
        .map_err(|e| anyhow::anyhow!("cannot read master key {}: {e}", src.display()))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(dest)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", dest.display()))?;
    f.write_all(&bytes)?;
    f.sync_all()?;
    Ok(())
}
