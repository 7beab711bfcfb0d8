//! Scans waiting to be ingested by the web service: uploads (kept in `<archive>/inbox/`
//! until ingested, so a crash or restart loses none) and files dropped into the `--watch`
//! folder (taken once their size and time stop changing, then moved to `done/` or
//! `failed/` with a `.reason.txt`). One thread ingests them one at a time through the
//! same pipeline as `chartvault ingest`, counting pages for the dashboard.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, Sender};
use serde::Serialize;

use super::{AppState, Settings};
use crate::pipeline::{Counters, Progress};

const KEEP_JOBS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Upload,
    Watch,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub id: u64,
    pub file: String,
    pub origin: Origin,
    pub state: String,
    pub queued_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub pages_done: u64,
    pub pages_total: u64,
    pub documents: usize,
    /// The documents the job archived (a link from the job to each).
    pub doc_ids: Vec<String>,
    pub duplicate: bool,
    /// Why the scan was quarantined, when it was.
    pub error: Option<String>,
}

struct Job {
    view: JobView,
    path: PathBuf,
    counters: Arc<Counters>,
}

pub struct Queue {
    jobs: Mutex<Vec<Job>>,
    tx: Sender<u64>,
    rx: Receiver<u64>,
    next_id: AtomicU64,
    pub inbox: PathBuf,
    stop: AtomicBool,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Queue {
    pub fn new(settings: &Settings) -> anyhow::Result<Queue> {
        let inbox = settings.archive_dir.join("inbox");
        std::fs::create_dir_all(&inbox)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", inbox.display()))?;
        if let Some(w) = &settings.watch {
            for sub in ["done", "failed"] {
                std::fs::create_dir_all(w.join(sub))
                    .map_err(|e| anyhow::anyhow!("cannot use watch folder {}: {e}", w.display()))?;
            }
        }
        let (tx, rx) = unbounded();
        let q = Queue {
            jobs: Mutex::new(Vec::new()),
            tx,
            rx,
            next_id: AtomicU64::new(1),
            inbox,
            stop: AtomicBool::new(false),
        };
        // Uploads a previous run accepted but did not finish.
        if let Ok(rd) = std::fs::read_dir(&q.inbox) {
            let mut left: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "part"))
                .collect();
            left.sort();
            for p in left {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                q.enqueue(p, name, Origin::Upload);
            }
        }
        Ok(q)
    }

    pub fn new_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn enqueue(&self, path: PathBuf, file: String, origin: Origin) -> u64 {
        let id = self.new_id();
        self.enqueue_with_id(id, path, file, origin);
        id
    }

    pub fn enqueue_with_id(&self, id: u64, path: PathBuf, file: String, origin: Origin) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.push(Job {
            view: JobView {
                id,
                file,
                origin,
                state: "queued".into(),
                queued_at: now(),
                started_at: None,
                finished_at: None,
                pages_done: 0,
                pages_total: 0,
                documents: 0,
                doc_ids: Vec::new(),
                duplicate: false,
                error: None,
            },
            path,
            counters: Arc::new(Counters::default()),
        });
        let excess = jobs.len().saturating_sub(KEEP_JOBS);
        let finished: Vec<usize> = jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.view.finished_at.is_some())
            .map(|(i, _)| i)
            .take(excess)
            .collect();
        for i in finished.into_iter().rev() {
            jobs.remove(i);
        }
        let _ = self.tx.send(id);
    }

    /// Newest first, with live page counts.
    pub fn views(&self) -> Vec<JobView> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.iter()
            .rev()
            .map(|j| {
                let mut v = j.view.clone();
                let (_, _, done, total) = j.counters.snapshot();
                if v.state == "running" {
                    v.pages_done = done;
                    v.pages_total = total;
                }
                v
            })
            .collect()
    }

    fn is_queued(&self, path: &Path) -> bool {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.iter()
            .any(|j| j.path == path && j.view.finished_at.is_none())
    }

    fn update(
        &self,
        id: u64,
        f: impl FnOnce(&mut Job),
    ) -> Option<(PathBuf, Arc<Counters>, Origin)> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let job = jobs.iter_mut().find(|j| j.view.id == id)?;
        f(job);
        Some((job.path.clone(), job.counters.clone(), job.view.origin))
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts the ingest thread, and the folder watcher when `--watch` was given.
pub fn start(state: Arc<AppState>) {
    let s = state.clone();
    std::thread::Builder::new()
        .name("ingest".into())
        .spawn(move || ingest_loop(s))
        .ok();
    if let Some(dir) = state.settings.watch.clone() {
        std::thread::Builder::new()
            .name("watch".into())
            .spawn(move || watch_loop(state, dir))
            .ok();
    }
}

fn ingest_loop(state: Arc<AppState>) {
    let q = &state.ingest;
    while !q.stop.load(Ordering::Relaxed) {
        let Ok(id) = q.rx.recv_timeout(Duration::from_millis(500)) else {
            continue;
        };
        let Some((path, counters, origin)) = q.update(id, |j| {
            j.view.state = "running".into();
            j.view.started_at = Some(now());
        }) else {
            continue;
        };
        // A watched entry swapped for a link since the watcher looked at it is set aside
        // unread (the watcher checked the entry, not what it may have become).
        if origin == Origin::Watch
            && std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file() && !m.is_dir())
        {
            let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
            let kind = std::fs::symlink_metadata(&path).map(|m| m.file_type());
            let reason = kind
                .map(|k| crate::ingest::not_regular(&k))
                .unwrap_or_else(|e| crate::ingest::describe_io(&e));
            refuse_entry(&dir, &path, &reason);
            q.update(id, |j| {
                j.view.state = "failed".into();
                j.view.error = Some(reason.clone());
                j.view.finished_at = Some(now());
            });
            continue;
        }
        let progress = Progress::counting(counters.clone());
        let settings = &state.settings;
        // The writer is taken per scan commit, not for the OCR run: holds, QA fixes and
        // purge approvals go through while pages are read.
        // The service itself reads the queue: the person was checked when the file was
        // accepted (upload permission, or the operator's watched folder).
        let result = crate::service::ingest::run(
            &state.writer,
            &crate::service::Actor::operator("chartvault-serve"),
            std::slice::from_ref(&path),
            &settings.config,
            &settings.schedule,
            &progress,
        );
        let (state_name, error, documents, duplicate) = match &result {
            Ok(s) if !s.quarantined.is_empty() => (
                "failed",
                s.quarantined.first().map(|x| x.reason.clone()),
                0,
                false,
            ),
            Ok(s) if s.duplicates > 0 && s.scans_ingested == 0 => ("done", None, 0, true),
            Ok(s) => ("done", None, s.documents, false),
            // The run could not proceed (disk, catalog): the file stays for a retry.
            Err(e) => ("error", Some(e.to_string()), 0, false),
        };
        let (_, total_done, pages_done, pages_total) = counters.snapshot();
        let _ = total_done;
        q.update(id, |j| {
            j.view.state = state_name.into();
            j.view.error = error.clone();
            j.view.documents = documents;
            if let Ok(s) = &result {
                j.view.doc_ids = s.doc_ids.clone();
            }
            j.view.duplicate = duplicate;
            j.view.pages_done = pages_done;
            j.view.pages_total = pages_total;
            j.view.finished_at = Some(now());
        });
        if state_name == "error" {
            tracing::error!(job = id, "ingest job could not run; file kept for a retry");
            continue;
        }
        match origin {
            Origin::Upload => {
                let _ = remove_path(&path);
            }
            Origin::Watch => {
                let dir = path.parent().unwrap_or(Path::new("."));
                let sub = if state_name == "failed" {
                    "failed"
                } else {
                    "done"
                };
                let dest = unique_dest(&dir.join(sub), &path);
                if std::fs::rename(&path, &dest).is_ok() && state_name == "failed" {
                    let mut reason = dest.clone().into_os_string();
                    reason.push(".reason.txt");
                    let _ = std::fs::write(reason, format!("{}\n", error.unwrap_or_default()));
                }
            }
        }
    }
}

/// Moves a watched-folder entry that must not be read into `failed/` (the entry itself:
/// a link is moved, never followed), with a reason file beside it.
fn refuse_entry(dir: &Path, p: &Path, reason: &str) {
    let failed = dir.join("failed");
    let _ = std::fs::create_dir_all(&failed);
    let dest = unique_dest(&failed, p);
    if std::fs::rename(p, &dest).is_ok() {
        let mut note = dest.into_os_string();
        note.push(".reason.txt");
        let _ = std::fs::write(note, format!("{reason}\n"));
    }
    tracing::warn!(
        reason,
        "watched folder: an entry that is not a regular file was set aside"
    );
}

fn remove_path(p: &Path) -> std::io::Result<()> {
    if p.is_dir() {
        std::fs::remove_dir_all(p)
    } else {
        std::fs::remove_file(p)
    }
}

fn unique_dest(dir: &Path, src: &Path) -> PathBuf {
    let name = src
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    let first = dir.join(&name);
    if !first.exists() {
        return first;
    }
    (1..)
        .map(|i| {
            let mut n = name.clone();
            n.push(format!(".{i}"));
            dir.join(n)
        })
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Size and latest modification of a file or of everything under a folder.
fn fingerprint(p: &Path) -> Option<(u64, std::time::SystemTime)> {
    let mut size = 0;
    let mut latest = std::time::UNIX_EPOCH;
    for e in walkdir::WalkDir::new(p).into_iter().flatten() {
        let m = e.metadata().ok()?;
        if m.is_file() {
            size += m.len();
        }
        latest = latest.max(m.modified().ok()?);
    }
    Some((size, latest))
}

fn watch_loop(state: Arc<AppState>, dir: PathBuf) {
    let mut seen: HashMap<PathBuf, ((u64, std::time::SystemTime), u32)> = HashMap::new();
    while !state.ingest.stop.load(Ordering::Relaxed) {
        let mut present = Vec::new();
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().to_string();
                // The entry itself, not what a link points to.
                let Ok(kind) = e.file_type() else { continue };
                if name.starts_with('.')
                    || name.ends_with(".part")
                    || name.ends_with(".tmp")
                    || (kind.is_dir() && (name == "done" || name == "failed"))
                {
                    continue;
                }
                // Only regular files and folders are scans. A link (to the key store, say),
                // a FIFO or a device is moved aside unread, with the reason.
                if !kind.is_file() && !kind.is_dir() {
                    refuse_entry(&dir, &p, &crate::ingest::not_regular(&kind));
                    continue;
                }
                present.push(p.clone());
                let Some(fp) = fingerprint(&p) else { continue };
                let entry = seen.entry(p.clone()).or_insert((fp, 0));
                if entry.0 == fp {
                    entry.1 += 1;
                } else {
                    *entry = (fp, 0);
                }
                // Unchanged over two checks: the scanner has finished writing it.
                if entry.1 == 2 && !state.ingest.is_queued(&p) {
                    state.ingest.enqueue(p, name, Origin::Watch);
                }
            }
        }
        seen.retain(|p, _| present.contains(p));
        std::thread::sleep(Duration::from_secs(1));
    }
}
