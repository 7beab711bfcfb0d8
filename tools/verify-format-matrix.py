#!/usr/bin/env python3
"""Checks every file of the format matrix (tests/formats/manifest.jsonl) with standard tools:

  structure  tiffinfo -D (TIFF), identify (all images: frame count = pages),
             pdfinfo (page count), pdfimages -list, qpdf --check (PDF)
  text       plain `tesseract FILE -` on image files; for PDFs, pdftoppm -r 200 -gray per
             page then tesseract; for text_source "pdf_text", also pdftotext per page.

Prints one row per file and a list of disagreements with the expected text. The text
score is difflib's similarity ratio of whitespace-normalised text (1.000 = identical).
Exit status is 1 only when a structural check fails; OCR differences are reported.

Usage: tools/verify-format-matrix.py [DIR]   (default tests/formats)
Env:   TESSERACT (default /opt/chartvault/tesseract/bin/tesseract if present, else tesseract),
       TESSDATA_PREFIX (default /usr/share/tesseract-ocr/5/tessdata when that exists)
"""
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "formats")
TESS = os.environ.get("TESSERACT") or (
    "/opt/chartvault/tesseract/bin/tesseract"
    if os.access("/opt/chartvault/tesseract/bin/tesseract", os.X_OK) else "tesseract")
ENV = dict(os.environ)
if "TESSDATA_PREFIX" not in ENV and os.path.isdir("/usr/share/tesseract-ocr/5/tessdata"):
    ENV["TESSDATA_PREFIX"] = "/usr/share/tesseract-ocr/5/tessdata"
ENV["OMP_THREAD_LIMIT"] = "1"


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV, errors="replace")
    return p.returncode, p.stdout, p.stderr


def norm(s):
    return " ".join(s.split())


def score(expected, got):
    return difflib.SequenceMatcher(None, norm(expected), norm(got)).ratio()


def ocr(path):
    rc, out, err = run(TESS, path, "-")
    return out if rc == 0 else f"<tesseract failed: {err.strip()[-200:]}>"


def structure(rec, path):
    """List of problems (empty = fine) and a short description."""
    probs = []
    ext = path.rsplit(".", 1)[1]
    notes = []
    if ext == "pdf":
        rc, out, err = run("pdfinfo", path)
        if rc:
            probs.append(f"pdfinfo: {err.strip()}")
        m = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if not m or int(m.group(1)) != rec["pages"]:
            probs.append(f"pdfinfo pages {m and m.group(1)} != {rec['pages']}")
        rc, out, err = run("pdfimages", "-list", path)
        if rc:
            probs.append(f"pdfimages: {err.strip()}")
        imgs = out.splitlines()[2:]
        notes.append(f"{len(imgs)} img" + ("" if not imgs else " " + ",".join(sorted({l.split()[8] for l in imgs}))))
        rc, out, err = run("qpdf", "--check", path)
        if rc:
            probs.append(f"qpdf --check rc {rc}: {(out + err).strip()[-300:]}")
    else:
        if ext == "tif":
            rc, out, err = run("tiffinfo", "-D", path)
            if rc or re.search(r"error", err, re.I):
                probs.append(f"tiffinfo -D: rc {rc} {err.strip()[:300]}")
        rc, out, err = run("identify", path)
        if rc:
            probs.append(f"identify: {err.strip()[:300]}")
        frames = len(out.splitlines())
        if frames != rec["pages"]:
            probs.append(f"identify frames {frames} != {rec['pages']}")
        notes.append(" ".join(out.splitlines()[0].split()[1:4]) if out else "")
    return probs, "; ".join(notes)


def pdf_pages_ocr(path, n, tmp):
    texts = []
    for p in range(1, n + 1):
        prefix = os.path.join(tmp, f"p{p}")
        rc, _, err = run("pdftoppm", "-r", "200", "-gray", "-f", str(p), "-l", str(p), "-singlefile", path, prefix)
        texts.append(ocr(prefix + ".pgm") if rc == 0 else f"<pdftoppm failed: {err.strip()}>")
    return texts


def pdf_pages_gs(path, n, tmp):
    texts = []
    for p in range(1, n + 1):
        png = os.path.join(tmp, f"g{p}.png")
        rc, _, err = run("gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r200",
                         f"-dFirstPage={p}", f"-dLastPage={p}", f"-sOutputFile={png}", path)
        texts.append(ocr(png) if rc == 0 else f"<gs failed: {err.strip()}>")
    return texts


def pdf_pages_text(path, n):
    texts = []
    for p in range(1, n + 1):
        rc, out, err = run("pdftotext", "-f", str(p), "-l", str(p), "-layout", path, "-")
        texts.append(out if rc == 0 else f"<pdftotext failed: {err.strip()}>")
    return texts


def main():
    recs = [json.loads(l) for l in open(os.path.join(DIR, "manifest.jsonl"))]
    bad_struct = []
    disagree = []
    print(f"tesseract: {TESS}")
    print(f"{'file':44} {'bytes':>7}  {'ocr':>5} {'text':>5}  structure")
    with tempfile.TemporaryDirectory() as tmp:
        for rec in recs:
            path = os.path.join(DIR, rec["file"])
            size = os.path.getsize(path)
            probs, note = structure(rec, path)
            if probs:
                bad_struct.append((rec["file"], probs))
            exp = rec["texts"]
            ptxt = ""
            if path.endswith(".pdf"):
                got = pdf_pages_ocr(path, rec["pages"], tmp)
                s_ocr = min(score(e, g) for e, g in zip(exp, got))
                if s_ocr < 1:
                    disagree.append((rec["file"], "pdftoppm+tesseract", exp, got))
                if s_ocr < 1:  # second opinion: Ghostscript's renderer
                    alt = pdf_pages_gs(path, rec["pages"], tmp)
                    s_alt = min(score(e, g) for e, g in zip(exp, alt))
                    disagree.append((rec["file"], f"second opinion gs -sDEVICE=pnggray + tesseract: {s_alt:.3f}", exp, alt))
                if rec["text_source"] == "pdf_text":
                    txt = pdf_pages_text(path, rec["pages"])
                    s_txt = min(score(e, g) for e, g in zip(exp, txt))
                    ptxt = f"{s_txt:5.3f}"
                    if s_txt < 1:
                        disagree.append((rec["file"], "pdftotext", exp, txt))
            else:
                got = ocr(path)
                s_ocr = score("\n".join(exp), got)
                if s_ocr < 1:
                    disagree.append((rec["file"], "tesseract FILE -", ["\n".join(exp)], [got]))
                    # second opinion: ImageMagick composites the frames, applies EXIF orientation,
                    # flattens on white and writes a plain PNG per page for tesseract
                    alt = []
                    pat = os.path.join(tmp, "f-%d.png")
                    rc, _, err = run("convert", path, "-coalesce", "-auto-orient", "-background", "white",
                                     "-alpha", "remove", "-alpha", "off", "-depth", "8", pat)
                    for i in range(rec["pages"]):
                        alt.append(ocr(pat % i) if rc == 0 else f"<convert failed: {err.strip()}>")
                    s_alt = min(score(e, g) for e, g in zip(exp, alt))
                    disagree.append((rec["file"], f"second opinion convert -coalesce -auto-orient, per frame + tesseract: {s_alt:.3f}", exp, alt))
            print(f"{rec['file']:44} {size:7d}  {s_ocr:5.3f} {ptxt:>5}  {'OK' if not probs else 'FAIL'} {note}")
    print()
    if bad_struct:
        print("STRUCTURE PROBLEMS")
        for f, probs in bad_struct:
            for p in probs:
                print(f"  {f}: {p}")
        print()
    print(f"TEXT DISAGREEMENTS ({len(disagree)})")
    for f, how, exp, got in disagree:
        print(f"--- {f} [{how}]")
        for e, g in zip(exp, got):
            ed, gd = norm(e), norm(g)
            if ed == gd:
                continue
            print(f"    expected: {ed}")
            print(f"    got:      {gd}")
        if all(norm(e) == norm(g) for e, g in zip(exp, got)):
            print("    (identical)")
    return 1 if bad_struct else 0


if __name__ == "__main__":
    sys.exit(main())
