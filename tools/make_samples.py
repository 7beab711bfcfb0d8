#!/usr/bin/env python3
"""Writes samples/: small synthetic scanned chart pages with their expected text.

All names, numbers and dates are invented. Run from the repository root:
    pip install pillow img2pdf python-barcode && python3 tools/make_samples.py
The outputs are committed; tests and the README demo use them.
"""
import io
import os
import random

import barcode
import img2pdf
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 200
W, H = int(8.5 * DPI), int(11 * DPI)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
OUT = "samples"
SCANS = OUT + "/scans"

PAGES = {
    "discharge_summary": [
        ("bold", "Riverside General Hospital Health Information Management"),
        ("", "Name: TESTPATIENT, ALICE MRN: 90000017 DOB: 04/12/1958"),
        ("", "Date of Service: 03/18/2019"),
        ("bold", "DISCHARGE SUMMARY"),
        ("", "ADMITTING DIAGNOSIS: Community acquired pneumonia."),
        ("", "HOSPITAL COURSE: The patient was treated with intravenous"),
        ("", "ceftriaxone and azithromycin. Oxygen was weaned to room air."),
        ("", "DISCHARGE MEDICATIONS: Metoprolol 25 mg twice daily."),
        ("", "FOLLOW UP: Primary care clinic in one week."),
    ],
    "progress_note": [
        ("bold", "Lakeside Family Practice"),
        ("", "Patient: TESTPATIENT, BRIAN MRN: 90000025 DOB: 09/30/1971"),
        ("", "Date of Service: 11/02/2020"),
        ("bold", "PROGRESS NOTE"),
        ("", "SUBJECTIVE: Knee pain improved after physical therapy."),
        ("", "OBJECTIVE: Full range of motion, no effusion."),
        ("", "ASSESSMENT: Patellofemoral syndrome, resolving."),
        ("", "PLAN: Continue home exercises, return as needed."),
    ],
    "radiology_report": [
        ("bold", "Riverside General Hospital Department of Radiology"),
        ("", "Name: TESTPATIENT, CAROL MRN: 90000033 DOB: 01/05/1984"),
        ("", "Date of Service: 07/22/2018"),
        ("bold", "RADIOLOGY REPORT"),
        ("", "EXAM: Chest x-ray, two views."),
        ("", "FINDINGS: Small right apical pneumothorax. No effusion."),
        ("", "IMPRESSION: Small right pneumothorax, recommend follow up."),
    ],
    "consent_form": [
        ("bold", "Riverside General Hospital"),
        ("", "Patient: TESTPATIENT, DAVID MRN: 90000041 DOB: 12/24/1990"),
        ("bold", "CONSENT FOR TREATMENT"),
        ("", "I consent to the procedure described to me by my physician."),
        ("", "The risks, benefits and alternatives were explained."),
        ("", "Signature of patient or legal representative"),
    ],
}


def render(lines, seed):
    rng = random.Random(seed)
    img = Image.new("L", (W, H), 250)
    d = ImageDraw.Draw(img)
    regular = ImageFont.truetype(FONT, 30)
    bold = ImageFont.truetype(FONT_BOLD, 34)
    y = 160
    for style, text in lines:
        d.text((150, y), text, fill=25, font=bold if style == "bold" else regular)
        y += 70 if style == "bold" else 55
    # scan noise: specks and a faint edge shadow
    for _ in range(300):
        x, yy = rng.randrange(W), rng.randrange(H)
        d.point((x, yy), fill=rng.randrange(60, 200))
    for x in range(12):
        d.line([(x, 0), (x, H)], fill=120 + x * 10)
    return img.filter(ImageFilter.GaussianBlur(0.6))


def separator_sheet(code, title, seed):
    """A separator sheet: a large Code 128 barcode, its text, and a title."""
    img = Image.new("L", (W, H), 250)
    bc = barcode.get("code128", code, writer=ImageWriter()).render(
        {"module_width": 0.5, "module_height": 25.0, "write_text": False, "dpi": DPI}
    ).convert("L")
    img.paste(bc, ((W - bc.width) // 2, 500))
    d = ImageDraw.Draw(img)
    d.text((300, 300), title, fill=25, font=ImageFont.truetype(FONT_BOLD, 48))
    d.text((600, 500 + bc.height + 40), code, fill=25, font=ImageFont.truetype(FONT, 40))
    rng = random.Random(seed)
    for _ in range(200):
        d.point((rng.randrange(W), rng.randrange(H)), fill=rng.randrange(60, 200))
    return img.rotate(1.5, fillcolor=250)


def blank_back(seed):
    rng = random.Random(seed)
    img = Image.new("L", (W, H), 248)
    d = ImageDraw.Draw(img)
    for _ in range(400):
        d.point((rng.randrange(W), rng.randrange(H)), fill=rng.randrange(100, 230))
    return img


def bilevel(img):
    return img.point(lambda v: 255 if v > 150 else 0).convert("1")


def tiff_g4(pages):
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", compression="group4", dpi=(DPI, DPI),
                  save_all=True, append_images=pages[1:])
    return buf.getvalue()


def main():
    os.makedirs(OUT + "/expected", exist_ok=True)
    os.makedirs(SCANS, exist_ok=True)
    pages = {k: render(v, i) for i, (k, v) in enumerate(PAGES.items())}
    for k, v in PAGES.items():
        with open(f"{OUT}/expected/{k}.txt", "w") as f:
            f.write("\n".join(t for _, t in v) + "\n")
    # PNG (grayscale, DPI recorded)
    pages["discharge_summary"].save(f"{SCANS}/discharge_summary.png", dpi=(DPI, DPI), optimize=True)
    # Multi-page TIFF G4: content page, then a blank duplex back
    with open(f"{SCANS}/progress_note.tif", "wb") as f:
        f.write(tiff_g4([bilevel(pages["progress_note"]), bilevel(blank_back(7))]))
    # PDF with a JPEG (DCT) page image
    jpg = io.BytesIO()
    pages["radiology_report"].save(jpg, "JPEG", quality=60, dpi=(DPI, DPI))
    with open(f"{SCANS}/radiology_report.pdf", "wb") as f:
        f.write(img2pdf.convert(jpg.getvalue()))
    # PDF with a CCITT Group 4 page image
    with open(f"{SCANS}/consent_form.pdf", "wb") as f:
        f.write(img2pdf.convert(tiff_g4([bilevel(pages["consent_form"])])))
    # A chart batch with sheets: patient separator, document, document separator,
    # document (upside down sheet), as a bilevel multi-page TIFF.
    chart = [
        separator_sheet("MRN90000017", "PATIENT SEPARATOR SHEET", 11),
        pages["discharge_summary"],
        separator_sheet("DOCSEP", "DOCUMENT SEPARATOR", 12).rotate(180),
        pages["progress_note"],
    ]
    with open(f"{SCANS}/chart_with_separators.tif", "wb") as f:
        f.write(tiff_g4([bilevel(p) for p in chart]))
    print("wrote", sorted(os.listdir(SCANS)))


if __name__ == "__main__":
    main()
