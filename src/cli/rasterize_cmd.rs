use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::imaging::decode::{DecodeLimits, ScanDecoder};
use crate::model::ScanInputKind;

#[derive(Debug, Args)]
pub struct RasterizeArgs {
    /// Scans (files or folders)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output folder: OUT/<scan path>/page_NNN.png
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(ctx: &Context, args: RasterizeArgs) -> anyhow::Result<ExitCode> {
    let limits = DecodeLimits {
        max_page_pixels: ctx.config.limits.max_page_pixels,
        max_pages: ctx.config.limits.max_pages_per_scan,
    };
    let mut num_pages = 0;
    for input in crate::ingest::discover(&args.paths) {
        let mut decoder = match &input.kind {
            ScanInputKind::File(p) => ScanDecoder::open(std::fs::read(p)?, limits)?,
            ScanInputKind::FolderBatch(files) => ScanDecoder::open_images(
                files.iter().map(std::fs::read).collect::<Result<_, _>>()?,
                limits,
            )?,
            ScanInputKind::Unreadable { path, reason } => {
                anyhow::bail!("{}: {reason}", path.display())
            }
        };
        let stem = input.source_path.replace(['/', '.'], "_");
        let dir = args.out.join(stem);
        std::fs::create_dir_all(&dir)?;
        for page_no in 1..=decoder.num_pages() as u32 {
            let page = decoder.decode_page(page_no, limits)?;
            page.image
                .save(dir.join(format!("page_{page_no:03}.png")))?;
            std::fs::write(
                dir.join(format!("page_{page_no:03}.dpi")),
                page.dpi.to_string(),
            )?;
            num_pages += 1;
        }
    }
    println!("wrote {num_pages} pages to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
