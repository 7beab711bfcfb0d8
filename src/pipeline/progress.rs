//! Progress shown on stderr during long work (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    counters: Option<Arc<Counters>>,
}

/// Running counts another thread can read while the ingest goes on (the web dashboard).
#[derive(Debug, Default)]
pub struct Counters {
    pub scans_total: AtomicU64,
    pub scans_done: AtomicU64,
    /// Pages of the scans started so far.
    pub pages_total: AtomicU64,
    pub pages_done: AtomicU64,
}

impl Counters {
    /// (scans done, scans, pages done, pages known so far).
    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            self.scans_done.load(Ordering::Relaxed),
            self.scans_total.load(Ordering::Relaxed),
            self.pages_done.load(Ordering::Relaxed),
            self.pages_total.load(Ordering::Relaxed),
        )
    }
}

impl Progress {
    pub fn new(visible: bool) -> Progress {
        let bar = visible.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} scans  {msg}  ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            counters: None,
        }
    }

    /// No bar; counts go to `counters`.
    pub fn counting(counters: Arc<Counters>) -> Progress {
        Progress {
            bar: None,
            started: Instant::now(),
            counters: Some(counters),
        }
    }

    fn count(&self, f: impl FnOnce(&Counters)) {
        if let Some(c) = &self.counters {
            f(c);
        }
    }

    /// A scan's pages are known.
    pub fn scan_started(&self, pages: usize) {
        self.count(|c| {
            c.pages_total.fetch_add(pages as u64, Ordering::Relaxed);
        });
    }

    pub fn page_done(&self) {
        self.count(|c| {
            c.pages_done.fetch_add(1, Ordering::Relaxed);
        });
    }

    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    pub fn set_total(&self, n: u64) {
        self.count(|c| c.scans_total.store(n, Ordering::Relaxed));
        if let Some(b) = &self.bar {
            b.set_length(n);
        }
    }

    /// One scan finished; `pages` is the running page count.
    pub fn scan_done(&self, pages: usize) {
        self.count(|c| {
            c.scans_done.fetch_add(1, Ordering::Relaxed);
        });
        if let Some(b) = &self.bar {
            let secs = self.started.elapsed().as_secs_f64().max(0.001);
            b.set_message(format!("{pages} pages, {:.2} pages/s", pages as f64 / secs));
            b.inc(1);
        }
    }

    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
