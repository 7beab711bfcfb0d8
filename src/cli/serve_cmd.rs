use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Scanner folder: files dropped here are ingested once they stop growing, then moved
    /// to done/ or failed/ (with a .reason.txt)
    #[arg(long)]
    pub watch: Option<PathBuf>,
    /// Largest upload accepted, in MB
    #[arg(long, default_value_t = 512)]
    pub max_upload_mb: usize,
    /// Hours a login lasts
    #[arg(long, default_value_t = 10)]
    pub session_hours: i64,
    /// Do not run the daily retention sweep in this process
    #[arg(long)]
    pub no_sweep: bool,
    /// Minutes between checks for a new day (retention sweep)
    #[arg(long, default_value_t = 5)]
    pub sweep_check_minutes: u64,
    /// Requests that read the archive (search, view, release) served at the same time
    #[arg(long, default_value_t = 4)]
    pub readers: usize,
    /// Speak HTTPS: the certificate chain (PEM), with --tls-key
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Speak HTTPS: the certificate's private key (PEM), with --tls-cert
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Address of a reverse proxy that terminates HTTPS in front of this service (may be
    /// given more than once): cookies are marked Secure and its requests' client address is
    /// taken from the X-Forwarded-For header it adds
    #[arg(long)]
    pub trusted_proxy: Vec<std::net::IpAddr>,
}

pub fn run(ctx: &Context, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if let Some(w) = &args.watch {
        if !w.is_dir() {
            anyhow::bail!(
                "watch folder {} does not exist or is not a folder",
                w.display()
            );
        }
    }
    if !(1..=32).contains(&args.readers) {
        anyhow::bail!("--readers must be 1 to 32");
    }
    if !(1..=24 * 7).contains(&args.session_hours) {
        anyhow::bail!("--session-hours must be 1 to 168");
    }
    crate::web::serve(crate::web::Settings {
        archive_dir: ctx.archive_dir.clone(),
        keys_dir: ctx.keys_dir.clone(),
        config: ctx.config.clone(),
        schedule: ctx.schedule.clone(),
        addr: args.addr,
        watch: args.watch,
        max_upload_bytes: args.max_upload_mb.max(1) * 1024 * 1024,
        session_hours: args.session_hours,
        sweep: !args.no_sweep,
        sweep_check_minutes: args.sweep_check_minutes,
        readers: args.readers,
        transport: crate::web::transport::Transport {
            tls: args
                .tls_cert
                .zip(args.tls_key)
                .map(|(cert, key)| crate::web::transport::TlsFiles { cert, key }),
            trusted_proxies: args.trusted_proxy,
        },
    })?;
    Ok(ExitCode::SUCCESS)
}
