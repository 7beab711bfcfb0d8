#!/usr/bin/env python3
"""Pages whose text is far from their ground truth, to see where an eval's CER comes from.

Usage: tools/page_cer.py ARCHIVE CORPUS [--bin PATH] [--over 0.03]
ARCHIVE is an archive the corpus's charts were ingested into (`chartvault --archive A
ingest CORPUS/charts`), CORPUS holds the manifest.jsonl. Prints one line per content page
whose character error rate is over the limit: file, page, format, scan quality, DPI,
rotation, CER, the archived rotation and OCR confidence. Page text stays on this machine.
"""
import argparse
import json
import signal
import subprocess

# Piped into head: stop quietly.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("archive")
    ap.add_argument("corpus")
    ap.add_argument("--bin", default="target/release/chartvault")
    ap.add_argument("--over", type=float, default=0.03)
    a = ap.parse_args()
    truth = {}
    for line in open(f"{a.corpus}/manifest.jsonl"):
        r = json.loads(line)
        name = r["file"].split("/")[-1]
        for p in r["pages"]:
            if p["kind"] == "content":
                truth[(name, p["page"])] = (p["text"], r["format"], r["scan_quality"],
                                            p.get("dpi"), p.get("rotation_deg"))
    out = subprocess.run([a.bin, "--archive", a.archive, "export"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        r = json.loads(line)
        if r.get("kind") != "document":
            continue
        for p in r["pages"]:
            key = (r["source"]["path"], p["source_page"])
            if key not in truth:
                continue
            want = " ".join(truth[key][0].split())
            got = " ".join(p["text"].split())
            e = lev(want, got) / max(1, len(want))
            if e > a.over:
                print(*key, *truth[key][1:], f"{e:.3f}", p["rotation_deg"], p["ocr_confidence"])


if __name__ == "__main__":
    main()
