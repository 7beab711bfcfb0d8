#!/usr/bin/env python3
"""Side-by-side throughput and accuracy benchmark, on one machine, in one run, on the same
pages:

  1. `chartvault eval`: the real pipeline (decode, imaging, barcodes, OCR, store, catalog,
     index) ingesting the charts into a temporary archive;
  2. the plain `tesseract` CLI, one process per core, on the pages rasterized to PNG by
     `chartvault rasterize` (rasterizing not timed);
  3. `ocrmypdf --jobs <cores> --rotate-pages --deskew` (Debian package `ocrmypdf`) on the
     charts as PDFs (PDF charts as they are; TIFF and image-folder charts wrapped into a PDF
     with img2pdf first, not timed), text taken from `--sidecar`;
  4. the floor: in-process tesseract recognition alone (warm engines, one per core) on the
     content pages' images (`chartvault ocr-floor`);
  5. the same floor on the images the pipeline actually reads: the content pages levelled and
     turned upright first (`ocr-floor --prepare`, preparation not timed). Tesseract reads a
     levelled page slower than a skewed one (most likely because a skewed line's box is
     taller, so the network sees it squashed into fewer time steps, and reads it worse; the
     extra instructions are all in the LSTM), so (4) - (5) is the cost
     of the accuracy deskewing buys, and (5) vs (1) is the pipeline's own overhead.

Prints pages/s (always counting all pages of the charts), CER/WER against the manifest,
peak RSS, and the ratios to chartvault. Skips cleanly when the corpus is absent; skips
OCRmyPDF (saying so) when it is not installed.

    python3 tools/bench_ocr.py [CORPUS_DIR] [--charts N] [--no-ocrmypdf] [--cli-as-installed]

ChartVault links the libtesseract that `tools/build-tesseract.sh` builds (Debian's 5.3.0
source with link-time optimisation and without the per-line PNG round trip; same output,
~25% faster) when it is installed; the report prints which library each row used. The
plain CLI row is Debian's `tesseract`, what a user would otherwise run; when the optimised
build is installed, a further row runs its CLI on the same pages, to show how much of the
difference is the build and how much the pipeline.

Every row runs with OMP_THREAD_LIMIT=1 (what OCRmyPDF sets for itself with --jobs 2, and
what chartvault sets for its engines): Debian's tesseract links OpenMP, and two CLI
processes each starting OpenMP threads on two cores run several times slower.
`--cli-as-installed` adds a row for the CLI as a user would run it, without that limit.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "chartvault")
# The CLI of the optimised build (tools/build-tesseract.sh), when installed.
OWN_CLI = "/opt/chartvault/tesseract/bin/tesseract"
# Runs a command and prints the peak RSS (KiB) of its process tree's largest member.
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(p.returncode)\n"
)


def timed(cmd, env=None, ok=(0, 1)):
    """(wall seconds, peak RSS MiB, stdout) of cmd."""
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", RSS_WRAPPER] + cmd, capture_output=True,
                       text=True, env=env)
    wall = time.monotonic() - t0
    if p.returncode not in ok:
        sys.exit(f"command failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024.0
    return wall, rss, p.stdout


def score_text_dir(corpus, text_dir, charts):
    args = ["--charts", str(charts)] if charts else []
    out = subprocess.run([BIN, "eval", corpus, "--json", "--text-dir", text_dir] + args,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def stem(path):
    return path.replace("/", "_").replace(".", "_")


def main():
    args = sys.argv[1:]
    charts = None
    if "--charts" in args:
        i = args.index("--charts")
        charts = int(args[i + 1])
        del args[i:i + 2]
    use_ocrmypdf = "--no-ocrmypdf" not in args
    cli_as_installed = "--cli-as-installed" in args
    args = [a for a in args if a not in ("--no-ocrmypdf", "--cli-as-installed")]
    corpus = os.path.abspath(args[0] if args else os.path.join(ROOT, "..", "shared", "corpus"))
    manifest = os.path.join(corpus, "manifest.jsonl")
    if not os.path.exists(manifest):
        print(f"skip: no corpus at {corpus}")
        return
    if use_ocrmypdf and not shutil.which("ocrmypdf"):
        print("note: ocrmypdf not installed (apt-get install ocrmypdf); skipping it")
        use_ocrmypdf = False
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    rows = [json.loads(l) for l in open(manifest) if l.strip()]
    if charts:
        rows = rows[:charts]
    inputs = [os.path.join(corpus, r["file"]) for r in rows]
    num_pages = sum(r["page_count"] for r in rows)
    cores = os.cpu_count() or 1
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    eval_args = ["--charts", str(charts)] if charts else []
    results = {}

    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "png")
        subprocess.run([BIN, "rasterize", "--out", png] + inputs, check=True,
                       capture_output=True)

        # 1. chartvault
        wall, rss, out = timed([BIN, "eval", corpus, "--json"] + eval_args, env=env)
        cv = json.loads(out)
        results["chartvault ingest"] = (num_pages / cv["wall_secs"], cv["cer"], cv["wer"], rss)

        # 2. tesseract CLI, one process per core.
        pages = sorted(os.path.join(d, f) for d, _, fs in os.walk(png) for f in fs
                       if f.endswith(".png"))

        def cli_row(name, cli_env, cli="tesseract"):
            def tess(p):
                dpi = open(p[:-4] + ".dpi").read().strip()
                return timed([cli, p, p[:-4], "--dpi", dpi], env=cli_env)[1]

            t0 = time.monotonic()
            with ThreadPoolExecutor(cores) as pool:
                rss_each = list(pool.map(tess, pages))
            cli_wall = time.monotonic() - t0
            s = score_text_dir(corpus, png, charts)
            results[name] = (num_pages / cli_wall, s["cer"], s["wer"], max(rss_each) * cores)

        cli_row(f"tesseract CLI x{cores}", env)
        if os.path.exists(OWN_CLI):
            cli_row(f"tesseract CLI x{cores}, ChartVault's build", env, OWN_CLI)
        if cli_as_installed:
            installed = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
            cli_row(f"tesseract CLI x{cores}, as installed (OpenMP)", installed)

        # 3. OCRmyPDF
        if use_ocrmypdf:
            pdfs, sidecars = os.path.join(tmp, "pdf"), os.path.join(tmp, "sidecar")
            os.makedirs(pdfs)
            os.makedirs(sidecars)
            jobs = []
            for r, path in zip(rows, inputs):
                name = os.path.basename(r["file"])
                if path.endswith(".pdf"):
                    src = path
                else:
                    src = os.path.join(pdfs, stem(name) + ".pdf")
                    d = os.path.join(png, stem(name))
                    imgs = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".png"))
                    dpi = int(open(imgs[0][:-4] + ".dpi").read().strip())
                    subprocess.run(
                        ["/usr/bin/python3", "-c",
                         "import img2pdf, sys; open(sys.argv[1], 'wb').write(img2pdf.convert("
                         "sys.argv[3:], layout_fun=img2pdf.get_fixed_dpi_layout_fun("
                         "(int(sys.argv[2]),) * 2)))", src, str(dpi)] + imgs, check=True)
                jobs.append((name, src))
            t0 = time.monotonic()
            peak = 0.0
            for name, src in jobs:
                side = os.path.join(sidecars, stem(name) + ".txt")
                _, rss, _ = timed(["ocrmypdf", "--jobs", str(cores), "--rotate-pages",
                                   "--deskew", "--quiet", "--output-type", "pdf",
                                   "--sidecar", side, src, os.path.join(tmp, "out.pdf")],
                                  env=env)
                peak = max(peak, rss)
            omp_wall = time.monotonic() - t0
            tdir = os.path.join(tmp, "ocrmypdf_text")
            for name, _ in jobs:
                text = open(os.path.join(sidecars, stem(name) + ".txt")).read()
                d = os.path.join(tdir, stem(name))
                os.makedirs(d)
                for i, page in enumerate(text.split("\f")):
                    with open(os.path.join(d, f"page_{i + 1:03d}.txt"), "w") as f:
                        f.write(page)
            s = score_text_dir(corpus, tdir, charts)
            results[f"ocrmypdf --jobs {cores} --rotate-pages --deskew"] = (
                num_pages / omp_wall, s["cer"], s["wer"], peak)

        # 4. Floor: recognition alone on the content pages.
        content = []
        for r in rows:
            d = os.path.join(png, stem(os.path.basename(r["file"])))
            content += [os.path.join(d, f"page_{p['page']:03d}.png") for p in r["pages"]
                        if p["kind"] == "content"]
        wall, rss, out = timed([BIN, "ocr-floor", "--workers", str(cores)] + content, env=env)
        floor = json.loads(out)
        results["floor: recognition alone"] = (num_pages / floor["wall_secs"], None, None, rss)
        wall, rss, out = timed([BIN, "ocr-floor", "--workers", str(cores), "--prepare"] + content,
                               env=env)
        floor = json.loads(out)
        results["floor on levelled, upright pages"] = (num_pages / floor["wall_secs"], None, None,
                                                      rss)

    base = results["chartvault ingest"][0]
    print(f"pages: {num_pages} in {len(rows)} charts ({len(content)} content); cores: {cores}")
    print(f"chartvault and the floor used {cv.get('tesseract_library') or 'unknown'}")
    print(f"{'':46}{'pages/s':>9}{'CER':>9}{'WER':>9}{'peak RSS MiB':>14}"
          f"{'chartvault is':>16}")
    for name, (pps, cer, wer, rss) in results.items():
        fmt = lambda v: f"{v * 100:>8.2f}%" if v is not None else f"{'-':>9}"
        print(f"{name:46}{pps:>9.2f}{fmt(cer)}{fmt(wer)}{rss:>14.0f}{base / pps:>15.2f}x")
    print(f"chartvault imaging {cv['imaging_ms_per_page']:.0f} ms/page, barcodes "
          f"{cv['barcode_ms_per_page']:.0f} ms/page, OCR {cv['ocr_ms_per_ocr_page']:.0f} ms per "
          f"OCR'd page (imaging/OCR {cv['imaging_to_ocr_ratio'] * 100:.1f}%), "
          f"{cv['ocr_readings_per_ocr_page']:.3f} tesseract readings per OCR'd page")
    split = cv.get("split_boundaries") or {}
    print(f"chartvault split F1 {split.get('f1') or 0:.3f}, exact documents "
          f"{cv['split_exact_documents'] * 100:.1f}%, date of service "
          f"{cv['service_date_accuracy'] * 100:.1f}%; boundary misses: "
          f"{', '.join(split.get('misses', [])) or 'none'}")


if __name__ == "__main__":
    main()
