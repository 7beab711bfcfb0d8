#!/usr/bin/python3
"""Helper for tools/make-format-matrix.sh: renders the test pages and writes the few
encodings that no Debian command line tool produces exactly as wanted.

Run it with Debian's python3 (/usr/bin/python3): it needs python3-pil and
python3-reportlab. Everything it writes is deterministic (no timestamps, no random ids).

Subcommands (see the argparse set-up at the bottom):
  page      render a page to an 8-bit grey PNG (or a bilevel/RGB/RGBA variant)
  tiff      write an uncompressed little-endian single-strip TIFF of a page with an exact
            photometric / bit depth / sample layout (tiffcp then recompresses it)
  gif       single-frame or animated GIF
  bmp       24-bit or 1-bit BMP
  rlpdf     born-digital / mixed / invisible-text / multi-image PDFs made with reportlab
  maskpdf   a hand-written PDF whose page is an /ImageMask drawing the text
  jbig2pdf  a hand-written PDF whose page image is /JBIG2Decode (generic region, arithmetic
            coded with template 0, or MMR taken from a libtiff Group 4 strip)
  ps        a PostScript page with text (for Ghostscript's pdfwrite)
  texts     print the expected lines of a page
  manifest  append one line to manifest.jsonl
"""
import argparse
import io
import json
import struct
import sys
import zlib

from PIL import Image, ImageDraw, ImageFont

FONTS = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
}
LINE2 = "The quick brown fox jumps over the lazy dog 0123456789"
LINE3 = "Patient chart page converted for the archive"

# Page layouts: (width in, height in, margin in, font pt). "full" is the standard
# 8.5 x 4 in page; "compact" is used for the cells that are uncompressed by nature
# (raw 8-bit TIFF, 24-bit BMP, ...), to keep those files small.
LAYOUTS = {
    "full": (8.5, 4.0, 0.75, 13.0),
    "compact": (6.6, 2.0, 0.3, 13.0),
}
LINE_PITCH = 1.9  # baseline-to-baseline distance, in font sizes


def page_lines(fid, page=None):
    first = f"Format check {fid}" + (f" page {page}" if page else "")
    return [first, LINE2, LINE3]


def page_size(dpi, layout):
    w_in, h_in, _, _ = LAYOUTS[layout]
    return round(w_in * dpi), round(h_in * dpi)


def line_boxes(dpi, layout):
    """Top y (px) of each of the three lines and the font size in px."""
    _, _, margin, pt = LAYOUTS[layout]
    px = round(pt * dpi / 72)
    top = round(margin * dpi)
    return [top + round(i * LINE_PITCH * px) for i in range(3)], px


def render(fid, dpi, page=None, layout="full", font="sans", lines=None):
    """8-bit grey page, black antialiased text on white."""
    w, h = page_size(dpi, layout)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    tops, px = line_boxes(dpi, layout)
    f = ImageFont.truetype(FONTS[font], px)
    left = round(LAYOUTS[layout][2] * dpi)
    for y, text in zip(tops, lines or page_lines(fid, page)):
        if draw.textlength(text, font=f) + left > w - left / 2:
            sys.exit(f"line does not fit on a {layout} page at {dpi} dpi: {text!r}")
        draw.text((left, y), text, font=f, fill=0)
    return img


def bilevel(grey):
    """Threshold at 50 %: mode '1', 1 = white (PIL's sense)."""
    return grey.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


# ------------------------------------------------------------------ uncompressed TIFF


def pack_bits(values, bps, width):
    """Pack one row of integer samples MSB-first, padding the row to a byte."""
    out = bytearray()
    acc = nbits = 0
    for v in values:
        acc = (acc << bps) | v
        nbits += bps
        while nbits >= 8:
            nbits -= 8
            out.append((acc >> nbits) & 0xFF)
    if nbits:
        out.append((acc << (8 - nbits)) & 0xFF)
    return bytes(out)


def write_tiff(path, width, height, bps, spp, photometric, data, dpi, colormap=None,
               extrasamples=None):
    """Uncompressed, little-endian, one strip, chunky. data is the raw strip."""
    tags = []  # (tag, type, count, payload bytes)
    SHORT, LONG, RATIONAL = 3, 4, 5

    def short(tag, vals):
        tags.append((tag, SHORT, len(vals), struct.pack(f"<{len(vals)}H", *vals)))

    def long_(tag, vals):
        tags.append((tag, LONG, len(vals), struct.pack(f"<{len(vals)}I", *vals)))

    long_(256, [width])
    long_(257, [height])
    short(258, [bps] * spp)
    short(259, [1])
    short(262, [photometric])
    long_(273, [0])  # patched below
    short(277, [spp])
    long_(278, [height])
    long_(279, [len(data)])
    tags.append((282, RATIONAL, 1, struct.pack("<II", dpi, 1)))
    tags.append((283, RATIONAL, 1, struct.pack("<II", dpi, 1)))
    short(284, [1])
    short(296, [2])
    if colormap is not None:
        short(320, colormap)
    if extrasamples is not None:
        short(338, extrasamples)
    tags.sort()
    ifd_off = 8
    ifd_len = 2 + 12 * len(tags) + 4
    extra_off = ifd_off + ifd_len
    extra = bytearray()
    entries = []
    data_off_slot = None
    for tag, typ, count, payload in tags:
        if len(payload) <= 4:
            entries.append((tag, typ, count, payload.ljust(4, b"\0")))
        else:
            if len(extra) % 2:
                extra.append(0)
            entries.append((tag, typ, count, struct.pack("<I", extra_off + len(extra))))
            extra += payload
    data_off = extra_off + len(extra)
    data_off += data_off % 2
    out = bytearray(b"II*\0" + struct.pack("<I", ifd_off))
    out += struct.pack("<H", len(entries))
    for tag, typ, count, val in entries:
        if tag == 273:
            val = struct.pack("<I", data_off)
        out += struct.pack("<HHI", tag, typ, count) + val
    out += struct.pack("<I", 0)
    out += extra
    while len(out) < data_off:
        out.append(0)
    out += data
    with open(path, "wb") as fh:
        fh.write(out)


def cmd_tiff(a):
    g = render(a.id, a.dpi, a.page, a.layout, a.font)
    w, h = g.size
    px = list(g.getdata())
    rows = [px[y * w:(y + 1) * w] for y in range(h)]
    k = a.kind
    cmap = extras = None
    if k in ("bilevel-minwhite", "bilevel-minblack"):
        ink = 1 if k == "bilevel-minwhite" else 0
        data = b"".join(pack_bits([ink if v < 128 else 1 - ink for v in r], 1, w) for r in rows)
        bps, spp, phot = 1, 1, (0 if k == "bilevel-minwhite" else 1)
    elif k in ("gray2", "gray4"):
        bps = 2 if k == "gray2" else 4
        data = b"".join(pack_bits([v >> (8 - bps) for v in r], bps, w) for r in rows)
        spp, phot = 1, 1
    elif k == "gray8":
        data, bps, spp, phot = bytes(px), 8, 1, 1
    elif k == "gray8-minwhite":
        data, bps, spp, phot = bytes(255 - v for v in px), 8, 1, 0
    elif k == "gray16":
        data = struct.pack(f"<{len(px)}H", *[v * 257 for v in px])
        bps, spp, phot = 16, 1, 1
    elif k == "gray-alpha":
        data = bytes(b for v in px for b in (v, 255))
        bps, spp, phot, extras = 8, 2, 1, [2]
    elif k == "rgb8":
        data, bps, spp, phot = bytes(b for v in px for b in (v, v, v)), 8, 3, 2
    elif k == "rgba8":
        data = bytes(b for v in px for b in (v, v, v, 255))
        bps, spp, phot, extras = 8, 4, 2, [2]
    elif k == "rgb16":
        data = struct.pack(f"<{3 * len(px)}H", *[v * 257 for v in px for _ in range(3)])
        bps, spp, phot = 16, 3, 2
    elif k == "pal8":
        # index = 255 - grey: a reader that shows indices as grey gets a negative.
        data, bps, spp, phot = bytes(255 - v for v in px), 8, 1, 3
        levels = [(255 - i) * 257 for i in range(256)]
        cmap = levels * 3
    elif k == "pal4":
        # 16 grey levels stored under permuted indices: only the colormap gives the page.
        perm = [(q * 7 + 3) % 16 for q in range(16)]
        data = b"".join(pack_bits([perm[v >> 4] for v in r], 4, w) for r in rows)
        bps, spp, phot = 4, 1, 3
        level = [0] * 16
        for q in range(16):
            level[perm[q]] = q * 17 * 257
        cmap = level * 3
    else:
        sys.exit(f"unknown kind {k}")
    write_tiff(a.out, w, h, bps, spp, phot, data, a.dpi, cmap, extras)


# ------------------------------------------------------------------ simple images


def cmd_page(a):
    g = render(a.id, a.dpi, a.page, a.layout, a.font)
    if a.rotate:
        g = g.rotate(a.rotate, expand=True)  # counter-clockwise, like PIL
    m = a.mode
    if m == "L":
        img = g
    elif m == "1":
        img = bilevel(g)
    elif m == "RGB":
        img = g.convert("RGB")
    elif m == "P":
        img = g.convert("RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    elif m == "I16":
        img = Image.frombytes("I;16", g.size, struct.pack(f"<{g.size[0] * g.size[1]}H", *[v * 257 for v in g.getdata()]))
    elif m == "RGBA-transparent":
        # Colour channels black everywhere; only alpha carries the glyphs.
        alpha = g.point(lambda v: 255 - v)
        img = Image.new("RGBA", g.size, (0, 0, 0, 0))
        img.putalpha(alpha)
    else:
        sys.exit(f"unknown mode {m}")
    kw = {"dpi": (a.dpi, a.dpi)}
    fmt = a.out.rsplit(".", 1)[1].lower()
    if fmt == "png":
        kw["optimize"] = True
    elif fmt in ("jpg", "jpeg"):
        kw.update(quality=a.quality, progressive=False, optimize=True)
        if a.subsampling is not None:
            kw["subsampling"] = a.subsampling
    img.save(a.out, **kw)


def cmd_bmp(a):
    g = render(a.id, a.dpi, a.page, a.layout, a.font)
    img = g.convert("RGB") if a.bits == 24 else bilevel(g)
    img.save(a.out, format="BMP", dpi=(a.dpi, a.dpi))


def cmd_gif(a):
    frames = []
    for p in range(1, a.frames + 1):
        g = render(a.id, a.dpi, p if a.frames > 1 else None, a.layout, a.font)
        frames.append(g.convert("RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT,
                                                 dither=Image.Dither.NONE))
    if a.frames == 1:
        frames[0].save(a.out, format="GIF", optimize=False)
    else:
        frames[0].save(a.out, format="GIF", save_all=True, append_images=frames[1:],
                       duration=1500, loop=0, disposal=1, optimize=False)


# ------------------------------------------------------------------ hand-written PDFs


def write_pdf(path, w_pt, h_pt, images, content):
    """One-page PDF. images: list of (name, dict_entries_str, data)."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    cat = add(None)
    pages = add(None)
    page = add(None)
    xobjs = []
    for name, entries, data in images:
        n = add(b"<< /Type /XObject /Subtype /Image " + entries.encode() +
                b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
        xobjs.append(f"/{name} {n} 0 R")
    cdata = zlib.compress(content.encode(), 9)
    cont = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(cdata) + cdata + b"\nendstream")
    objs[cat - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    objs[pages - 1] = b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page
    objs[page - 1] = (f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {w_pt:g} {h_pt:g}] "
                      f"/Resources << /XObject << {' '.join(xobjs)} >> >> /Contents {cont} 0 R >>").encode()
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, body in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, cat, xref)
    with open(path, "wb") as fh:
        fh.write(out)


def cmd_maskpdf(a):
    g = render(a.id, a.dpi, None, a.layout, a.font)
    w, h = g.size
    # ImageMask with the default /Decode [0 1]: sample 0 paints, 1 leaves the page alone.
    raw = bilevel(g).tobytes()  # PIL '1' packs 1 = white, MSB first, rows byte-padded
    data = zlib.compress(raw, 9)
    entries = f"/Width {w} /Height {h} /ImageMask true /BitsPerComponent 1 /Filter /FlateDecode"
    wp, hp = w * 72 / a.dpi, h * 72 / a.dpi
    content = f"q 0 g {wp:g} 0 0 {hp:g} 0 0 cm /Im0 Do Q\n"
    write_pdf(a.out, wp, hp, [("Im0", entries, data)], content)


# JBIG2 (ITU-T T.88). The MQ coder of Annex E.2 and the generic region of 6.2.
QE = [
    (0x5601, 1, 1, 1), (0x3401, 2, 6, 0), (0x1801, 3, 9, 0), (0x0AC1, 4, 12, 0),
    (0x0521, 5, 29, 0), (0x0221, 38, 33, 0), (0x5601, 7, 6, 1), (0x5401, 8, 14, 0),
    (0x4801, 9, 14, 0), (0x3801, 10, 14, 0), (0x3001, 11, 17, 0), (0x2401, 12, 18, 0),
    (0x1C01, 13, 20, 0), (0x1601, 29, 21, 0), (0x5601, 15, 14, 1), (0x5401, 16, 14, 0),
    (0x5101, 17, 15, 0), (0x4801, 18, 16, 0), (0x3801, 19, 17, 0), (0x3401, 20, 18, 0),
    (0x3001, 21, 19, 0), (0x2801, 22, 19, 0), (0x2401, 23, 20, 0), (0x2201, 24, 21, 0),
    (0x1C01, 25, 22, 0), (0x1801, 26, 23, 0), (0x1601, 27, 24, 0), (0x1401, 28, 25, 0),
    (0x1201, 29, 26, 0), (0x1101, 30, 27, 0), (0x0AC1, 31, 28, 0), (0x09C1, 32, 29, 0),
    (0x08A1, 33, 30, 0), (0x0521, 34, 31, 0), (0x0441, 35, 32, 0), (0x02A1, 36, 33, 0),
    (0x0221, 37, 34, 0), (0x0141, 38, 35, 0), (0x0111, 39, 36, 0), (0x0085, 40, 37, 0),
    (0x0049, 41, 38, 0), (0x0025, 42, 39, 0), (0x0015, 43, 40, 0), (0x0009, 44, 41, 0),
    (0x0005, 45, 42, 0), (0x0001, 45, 43, 0), (0x5601, 46, 46, 0),
]


class MQEncoder:
    def __init__(self):
        self.a, self.c, self.ct, self.b = 0x8000, 0, 12, 0
        self.bp = -1  # the byte before the first one is a dummy that is never written
        self.out = bytearray()

    def _emit(self):
        if self.bp >= 0:
            self.out.append(self.b)

    def _byteout(self):
        if self.b == 0xFF:
            self._emit()
            self.b = (self.c >> 20) & 0xFF
            self.bp += 1
            self.c &= 0xFFFFF
            self.ct = 7
            return
        if self.c >= 0x8000000:
            self.b += 1
            if self.b == 0xFF:
                self.c &= 0x7FFFFFF
                self._emit()
                self.b = (self.c >> 20) & 0xFF
                self.bp += 1
                self.c &= 0xFFFFF
                self.ct = 7
                return
        self._emit()
        self.b = (self.c >> 19) & 0xFF
        self.bp += 1
        self.c &= 0x7FFFF
        self.ct = 8

    def _renorm(self):
        while True:
            self.a <<= 1
            self.c <<= 1
            self.ct -= 1
            if self.ct == 0:
                self._byteout()
            if self.a & 0x8000:
                break

    def encode(self, st, cx, d):
        """st: per-context [index, mps] list."""
        s = st[cx]
        qe, nmps, nlps, switch = QE[s[0]]
        self.a -= qe
        if d == s[1]:  # MPS
            if self.a & 0x8000:
                self.c += qe
                return
            if self.a < qe:
                self.a = qe
            else:
                self.c += qe
            s[0] = nmps
        else:  # LPS
            if self.a < qe:
                self.c += qe
            else:
                self.a = qe
            if switch:
                s[1] = 1 - s[1]
            s[0] = nlps
        self._renorm()

    def flush(self):
        tempc = self.c + self.a
        self.c |= 0xFFFF
        if self.c >= tempc:
            self.c -= 0x8000
        self.c <<= self.ct
        self._byteout()
        self.c <<= self.ct
        self._byteout()
        self._emit()
        if self.b != 0xFF:
            self.out.append(0xFF)
        self.out.append(0xAC)
        return bytes(self.out)


def jbig2_generic_arith(bits, w, h):
    """Template 0, nominal AT pixels, TPGDON off. bits[y][x]: 1 = black.

    The context is the 16 template pixels; their order inside the context number
    does not matter to a decoder (every context starts in state 0, MPS 0), only which
    pixels are used: row y-2: x-2..x+2 (x-2 and x+2 are AT pixels A4, A3), row y-1:
    x-3..x+3 (x-3, x+3 are A2, A1), row y: x-4..x-1."""
    enc = MQEncoder()
    st = [[0, 0] for _ in range(1 << 16)]
    zero = [0] * (w + 8)
    padded = [zero, zero] + [[0, 0, 0, 0] + list(r) + [0, 0, 0, 0] for r in bits]
    for y in range(h):
        r2, r1, r0 = padded[y], padded[y + 1], padded[y + 2]
        # windows at x = 0 (padded index x + 4)
        w2 = (r2[2] << 4) | (r2[3] << 3) | (r2[4] << 2) | (r2[5] << 1) | r2[6]
        w1 = ((r1[1] << 6) | (r1[2] << 5) | (r1[3] << 4) | (r1[4] << 3) | (r1[5] << 2)
              | (r1[6] << 1) | r1[7])
        w0 = 0
        for x in range(w):
            d = r0[x + 4]
            enc.encode(st, (w2 << 11) | (w1 << 4) | w0, d)
            w2 = ((w2 << 1) & 0x1F) | r2[x + 7]
            w1 = ((w1 << 1) & 0x7F) | r1[x + 8]
            w0 = ((w0 << 1) & 0x0F) | d
    return enc.flush()


def jbig2_segment(number, seg_type, data):
    # flags: page association in 1 byte; no referred-to segments; page 1
    return struct.pack(">IBBBI", number, seg_type, 0, 1, len(data)) + data


def jbig2_embedded_stream(w, h, dpi, region_flags, region_data):
    ppm = round(dpi / 0.0254)
    page_info = struct.pack(">IIIIBH", w, h, ppm, ppm, 0x01, 0)  # eventually lossless
    region_info = struct.pack(">IIIIB", w, h, 0, 0, 0)
    if region_flags & 1:  # MMR: no AT bytes
        gen = region_info + bytes([region_flags]) + region_data
    else:  # template 0: four AT pixels (nominal positions)
        at = struct.pack(">8b", 3, -1, -3, -1, 2, -2, -2, -2)
        gen = region_info + bytes([region_flags]) + at + region_data
    # PDF's embedded organisation: no file header, no end-of-page / end-of-file segments.
    return jbig2_segment(0, 48, page_info) + jbig2_segment(1, 38, gen)


def tiff_single_strip(path):
    """Strip bytes of a one-strip TIFF (as tiffcp -r <height> writes it)."""
    im = Image.open(path)
    offs, counts = im.tag_v2[273], im.tag_v2[279]
    if len(offs) != 1:
        sys.exit(f"{path}: expected one strip, found {len(offs)}")
    assert im.tag_v2.get(266, 1) == 1, "FillOrder must be msb2lsb"
    assert im.tag_v2[262] == 0, "expected MinIsWhite (white = 0 as in T.6)"
    with open(path, "rb") as fh:
        fh.seek(offs[0])
        return fh.read(counts[0]), im.size


def cmd_jbig2pdf(a):
    if a.mmr_from:
        data, (w, h) = tiff_single_strip(a.mmr_from)
        stream = jbig2_embedded_stream(w, h, a.dpi, 0x01, data)
    else:
        g = render(a.id, a.dpi, None, a.layout, a.font)
        w, h = g.size
        px = [1 if v < 128 else 0 for v in g.getdata()]
        bits = [px[y * w:(y + 1) * w] for y in range(h)]
        stream = jbig2_embedded_stream(w, h, a.dpi, 0x00, jbig2_generic_arith(bits, w, h))
    entries = f"/Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /JBIG2Decode"
    wp, hp = w * 72 / a.dpi, h * 72 / a.dpi
    content = f"q {wp:g} 0 0 {hp:g} 0 0 cm /Im0 Do Q\n"
    write_pdf(a.out, wp, hp, [("Im0", entries, stream)], content)


# ------------------------------------------------------------------ reportlab PDFs


def cmd_rlpdf(a):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "DejaVuSerif" if a.font == "serif" else "DejaVuSans"
    pdfmetrics.registerFont(TTFont(font, FONTS[a.font]))
    W, H = 8.5 * 72, 4.0 * 72
    if a.kind == "mixed-small":
        H = 11.0 * 72  # a letter page: the picture is a small part of it
    _, _, margin, pt = LAYOUTS["full"]
    left = margin * 72
    ys = [H - margin * 72 - pt * 0.93 - i * LINE_PITCH * pt for i in range(3)]  # baselines
    c = canvas.Canvas(a.out, pagesize=(W, H), invariant=1, pageCompression=1)
    c.setTitle(f"Format check {a.id}")
    c.setAuthor("ChartVault format matrix")
    c.setCreator("tools/format_matrix.py (reportlab)")

    def image_of(lines, dpi, crop=None, fmt="PNG"):
        g = render(a.id, dpi, None, "full", a.font, lines=lines)
        if crop:
            g = g.crop(crop)
        buf = io.BytesIO()
        if fmt == "JPEG":
            g.save(buf, format="JPEG", quality=80)
        else:
            g.save(buf, format="PNG")
        buf.seek(0)
        return ImageReader(buf), g.size

    def lines_1_and_3_as_text():
        """Draws lines 1 and 3 as real text; line 2 is the caller's picture (a 200 dpi strip)."""
        lines = page_lines(a.id)
        c.setFont(font, pt)
        c.drawString(left, ys[0], lines[0])
        c.drawString(left, ys[2], lines[2])
        dpi = 200
        tops, px = line_boxes(dpi, "full")
        return lines, [" ", lines[1], " "], dpi, tops, px

    if a.kind in ("text", "text2"):
        pages = 2 if a.kind == "text2" else 1
        for p in range(1, pages + 1):
            c.setFont(font, pt)
            for y, t in zip(ys, page_lines(a.id, p if pages > 1 else None)):
                c.drawString(left, y, t)
            c.showPage()
    elif a.kind == "mixed":
        lines, strip, dpi, tops, px = lines_1_and_3_as_text()
        # line 2 only as a picture: a 200 dpi grey scan strip of just that line
        y0 = tops[1] - px // 2
        y1 = tops[1] + round(px * 1.6)
        img, (iw, ih) = image_of(strip, dpi, crop=(0, y0, page_size(dpi, "full")[0], y1))
        # place it so that its text sits exactly where line 2 belongs
        top_pt = H - y0 * 72 / dpi
        c.drawImage(img, 0, top_pt - ih * 72 / dpi, iw * 72 / dpi, ih * 72 / dpi)
        # lines and boxes (no text): a frame round the picture, a rule, a small grid
        c.setLineWidth(0.8)
        c.rect(left - 6, top_pt - ih * 72 / dpi, W - 2 * left + 12, ih * 72 / dpi)
        c.setLineWidth(1.5)
        c.line(left, ys[2] - 18, W - left, ys[2] - 18)
        c.setLineWidth(0.5)
        for i in range(4):
            c.rect(left + i * 90, 20, 80, 24)
        c.showPage()
    elif a.kind == "mixed-small":
        # line 2 only as a small picture cropped to the words (a pasted label or stamp):
        # well under 2% of the page, no frame, nothing else drawn
        lines, strip, dpi, tops, px = lines_1_and_3_as_text()
        y0 = tops[1] - px // 3
        y1 = tops[1] + round(px * 1.3)
        x0 = round(LAYOUTS["full"][2] * dpi) - px // 3
        probe = Image.new("L", (10, 10), 255)
        fnt = ImageFont.truetype(FONTS["sans"], px)
        text_w = round(ImageDraw.Draw(probe).textlength(lines[1], font=fnt))
        x1 = x0 + text_w + px
        img, (iw, ih) = image_of(strip, dpi, crop=(x0, y0, x1, y1))
        top_pt = H - y0 * 72 / dpi
        c.drawImage(img, x0 * 72 / dpi, top_pt - ih * 72 / dpi, iw * 72 / dpi, ih * 72 / dpi)
        c.showPage()
    elif a.kind == "ocr-wrong":
        dpi = 200
        img, (iw, ih) = image_of(None, dpi)
        c.drawImage(img, 0, 0, W, H)
        t = c.beginText()
        t.setTextRenderMode(3)  # invisible
        t.setFont(font, pt)
        for y in ys:
            t.setTextOrigin(left, y)
            t.textOut("zzzz zzzz zzzz zzzz")
        c.drawText(t)
        c.showPage()
    elif a.kind == "two-images":
        dpi = 150
        full_w, full_h = page_size(dpi, "full")
        tops, px = line_boxes(dpi, "full")
        cut = (tops[1] + px + tops[2]) // 2  # between line 2 and line 3
        top_img, (tw, th) = image_of(None, dpi, crop=(0, 0, full_w, cut), fmt="JPEG")
        bot_img, (bw, bh) = image_of(None, dpi, crop=(0, cut, full_w, full_h), fmt="PNG")
        c.drawImage(top_img, 0, H - th * 72 / dpi, tw * 72 / dpi, th * 72 / dpi)
        c.drawImage(bot_img, 0, 0, bw * 72 / dpi, bh * 72 / dpi)
        c.showPage()
    else:
        sys.exit(f"unknown kind {a.kind}")
    c.save()


def cmd_ps(a):
    """A PostScript page (8.5 x 4 in) with the text in Helvetica (NimbusSans in gs)."""
    W, H = 612, 288
    _, _, margin, pt = LAYOUTS["full"]
    left = margin * 72
    out = ["%!PS-Adobe-3.0", f"%%BoundingBox: 0 0 {W} {H}", "%%Pages: 1",
           "%%Title: Format check " + a.id, "%%EndComments", "%%Page: 1 1",
           f"<< /PageSize [{W} {H}] >> setpagedevice",
           f"/Helvetica findfont {pt} scalefont setfont", "0 setgray"]
    for i, t in enumerate(page_lines(a.id)):
        y = H - margin * 72 - pt * 0.93 - i * LINE_PITCH * pt
        esc = t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        out.append(f"{left:g} {y:.2f} moveto ({esc}) show")
    out += ["showpage", "%%EOF", ""]
    with open(a.out, "w") as fh:
        fh.write("\n".join(out))


# ------------------------------------------------------------------ manifest


def cmd_texts(a):
    print("\n".join(page_lines(a.id, a.page)))


def cmd_manifest(a):
    fid = a.file.split("-", 1)[0]
    texts = ["\n".join(page_lines(fid, p if a.pages > 1 else None)) for p in range(1, a.pages + 1)]
    rec = {"file": a.file, "pages": a.pages, "texts": texts, "text_source": a.source,
           "what": a.what, "tool": a.tool}
    with open(a.manifest, "a") as fh:
        fh.write(json.dumps(rec) + "\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("out")
        p.add_argument("--id", required=True)
        p.add_argument("--dpi", type=int, default=150)
        p.add_argument("--page", type=int)
        p.add_argument("--layout", default="full", choices=list(LAYOUTS))
        p.add_argument("--font", default="sans", choices=list(FONTS))

    p = sub.add_parser("page")
    common(p)
    p.add_argument("--mode", default="L")
    p.add_argument("--rotate", type=int, default=0)
    p.add_argument("--quality", type=int, default=85)
    p.add_argument("--subsampling", type=int)
    p.set_defaults(fn=cmd_page)
    p = sub.add_parser("tiff")
    common(p)
    p.add_argument("--kind", required=True)
    p.set_defaults(fn=cmd_tiff)
    p = sub.add_parser("bmp")
    common(p)
    p.add_argument("--bits", type=int, choices=[1, 24], required=True)
    p.set_defaults(fn=cmd_bmp)
    p = sub.add_parser("gif")
    common(p)
    p.add_argument("--frames", type=int, default=1)
    p.set_defaults(fn=cmd_gif)
    p = sub.add_parser("maskpdf")
    common(p)
    p.set_defaults(fn=cmd_maskpdf)
    p = sub.add_parser("jbig2pdf")
    common(p)
    p.add_argument("--mmr-from")
    p.set_defaults(fn=cmd_jbig2pdf)
    p = sub.add_parser("rlpdf")
    common(p)
    p.add_argument("--kind", required=True)
    p.set_defaults(fn=cmd_rlpdf)
    p = sub.add_parser("ps")
    common(p)
    p.set_defaults(fn=cmd_ps)
    p = sub.add_parser("texts")
    p.add_argument("--id", required=True)
    p.add_argument("--page", type=int)
    p.set_defaults(fn=cmd_texts)
    p = sub.add_parser("manifest")
    p.add_argument("manifest")
    p.add_argument("--file", required=True)
    p.add_argument("--pages", type=int, default=1)
    p.add_argument("--source", choices=["ocr", "pdf_text"], default="ocr")
    p.add_argument("--what", required=True)
    p.add_argument("--tool", required=True)
    p.set_defaults(fn=cmd_manifest)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
