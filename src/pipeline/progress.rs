//! Progress shown on stderr during long work (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Instant;

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
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
        }
    }

    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    pub fn set_total(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_length(n);
        }
    }

    /// One scan finished; `pages` is the running page count.
    pub fn scan_done(&self, pages: usize) {
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
