//! The command-line interface: one file per subcommand. Errors become one sentence on
//! stderr and an exit code; no panics, no stack traces.

mod audit_cmd;
mod backup_cmd;
mod bench_cmd;
mod classify_cmd;
mod eval_cmd;
mod export_cmd;
mod fuzz_cmd;
mod hold_cmd;
mod ingest_cmd;
mod keys_cmd;
mod ocr_floor_cmd;
mod purge_cmd;
mod quarantine_cmd;
mod rasterize_cmd;
mod reindex_cmd;
mod retention_cmd;
mod review_cmd;
mod scheduler_cmd;
mod search_cmd;
mod serve_cmd;
mod show_cmd;
mod train_cmd;
mod user_cmd;
mod verify_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::archive::Archive;
use crate::config::PipelineConfig;

/// Exit code when a command ran but found problems (quarantined scans, failed checks).
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code for errors that stopped the command (bad arguments, archive unusable).
pub const EXIT_ERROR: u8 = 2;

/// The version `--version` prints; a build with the test seams says so.
#[cfg(not(feature = "test-hooks"))]
const VERSION: &str = env!("CARGO_PKG_VERSION");
#[cfg(feature = "test-hooks")]
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " TEST BUILD (test clock and failpoints compiled in: not for use on records)"
);

#[derive(Debug, Parser)]
#[command(
    name = "chartvault",
    version = VERSION,
    about = "Scanned medical charts in, searchable archive out.",
    after_help = "Exit codes: 0 success; 1 the command ran but found problems (e.g. scans \
                  quarantined, verification failures); 2 error (bad arguments, unusable archive)."
)]
pub struct Cli {
    /// Archive folder [default: $CHARTVAULT_ARCHIVE, else ./archive]
    #[arg(
        long,
        global = true,
        env = "CHARTVAULT_ARCHIVE",
        default_value = "archive"
    )]
    pub archive: PathBuf,
    /// Key store folder (per-document keys; keep it apart from the archive and its backups)
    /// [default: $CHARTVAULT_KEYS, else where the archive recorded it, else <archive>.keys]
    #[arg(long, global = true, env = "CHARTVAULT_KEYS")]
    pub keys: Option<PathBuf>,
    /// Who is acting, for the audit log [default: $CHARTVAULT_USER, else $USER]
    #[arg(long, global = true, env = "CHARTVAULT_USER")]
    pub user: Option<String>,
    /// Retention schedule (TOML) [default: the embedded pipelines/retention.toml]
    #[arg(long, global = true)]
    pub retention: Option<PathBuf>,
    /// Retention profile of the schedule [default: its active_profile]
    #[arg(long, global = true)]
    pub retention_profile: Option<String>,
    /// Pipeline definition (TOML) [default: the embedded pipelines/default.toml]
    #[arg(long, global = true)]
    pub pipeline: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest scans (PDF, TIFF, PNG, JPEG files, or folders) into the archive.
    Ingest(ingest_cmd::IngestArgs),
    /// Full-text search with filters.
    Search(search_cmd::SearchArgs),
    /// The web service and UI (search, viewer, release of information, retention desk).
    Serve(serve_cmd::ServeArgs),
    /// Users of the web service: add, list, disable.
    User(user_cmd::UserArgs),
    /// Show one document: metadata and page text.
    Show(show_cmd::ShowArgs),
    /// Export every scan and document as JSON Lines (contract v1) on stdout.
    Export(export_cmd::ExportArgs),
    /// Check stored blobs against their hashes and the index against the catalog.
    Verify(verify_cmd::VerifyArgs),
    /// Rebuild the search index from the catalog.
    Reindex(reindex_cmd::ReindexArgs),
    /// Evaluate accuracy and speed on a corpus with a manifest.jsonl.
    Eval(eval_cmd::EvalArgs),
    /// The review queue: documents a person should check (unclassified, uncertain split,
    /// conflicting patient fields, low OCR confidence).
    Review(review_cmd::ReviewArgs),
    /// Set a document's type by hand (recorded; re-indexed; used by `train --from-archive`).
    Reclassify(review_cmd::ReclassifyArgs),
    /// Retention status report, recompute, schedule in use.
    Retention(retention_cmd::RetentionArgs),
    /// Legal holds: place, list, show, release.
    Hold(hold_cmd::HoldArgs),
    /// Purge jobs: plan (dry run), approve, execute, certificates of destruction.
    Purge(purge_cmd::PurgeArgs),
    /// The retention sweep (recompute, plan, execute approved jobs).
    Scheduler(scheduler_cmd::SchedulerArgs),
    /// Write a verified backup of the archive into a new folder (safe while in use).
    Backup(backup_cmd::BackupArgs),
    /// Restore a backup into --archive (a new folder), rebuild the index and verify.
    Restore(backup_cmd::RestoreArgs),
    /// The key store (per-document keys): status, backup copy.
    Keys(keys_cmd::KeysArgs),
    /// The tamper-evident audit log: verify, list, checkpoint.
    Audit(audit_cmd::AuditArgs),
    /// Scans that could not be read: list, export the sealed original, purge.
    Quarantine(quarantine_cmd::QuarantineArgs),
    /// Train the document-type model from a corpus and/or reviewed archive documents.
    Train(train_cmd::TrainArgs),
    /// Classify texts given as JSON Lines on stdin (for comparisons with other classifiers).
    #[command(hide = true)]
    Classify(classify_cmd::ClassifyArgs),
    /// Scale benchmarks: synthetic archives, search latency.
    #[command(hide = true)]
    Bench(bench_cmd::BenchArgs),
    /// Time in-process tesseract recognition alone on page images (benchmark floor).
    #[command(hide = true)]
    OcrFloor(ocr_floor_cmd::OcrFloorArgs),
    /// Write the decoded pages of scans as PNG files (for benchmarks against other tools).
    #[command(hide = true)]
    Rasterize(rasterize_cmd::RasterizeArgs),
    /// Mutation-fuzz every decoder with the format matrix and samples as seeds: reports
    /// inputs tried, panics, hangs and peak memory (exit 1 on any finding).
    FuzzDecoders(fuzz_cmd::FuzzArgs),
}

/// Tesseract's OpenMP threads busy-wait and fight our one-engine-per-core workers (measured:
/// 5x slower ingest). libgomp reads `OMP_THREAD_LIMIT` only when it loads, before `main`,
/// so when it is unset the binary re-executes itself once with it set to 1.
pub fn ensure_single_threaded_openmp() {
    #[cfg(unix)]
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            // `exec` returns only if it failed; then we simply run as we are.
            let _ = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env("OMP_THREAD_LIMIT", "1")
                .exec();
        }
    }
}

/// Page images are 8-25 MB buffers allocated and freed for every page (decode, level, turn,
/// thicken, and tesseract's own copies). glibc hands memory that size back to the kernel
/// when it is freed, so every page faulted in and zeroed fresh memory again. Keeping freed
/// memory in the process for reuse, dev corpus ingest, old and new binary alternating: wall
/// 92.5 / 91.0 s -> 89.1 / 89.2 s, system time 3.8 / 2.9 -> 0.9 / 1.1 s, peak RSS 376-391 ->
/// 416-427 MiB.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any threads start.
    unsafe {
        // Allocations below 32 MB (glibc's ceiling) come from the heap, not fresh mmaps...
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        // ...and the heap keeps up to 512 MB free before trimming, growing 64 MB at a time.
        libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(EXIT_ERROR),
            };
        }
    };
    init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            // A service error carries its exit code; everything else stopped the command.
            let code = e
                .chain()
                .find_map(|c| c.downcast_ref::<crate::service::ServiceError>())
                .map_or(EXIT_ERROR, |s| s.code.exit_code());
            ExitCode::from(code)
        }
    }
}

/// Output piped into `head` and closed early is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging() {
    // Logs carry ids and hashes only; off unless CHARTVAULT_LOG is set (e.g. "info").
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHARTVAULT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = match &cli.pipeline {
        Some(p) => PipelineConfig::load(p)?,
        None => PipelineConfig::embedded(),
    };
    let schedule = match &cli.retention {
        Some(p) => crate::retention::Schedule::load(p, cli.retention_profile.as_deref())?,
        None => crate::retention::Schedule::parse(
            crate::retention::schedule::DEFAULT_RETENTION_TOML,
            "<embedded retention.toml>",
            cli.retention_profile.as_deref(),
        )?,
    };
    let user = cli
        .user
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(os_account);
    let ctx = Context {
        archive_dir: cli.archive,
        keys_dir: cli.keys,
        config,
        schedule,
        user,
    };
    match cli.command {
        Command::Ingest(a) => ingest_cmd::run(&ctx, a),
        Command::Search(a) => search_cmd::run(&ctx, a),
        Command::Serve(a) => serve_cmd::run(&ctx, a),
        Command::User(a) => user_cmd::run(&ctx, a),
        Command::Show(a) => show_cmd::run(&ctx, a),
        Command::Export(a) => export_cmd::run(&ctx, a),
        Command::Verify(a) => verify_cmd::run(&ctx, a),
        Command::Reindex(a) => reindex_cmd::run(&ctx, a),
        Command::Eval(a) => eval_cmd::run(&ctx, a),
        Command::Review(a) => review_cmd::run_review(&ctx, a),
        Command::Reclassify(a) => review_cmd::run_reclassify(&ctx, a),
        Command::Retention(a) => retention_cmd::run(&ctx, a),
        Command::Hold(a) => hold_cmd::run(&ctx, a),
        Command::Purge(a) => purge_cmd::run(&ctx, a),
        Command::Scheduler(a) => scheduler_cmd::run(&ctx, a),
        Command::Backup(a) => backup_cmd::backup(&ctx, a),
        Command::Restore(a) => backup_cmd::restore(&ctx, a),
        Command::Keys(a) => keys_cmd::run(&ctx, a),
        Command::Audit(a) => audit_cmd::run(&ctx, a),
        Command::Train(a) => train_cmd::run(&ctx, a),
        Command::Classify(a) => classify_cmd::run(&ctx, a),
        Command::Bench(a) => bench_cmd::run(&ctx, a),
        Command::OcrFloor(a) => ocr_floor_cmd::run(&ctx, a),
        Command::Rasterize(a) => rasterize_cmd::run(&ctx, a),
        Command::Quarantine(a) => quarantine_cmd::run(&ctx, a),
        Command::FuzzDecoders(a) => fuzz_cmd::run(&ctx, a),
    }
}

pub struct Context {
    pub archive_dir: PathBuf,
    pub keys_dir: Option<PathBuf>,
    pub config: PipelineConfig,
    pub schedule: crate::retention::Schedule,
    /// Who the audit log names (`--user`).
    pub user: String,
}

impl Context {
    pub fn open_archive(&self, create: bool) -> anyhow::Result<Archive> {
        let mut a = Archive::open(
            &self.archive_dir,
            self.keys_dir.as_deref(),
            &self.config,
            create,
        )?;
        a.set_actor(&self.user);
        Ok(a)
    }

    /// The operator at the console, as the service layer sees them.
    pub fn actor(&self) -> crate::service::Actor {
        crate::service::Actor::operator(&self.user)
    }
}

/// Who runs the command when `--user` is not given: `$USER`, `$LOGNAME`, else the name of
/// the process's account (a service or container may set neither), else `uid N`. Never
/// "unknown": the audit log names a real account.
fn os_account() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(v) = std::env::var(var) {
            if !v.trim().is_empty() {
                return v;
            }
        }
    }
    // SAFETY: getpwuid_r writes into the buffers given; the name is read only on success.
    unsafe {
        let uid = libc::geteuid();
        let mut pw: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut out: *mut libc::passwd = std::ptr::null_mut();
        if libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut out) == 0
            && !out.is_null()
            && !pw.pw_name.is_null()
        {
            if let Ok(name) = std::ffi::CStr::from_ptr(pw.pw_name).to_str() {
                if !name.is_empty() {
                    return name.to_string();
                }
            }
        }
        format!("uid {uid}")
    }
}
