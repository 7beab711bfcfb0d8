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
        images.push((img, dpi));
    }
    let queue = Mutex::new(images.iter());
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
                        let Some((img, dpi)) = next else {
                            return Ok(());
                        };
                        engine.recognize(img, *dpi)?;
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
    println!(
        "{}",
        serde_json::json!({"pages": images.len(), "workers": workers, "wall_secs": wall})
    );
    Ok(ExitCode::SUCCESS)
}
