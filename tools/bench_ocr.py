#!/usr/bin/env python3
"""Side-by-side OCR throughput benchmark on one machine, in one run.

    python3 tools/bench_ocr.py [CORPUS_DIR] [--charts N]

Runs, on the same corpus pages:
  1. plain `tesseract` CLI, one process per core (OMP_THREAD_LIMIT=1), on the pages
     already rasterized to PNG by `chartvault rasterize` (rasterizing is not timed);
  2. `chartvault eval`, which ingests the corpus with the real pipeline (decode included)
     into a temporary archive.
Prints pages/s, CER/WER against the manifest, peak RSS, and the ratios. Skips cleanly when
the corpus is absent. Requires a release build (built here if missing).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "chartvault")


def peak_rss_of(cmd, **kw):
    """Runs cmd; returns (wall seconds, peak RSS MiB of the child, completed process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stderr}")
    return wall, max(after, before) / 1024.0, proc


def main():
    args = [a for a in sys.argv[1:]]
    charts = None
    if "--charts" in args:
        i = args.index("--charts")
        charts = int(args[i + 1])
        del args[i : i + 2]
    corpus = os.path.abspath(args[0] if args else os.path.join(ROOT, "..", "shared", "corpus"))
    manifest = os.path.join(corpus, "manifest.jsonl")
    if not os.path.exists(manifest):
        print(f"skip: no corpus at {corpus}")
        return
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    rows = [json.loads(l) for l in open(manifest)]
    if charts:
        rows = rows[:charts]
    inputs = [os.path.join(corpus, r["file"]) for r in rows]
    num_pages = sum(r["page_count"] for r in rows)
    cores = os.cpu_count() or 1
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "png")
        subprocess.run([BIN, "rasterize", "--out", png] + inputs, check=True, capture_output=True)
        pages = sorted(
            os.path.join(d, f) for d, _, fs in os.walk(png) for f in fs if f.endswith(".png")
        )

        def tess(p):
            dpi = open(p[:-4] + ".dpi").read().strip()
            subprocess.run(["tesseract", p, p[:-4], "--dpi", dpi], env=env, capture_output=True)

        # Reference: plain tesseract CLI, one process per core.
        t0 = time.monotonic()
        with ThreadPoolExecutor(cores) as pool:
            list(pool.map(tess, pages))
        cli_wall = time.monotonic() - t0
        cli_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
        eval_args = ["--charts", str(charts)] if charts else []
        _, _, scored = peak_rss_of([BIN, "eval", corpus, "--json", "--text-dir", png] + eval_args)
        cli = json.loads(scored.stdout)

        # ChartVault: the real pipeline (decode, imaging, OCR, store, catalog, index).
        _, cv_rss, run = peak_rss_of([BIN, "eval", corpus, "--json"] + eval_args, env=env)
        cv = json.loads(run.stdout)

    cli_pps = num_pages / cli_wall
    print(f"pages: {num_pages} in {len(rows)} charts; cores: {cores}")
    print(f"{'':32}{'pages/s':>10}{'CER':>9}{'WER':>9}{'peak RSS MiB':>14}")
    print(f"{'tesseract CLI x' + str(cores) + ' (PNG input)':32}{cli_pps:>10.2f}"
          f"{cli['cer']*100:>8.2f}%{cli['wer']*100:>8.2f}%{cli_rss:>14.0f}")
    print(f"{'chartvault ingest':32}{cv['pages_per_sec']:>10.2f}"
          f"{cv['cer']*100:>8.2f}%{cv['wer']*100:>8.2f}%{cv_rss:>14.0f}")
    print(f"ratio chartvault / CLI pages/s: {cv['pages_per_sec'] / cli_pps:.2f}")
    print(f"chartvault imaging {cv['imaging_ms_per_page']:.0f} ms/page, "
          f"OCR {cv['ocr_ms_per_ocr_page']:.0f} ms/OCR'd page")


if __name__ == "__main__":
    main()
