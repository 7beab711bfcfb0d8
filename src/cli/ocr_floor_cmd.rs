use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;

use super::Context;
use crate::ocr::{OcrEngine, TesseractEngine};

/// In-process tesseract recognition alone (warm engines, one per worker) on page images:
/// the floor the pipeline's OCR stage cannot beat on this machine. Prints JSON.
#[derive(Debug, Args)]
pub struct OcrFloorArgs {
    /// PNG page images (a `.dpi` file beside each gives its resolution; else 300)
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
    /// Workers [default: the pipeline's ocr.num_workers]
    #[arg(long)]
    pub workers: Option<usize>,
    /// Level and turn each page upright first, as the pipeline does before OCR (not timed),
    /// so the floor reads the same images the pipeline reads
    #[arg(long)]
    pub prepare: bool,
    /// Read each page with its strokes thickened by a pixel (as the pipeline reads pages
    /// with thin strokes, or a faint page a second time), after --prepare (not timed)
    #[arg(long)]
    pub thicken: bool,
    /// Also print, per page, the reading's thread CPU time, mean confidence and characters
    #[arg(long)]
    pub per_page: bool,
    /// Write each page's text to DIR/<page's folder>/<page name>.txt, the layout
    /// `eval --text-dir` scores
    #[arg(long, value_name = "DIR")]
    pub text_dir: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: OcrFloorArgs) -> anyhow::Result<ExitCode> {
    let workers = args
        .workers
        .unwrap_or_else(|| ctx.config.num_ocr_workers())
        .max(1);
    // Decode first: the floor times recognition only.
    let mut images = Vec::with_capacity(args.pages.len());
    for p in &args.pages {
        let img = image::open(p)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
            .to_luma8();
        let dpi = std::fs::read_to_string(p.with_extension("dpi"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(300);
        let mut page = crate::model::PageImage {
            page_no: 1,
            image: img,
            dpi,
            text_layer: None,
            not_drawn: Vec::new(),
        };
        if args.prepare {
            crate::imaging::prepare::prepare_for_ocr(&ctx.config, None, &mut page);
        }
        if args.thicken {
            page.image = crate::imaging::thicken::thicken(&page.image);
        }
        images.push((page.image, page.dpi));
    }
    let queue = Mutex::new(images.iter().zip(&args.pages));
    let per_page = Mutex::new(Vec::new());
    let t0 = Instant::now();
    std::thread::scope(|s| -> anyhow::Result<()> {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> anyhow::Result<()> {
                    let mut engine = TesseractEngine::new(
                        &ctx.config.ocr.language,
                        ctx.config.ocr.page_seg_mode,
                        &ctx.config.ocr.variables,
                    )?;
                    loop {
                        let next = queue
                            .lock()
                            .map_err(|_| anyhow::anyhow!("poisoned"))?
                            .next();
                        let Some(((img, dpi), path)) = next else {
                            return Ok(());
                        };
                        let cpu0 = thread_cpu_secs();
                        let read = engine.recognize(img, *dpi)?;
                        if let Some(dir) = &args.text_dir {
                            write_text(dir, path, &read.text)?;
                        }
                        if args.per_page {
                            let row = serde_json::json!({
                                "page": path.display().to_string(),
                                "cpu_ms": ((thread_cpu_secs() - cpu0) * 1000.0).round(),
                                "confidence": read.confidence,
                                "chars": read.text.chars().count(),
                            });
                            per_page
                                .lock()
                                .map_err(|_| anyhow::anyhow!("poisoned"))?
                                .push(row);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
        }
        Ok(())
    })?;
    let wall = t0.elapsed().as_secs_f64();
    for row in per_page.into_inner().unwrap_or_default() {
        println!("{row}");
    }
    println!(
        "{}",
        serde_json::json!({"pages": images.len(), "workers": workers, "wall_secs": wall,
            "tesseract_library": crate::ocr::loaded_library()})
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes a page's text where `eval --text-dir` looks for it.
fn write_text(dir: &std::path::Path, page: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let folder = page
        .parent()
        .and_then(|p| p.file_name())
        .ok_or_else(|| anyhow::anyhow!("{}: page image not in a folder", page.display()))?;
    let name = page
        .file_stem()
        .ok_or_else(|| anyhow::anyhow!("{}: no file name", page.display()))?;
    let out = dir.join(folder);
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join(name).with_extension("txt"), text)?;
    Ok(())
}

/// CPU time this thread has used, in seconds.
fn thread_cpu_secs() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}
