//! The daily retention sweep inside the web service: the same loop as `chartvault
//! scheduler run` (a sweep at start, then once each new local day), on the writer archive.

use std::sync::Arc;
use std::time::Duration;

use super::AppState;

pub fn start(state: Arc<AppState>) {
    std::thread::Builder::new()
        .name("retention-sweep".into())
        .spawn(move || run(state))
        .ok();
}

fn run(state: Arc<AppState>) {
    let mut last = None;
    let check = Duration::from_secs(state.settings.sweep_check_minutes.max(1) * 60);
    loop {
        let today = crate::clock::today();
        if last != Some(today) {
            let s = &state.settings;
            // The sweep takes the writer per step, not for the whole sweep.
            let result =
                crate::scheduler::run_once(&state.writer, &s.schedule, &s.config.scheduler);
            match result {
                Ok(r) => {
                    println!(
                        "retention sweep as of {}: {} documents, {} status changes{}{}",
                        r.as_of,
                        r.documents,
                        r.status_changes,
                        r.planned
                            .as_ref()
                            .map(|p| format!("; planned purge job {p}"))
                            .unwrap_or_default(),
                        if r.executed.is_empty() {
                            String::new()
                        } else {
                            format!("; executed {}", r.executed.join(", "))
                        }
                    );
                    for p in &r.problems {
                        println!("retention sweep problem: {p}");
                    }
                    last = Some(today);
                }
                Err(e) => eprintln!("error: retention sweep as of {today}: {e}"),
            }
        }
        // Sleep in short steps so a stopping server is not held up.
        let mut slept = Duration::ZERO;
        while slept < check {
            if state.ingest.stopped() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
            slept += Duration::from_secs(1);
        }
    }
}
