//! `chartvault serve`: the archive behind a web service (axum on tokio), one process.
//!
//! ```text
//! browser / API client ──HTTP──▶ routes (auth: session cookie + CSRF, or bearer token;
//!   every route names a permission) ──spawn_blocking──▶ reader Archive (search, view,
//!   release; audit entries) │ writer Archive (index writer: holds, purges, QA fixes)
//! ingest queue thread (uploads, --watch folder) ──▶ writer Archive, per scan commit
//! retention sweep thread ──▶ writer Archive, per sweep step, once a day (as `scheduler run`)
//! ```
//! A pool of reader handles (`--readers`, default 4) so that searches and views go on side by
//! side, and while a scan is ingested, a release PDF is built or a purge runs; each reader
//! moves to the index's latest commit before each request. One writer holds the index writer.

mod api_documents;
mod api_ingest;
mod api_release;
mod api_retention;
mod auth;
pub mod error;
mod extract;
mod ingest_queue;
pub mod routes;
mod sweep;
pub mod transport;
mod ui;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};

use crate::archive::Archive;
use crate::config::PipelineConfig;
use crate::retention::Schedule;
pub use error::ApiError;

/// What `serve` was started with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub archive_dir: PathBuf,
    pub keys_dir: Option<PathBuf>,
    pub config: PipelineConfig,
    pub schedule: Schedule,
    pub addr: SocketAddr,
    /// Scanner folder to ingest from (files move to done/ or failed/).
    pub watch: Option<PathBuf>,
    pub max_upload_bytes: usize,
    pub session_hours: i64,
    /// Run the daily retention sweep in this process.
    pub sweep: bool,
    pub sweep_check_minutes: u64,
    /// Archive handles serving reads at the same time.
    pub readers: usize,
    /// HTTPS here, behind a trusted proxy, or plain HTTP.
    pub transport: transport::Transport,
}

/// Reader archives, each lent to one request at a time.
struct ReaderPool {
    free: Mutex<Vec<Archive>>,
    returned: Condvar,
}

/// A lent reader; it goes back to the pool when dropped (also when the request panicked).
struct Lent<'a> {
    pool: &'a ReaderPool,
    archive: Option<Archive>,
}

impl ReaderPool {
    fn take(&self) -> Lent<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(a) = free.pop() {
                return Lent {
                    pool: self,
                    archive: Some(a),
                };
            }
            free = self.returned.wait(free).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(a) = self.archive.take() {
            let mut free = self.pool.free.lock().unwrap_or_else(|e| e.into_inner());
            free.push(a);
            self.pool.returned.notify_one();
        }
    }
}

pub struct AppState {
    pub settings: Settings,
    readers: ReaderPool,
    writer: Mutex<Archive>,
    pub ingest: ingest_queue::Queue,
    logins: auth::LoginThrottle,
}

impl AppState {
    /// Runs `f` on the reader archive on a blocking thread, at the index's latest commit.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Archive, &AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut lent = state.readers.take();
            let archive = lent.archive.as_mut().expect("a lent reader");
            archive.refresh_index()?;
            f(archive, &state)
        })
        .await
        .map_err(|e| ApiError::internal(format!("request task failed: {e}")))?
    }

    /// Runs `f` on the writer archive (it holds the index writer) on a blocking thread.
    pub async fn write<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Archive, &AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut archive = state.writer.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut archive, &state)
        })
        .await
        .map_err(|e| ApiError::internal(format!("request task failed: {e}")))?
    }
}

/// Opens the archive (creating it when missing), binds, prints the address and serves
/// until interrupted (Ctrl-C or SIGTERM).
pub fn serve(settings: Settings) -> anyhow::Result<()> {
    let tls = settings.transport.server_config()?;
    let open = || {
        Archive::open(
            &settings.archive_dir,
            settings.keys_dir.as_deref(),
            &settings.config,
            true,
        )
    };
    let mut writer = open()?;
    writer.begin_writing()?;
    writer.sync_index()?;
    writer.set_actor("chartvault-serve");
    let readers = (0..settings.readers.clamp(1, 32))
        .map(|_| open())
        .collect::<Result<Vec<_>, _>>()?;
    let users = crate::service::users::count(&readers[0])?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = std::net::TcpListener::bind(settings.addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.addr))?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let state = Arc::new(AppState {
            ingest: ingest_queue::Queue::new(&settings)?,
            settings,
            readers: ReaderPool {
                free: Mutex::new(readers),
                returned: Condvar::new(),
            },
            writer: Mutex::new(writer),
            logins: auth::LoginThrottle::default(),
        });
        ingest_queue::start(state.clone());
        if state.settings.sweep {
            sweep::start(state.clone());
        }
        println!(
            "ChartVault serving {} on {}://{local}/",
            state.settings.archive_dir.display(),
            if tls.is_some() { "https" } else { "http" }
        );
        if tls.is_none() && !local.ip().is_loopback() {
            if state.settings.transport.https() {
                println!(
                    "warning: plain HTTP on a network address: only requests through the \
                     trusted proxy are encrypted; listen on 127.0.0.1 (or firewall the port) \
                     so that nobody reaches the service directly"
                );
            } else {
                println!(
                    "warning: plain HTTP on a network address; use --tls-cert/--tls-key or a \
                     TLS proxy (--trusted-proxy) so that passwords and records are encrypted"
                );
            }
        }
        if users == 0 {
            println!(
                "no users yet: add one with `chartvault user add NAME --role admin` to log in"
            );
        }
        if let Some(w) = &state.settings.watch {
            println!("watching {} for scans", w.display());
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let app = routes::router(state.clone());
        // The caller's address reaches the handlers (login throttling is per address).
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let handle = axum_server::Handle::new();
        let stop = handle.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            stop.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        });
        match tls {
            None => {
                let mut server = axum_server::from_tcp(listener)?
                    .acceptor(SilentClientTimeout)
                    .handle(handle);
                limit_slow_clients(server.http_builder());
                server.serve(service).await?
            }
            Some(config) => {
                let config = axum_server::tls_rustls::RustlsConfig::from_config(config);
                let mut server =
                    axum_server::tls_rustls::from_tcp_rustls(listener, config)?.handle(handle);
                limit_slow_clients(server.http_builder());
                server.serve(service).await?
            }
        }
        state.ingest.stop();
        anyhow::Ok(())
    })?;
    Ok(())
}

/// How long a client may take to send a request's head: one that stalls (or opens
/// connections and sends nothing) is dropped instead of holding a connection for ever.
const REQUEST_HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn limit_slow_clients(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
) {
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(REQUEST_HEAD_TIMEOUT);
}

/// Drops a plain-HTTP connection that sends nothing within [`REQUEST_HEAD_TIMEOUT`] (the
/// head timer starts at the first byte; over TLS the handshake timeout does this).
#[derive(Clone, Copy, Debug)]
struct SilentClientTimeout;

impl<S: Send + 'static> axum_server::accept::Accept<tokio::net::TcpStream, S>
    for SilentClientTimeout
{
    type Stream = tokio::net::TcpStream;
    type Service = S;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = std::io::Result<(Self::Stream, S)>> + Send>,
    >;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        Box::pin(async move {
            let mut first = [0u8; 1];
            match tokio::time::timeout(REQUEST_HEAD_TIMEOUT, stream.peek(&mut first)).await {
                Ok(Ok(_)) => Ok((stream, service)),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the client sent nothing",
                )),
            }
        })
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// A file to download: its bytes with their content type and an `attachment` disposition
/// naming the file (the name is one the server made or checked, never raw user text).
pub(crate) fn attachment(
    bytes: Vec<u8>,
    content_type: &'static str,
    file_name: &str,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
