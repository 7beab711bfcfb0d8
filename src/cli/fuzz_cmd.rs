//! `chartvault fuzz-decoders`: a mutation fuzzer over every decoder (PDF, TIFF, PNG, JPEG,
//! BMP, GIF, WebP), outside the unit suite. Seed files (the format matrix and the samples
//! by default) are mutated (bit flips, byte overwrites, truncation, splices of two files,
//! deleted, repeated and inserted runs) and decoded as ingest would; every input must end
//! in pages or a clear error: a panic, a decode taking over `--timeout-secs`, or memory over
//! `--max-rss-mb` is a finding, and the input is saved to `--out` to reproduce it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;

use super::Context;
use crate::imaging::decode::{DecodeLimits, ScanDecoder};

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// Seed files or folders [default: tests/formats and samples/scans]
    pub seeds: Vec<PathBuf>,
    /// Mutated inputs to try
    #[arg(long, default_value_t = 10_000)]
    pub inputs: u64,
    /// Random seed (the same seed gives the same inputs)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Decoding threads
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// A decode running longer than this is a hang
    #[arg(long, default_value_t = 10)]
    pub timeout_secs: u64,
    /// Peak memory (resident) above this is a finding
    #[arg(long, default_value_t = 2048)]
    pub max_rss_mb: u64,
    /// Pages decoded per input (the rest are not needed to exercise the decoders)
    #[arg(long, default_value_t = 3)]
    pub pages: u32,
    /// Pixel limit per page while fuzzing
    #[arg(long, default_value_t = 8_000_000)]
    pub max_page_pixels: u64,
    /// Where inputs that panicked or hung are saved
    #[arg(long, default_value = "fuzz-findings")]
    pub out: PathBuf,
    /// First input number (to resume, or to reproduce a finding)
    #[arg(long, default_value_t = 0)]
    pub start: u64,
}

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to three mutations of `seeds[i]` (with another seed for splices).
fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(3) {
        if data.is_empty() {
            break;
        }
        let len = data.len();
        match rng.below(7) {
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(len);
                    data[i] ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(len);
                data[i] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE][rng.below(6)];
            }
            2 => data.truncate(rng.below(len)),
            3 => {
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(len);
                let from = rng.below(other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            4 => {
                let i = rng.below(len);
                let n = (1 + rng.below(64)).min(len - i);
                data.drain(i..i + n);
            }
            5 => {
                let i = rng.below(len);
                let n = (1 + rng.below(256)).min(len - i);
                let run = data[i..i + n].to_vec();
                data.splice(i..i, run);
            }
            _ => {
                let i = rng.below(len);
                let junk: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
                data.splice(i..i, junk);
            }
        }
    }
    data
}

/// Decodes like ingest: open, then up to `pages` pages. Ok(pages decoded) or the refusal.
fn decode(
    bytes: Vec<u8>,
    limits: DecodeLimits,
    pages: u32,
) -> Result<u32, crate::imaging::decode::DecodeError> {
    let mut d = ScanDecoder::open(bytes, limits)?;
    let n = (d.num_pages() as u32).min(pages);
    for p in 1..=n {
        d.decode_page(p, limits)?;
    }
    Ok(n)
}

fn seed_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let defaults = [root.join("tests/formats"), root.join("samples/scans")];
    let paths: Vec<PathBuf> = if paths.is_empty() {
        defaults.to_vec()
    } else {
        paths.to_vec()
    };
    let mut files: Vec<PathBuf> = paths
        .iter()
        .flat_map(|p| walkdir::WalkDir::new(p).follow_links(false))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| std::fs::read(p).is_ok_and(|b| crate::imaging::decode::sniff(&b).is_ok()))
        .collect();
    files.sort();
    files
}

fn peak_rss_mb() -> u64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as u64 / 1024
}

/// An input being decoded: its number, since when, and its bytes (saved if it hangs).
type InFlight = (u64, Instant, Vec<u8>);

#[derive(Default)]
struct Tally {
    decoded: AtomicU64,
    refused: AtomicU64,
    panics: AtomicU64,
    hangs: AtomicU64,
    done: AtomicU64,
}

pub fn run(ctx: &Context, args: FuzzArgs) -> anyhow::Result<ExitCode> {
    let files = seed_files(&args.seeds);
    anyhow::ensure!(
        !files.is_empty(),
        "no seed files (PDF, TIFF, PNG, JPEG, BMP, GIF, WebP) found"
    );
    let seeds: Arc<Vec<Vec<u8>>> =
        Arc::new(files.iter().map(std::fs::read).collect::<Result<_, _>>()?);
    let limits = DecodeLimits {
        max_page_pixels: args.max_page_pixels,
        max_pages: ctx.config.limits.max_pages_per_scan,
    };
    std::fs::create_dir_all(&args.out)?;
    // Panics are counted and their inputs saved; the default hook's message per panic
    // would bury the report.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let tally = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(args.start));
    // What each worker is decoding and since when: the watchdog's view.
    let busy: Arc<Mutex<Vec<Option<InFlight>>>> =
        Arc::new(Mutex::new(vec![None; args.threads.max(1)]));
    let findings: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let spawn = |slot: usize| {
        let (seeds, tally, next, busy, findings) = (
            seeds.clone(),
            tally.clone(),
            next.clone(),
            busy.clone(),
            findings.clone(),
        );
        let (total, seed, pages, out) = (
            args.start + args.inputs,
            args.seed,
            args.pages,
            args.out.clone(),
        );
        std::thread::spawn(move || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= total {
                return;
            }
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ (i + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
            let input = mutate(&mut rng, &seeds);
            // The input is on disk while it is decoded: an abort (an allocation the
            // allocator cannot serve ends the process) leaves it behind to reproduce.
            let _ = std::fs::write(out.join(format!("inflight-{slot}.bin")), &input);
            busy.lock().unwrap()[slot] = Some((i, Instant::now(), input.clone()));
            let outcome = std::panic::catch_unwind(|| decode(input.clone(), limits, pages));
            let mut b = busy.lock().unwrap();
            if b[slot].as_ref().is_none_or(|(j, _, _)| *j != i) {
                // The watchdog gave up on this input (a hang) and moved the slot on.
                return;
            }
            b[slot] = None;
            drop(b);
            match outcome {
                Ok(Ok(_)) => tally.decoded.fetch_add(1, Ordering::Relaxed),
                Ok(Err(_)) => tally.refused.fetch_add(1, Ordering::Relaxed),
                Err(payload) => {
                    let msg = payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    let file = out.join(format!("panic-{i}.bin"));
                    let _ = std::fs::write(&file, &input);
                    findings
                        .lock()
                        .unwrap()
                        .push(format!("panic on input {i} ({}): {msg}", file.display()));
                    tally.panics.fetch_add(1, Ordering::Relaxed)
                }
            };
            tally.done.fetch_add(1, Ordering::Relaxed);
        })
    };
    let mut workers: Vec<std::thread::JoinHandle<()>> =
        (0..args.threads.max(1)).map(spawn).collect();
    let timeout = Duration::from_secs(args.timeout_secs);
    let mut last_report = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        // Hangs: the stuck thread is left behind (it cannot be stopped) and the slot gets
        // a new worker.
        let mut b = busy.lock().unwrap();
        for slot in 0..b.len() {
            if let Some((i, since, input)) = &b[slot] {
                if since.elapsed() > timeout {
                    let file = args.out.join(format!("hang-{i}.bin"));
                    let _ = std::fs::write(&file, input);
                    findings.lock().unwrap().push(format!(
                        "input {i} still decoding after {} s ({})",
                        args.timeout_secs,
                        file.display()
                    ));
                    tally.hangs.fetch_add(1, Ordering::Relaxed);
                    tally.done.fetch_add(1, Ordering::Relaxed);
                    b[slot] = None;
                    workers[slot] = spawn(slot);
                }
            }
        }
        drop(b);
        let done = tally.done.load(Ordering::Relaxed);
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!(
                "fuzz: {done}/{} inputs, {:.0}/s, {} panics, {} hangs",
                args.inputs,
                done as f64 / started.elapsed().as_secs_f64(),
                tally.panics.load(Ordering::Relaxed),
                tally.hangs.load(Ordering::Relaxed)
            );
        }
        if done >= args.inputs || workers.iter().all(|w| w.is_finished()) {
            break;
        }
    }
    std::panic::set_hook(default_hook);
    let rss = peak_rss_mb();
    let t = &tally;
    let (panics, hangs) = (
        t.panics.load(Ordering::Relaxed),
        t.hangs.load(Ordering::Relaxed),
    );
    println!("seed files        {}", files.len());
    println!("inputs tried      {}", t.done.load(Ordering::Relaxed));
    println!("  decoded         {}", t.decoded.load(Ordering::Relaxed));
    println!("  refused         {}", t.refused.load(Ordering::Relaxed));
    println!("panics            {panics}");
    println!("hangs (> {} s)    {hangs}", args.timeout_secs);
    println!("peak memory       {rss} MB (limit {} MB)", args.max_rss_mb);
    println!(
        "wall              {:.0} s ({:.0} inputs/s, {} threads)",
        started.elapsed().as_secs_f64(),
        t.done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
        args.threads
    );
    for f in findings.lock().unwrap().iter() {
        println!("finding: {f}");
    }
    let over_memory = rss > args.max_rss_mb;
    if panics > 0 || hangs > 0 || over_memory {
        return Ok(ExitCode::from(super::EXIT_PROBLEMS));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_reproducible_and_change_the_input() {
        let seeds = vec![
            b"%PDF-1.4 hello world %%EOF".to_vec(),
            b"II*\0abcdefgh".to_vec(),
        ];
        let a = mutate(&mut Rng(42), &seeds);
        let b = mutate(&mut Rng(42), &seeds);
        assert_eq!(a, b);
        let changed = (1..50)
            .filter(|s| !seeds.contains(&mutate(&mut Rng(*s), &seeds)))
            .count();
        assert!(changed > 40, "{changed}");
    }
}
