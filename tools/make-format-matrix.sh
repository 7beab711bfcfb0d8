#!/usr/bin/env bash
# Regenerates the ingest "format matrix" in tests/formats/: one small file per encoding
# (TIFF compressions / photometrics / bit depths / layouts, PNG, JPEG, BMP, GIF, WebP and
# the PDF image and text encodings), each showing the same three lines of text with a
# unique id ("Format check F07"), plus tests/formats/manifest.jsonl with the expected
# text of every page. Deterministic: with the same tool versions, running it twice gives
# byte-identical files (except F63: qpdf's AES-256 key is random; see keep_previous).
#
# Usage: tools/make-format-matrix.sh [OUTDIR]        (default: tests/formats)
#        then tools/verify-format-matrix.py [OUTDIR] checks every file with the standard
#        tools and plain tesseract / poppler.
#
# Needs these Debian packages (apt-get install -y ...):
#   libtiff-tools (tiffcp, tiffinfo)   imagemagick (convert, identify)
#   ghostscript (gs)                   img2pdf           qpdf
#   libopenjp2-tools (opj_compress)    webp (cwebp)      poppler-utils (pdfinfo, pdfimages,
#   pdftotext, pdffonts)
#   libimage-exiftool-perl (exiftool)  python3-pil       python3-reportlab
#   fonts-dejavu-core
# and, for the verify script only, tesseract-ocr + tesseract-ocr-eng.
# The helper tools/format_matrix.py runs under Debian's /usr/bin/python3 (set
# FORMAT_MATRIX_PYTHON to use another interpreter that has Pillow and reportlab).
# JBIG2: Debian has no jbig2enc, so format_matrix.py encodes the JBIG2 generic region itself
# (MQ arithmetic coder, template 0; and an MMR region built from libtiff's Group 4 data).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${1:-$ROOT/tests/formats}
PY=${FORMAT_MATRIX_PYTHON:-/usr/bin/python3}
FM=("$PY" "$HERE/format_matrix.py")
CONVERT=/usr/bin/convert
[ -x "$CONVERT" ] || CONVERT=convert

for t in tiffcp tiffinfo "$CONVERT" identify gs img2pdf qpdf opj_compress cwebp exiftool pdfinfo pdftotext pdffonts pdfimages; do
  command -v "$t" >/dev/null || { echo "missing tool: $t (see the header of $0)" >&2; exit 1; }
done
"$PY" -c 'import PIL, reportlab' || { echo "$PY lacks Pillow or reportlab" >&2; exit 1; }

export SOURCE_DATE_EPOCH=946684800 # 2000-01-01, for any tool that honours it
export TZ=UTC LC_ALL=C
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$OUT" "$WORK/old"
# qpdf's AES-256 encryption always draws a fresh random file key and salts, so that one
# file cannot be byte-identical between runs: keep the previous copy when its decrypted
# content is unchanged (see keep_previous), so that regenerating does not churn it.
cp -p "$OUT"/F63-* "$WORK/old/" 2>/dev/null || true
rm -f "$OUT"/F[0-9][0-9]-* "$OUT/manifest.jsonl"
MANIFEST="$OUT/manifest.jsonl"

die() { echo "make-format-matrix: $*" >&2; exit 1; }
fm() { "${FM[@]}" "$@"; }
id_of() { echo "${1%%-*}"; }

# add FILE PAGES SOURCE WHAT TOOL: one manifest line (texts come from the id in FILE)
add() {
  [ -s "$OUT/$1" ] || die "$1 was not written"
  fm manifest "$MANIFEST" --file "$1" --pages "$2" --source "$3" --what "$4" --tool "$5"
}

# expect_tiff FILE 'tiffinfo text' ...: every string must appear in tiffinfo's output
expect_tiff() {
  local f=$1 info
  shift
  info=$(tiffinfo "$f" 2>&1) || die "tiffinfo failed on $f: $info"
  for want in "$@"; do
    grep -qF -- "$want" <<<"$info" || die "$(basename "$f"): tiffinfo lacks '$want':
$info"
  done
}
# expect_not FILE 'text': tiffinfo must NOT show it
expect_not() {
  if tiffinfo "$1" 2>&1 | grep -qF -- "$2"; then die "$(basename "$1"): tiffinfo shows '$2'"; fi
}
# expect_pdf FILE TEXT...: strings that must appear in the PDF (objects uncompressed, streams as stored)
expect_pdf() {
  local f=$1
  shift
  qpdf --qdf --stream-data=preserve --object-streams=disable "$f" "$WORK/check.pdf" >/dev/null 2>&1 || true
  for want in "$@"; do
    grep -aqF -- "$want" "$WORK/check.pdf" || die "$(basename "$f"): PDF lacks '$want'"
  done
}

# keep_previous FILE: put back the copy from before this run if it decrypts to the same PDF
keep_previous() {
  local old="$WORK/old/$1"
  [ -f "$old" ] || return 0
  qpdf --decrypt --static-id "$old" "$WORK/prev-dec.pdf" 2>/dev/null || return 0
  qpdf --decrypt --static-id "$OUT/$1" "$WORK/new-dec.pdf"
  if cmp -s "$WORK/prev-dec.pdf" "$WORK/new-dec.pdf"; then cp -p "$old" "$OUT/$1"; fi
}

# base NAME ID DPI KIND [LAYOUT] [FONT]: uncompressed single-strip TIFF in $WORK
base() {
  fm tiff "$WORK/$1.tif" --id "$2" --dpi "$3" --kind "$4" --layout "${5:-full}" --font "${6:-sans}"
}
# tcp OUTFILE BASENAME TIFFCP-ARGS...: tiffcp a base into the matrix
tcp() {
  local out=$1 src=$2
  shift 2
  tiffcp "$@" "$WORK/$src.tif" "$OUT/$out"
}

MW='Photometric Interpretation: min-is-white'
MB='Photometric Interpretation: min-is-black'

# ---------------------------------------------------------------- TIFF
f=F01-tiff-g4-miniswhite.tif
base b01 F01 200 bilevel-minwhite
tcp $f b01 -c g4
expect_tiff "$OUT/$f" 'Compression Scheme: CCITT Group 4' "$MW" 'Bits/Sample: 1'
add $f 1 ocr "TIFF 1-bit CCITT Group 4, PhotometricInterpretation 0 (WhiteIsZero, the fax convention), 200 dpi" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c g4"

f=F02-tiff-g4-minisblack-300dpi.tif
base b02 F02 300 bilevel-minblack
tcp $f b02 -c g4
expect_tiff "$OUT/$f" 'Compression Scheme: CCITT Group 4' "$MB" 'Bits/Sample: 1' 'Resolution: 300, 300'
add $f 1 ocr "TIFF 1-bit CCITT Group 4, PhotometricInterpretation 1 (BlackIsZero), 300 dpi" "format_matrix.py tiff --kind bilevel-minblack; tiffcp -c g4"

f=F03-tiff-g3-1d-miniswhite.tif
base b03 F03 200 bilevel-minwhite full serif
tcp $f b03 -c g3:1d
expect_tiff "$OUT/$f" 'Compression Scheme: CCITT Group 3' 'Group 3 Options: (0 = 0x0)' "$MW"
add $f 1 ocr "TIFF 1-bit CCITT Group 3 1-D (Modified Huffman per row, T4Options 0), WhiteIsZero, 200 dpi, DejaVu Serif" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c g3:1d"

f=F04-tiff-g3-2d-miniswhite.tif
base b04 F04 200 bilevel-minwhite
tcp $f b04 -c g3:2d
expect_tiff "$OUT/$f" 'Compression Scheme: CCITT Group 3' '2-d encoding' "$MW"
add $f 1 ocr "TIFF 1-bit CCITT Group 3 2-D (T4Options bit 0 set, MR coding), WhiteIsZero, 200 dpi" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c g3:2d"

f=F05-tiff-1bit-none-miniswhite.tif
base b05 F05 150 bilevel-minwhite compact
tcp $f b05 -c none
expect_tiff "$OUT/$f" 'Compression Scheme: None' "$MW" 'Bits/Sample: 1'
add $f 1 ocr "TIFF 1-bit uncompressed, WhiteIsZero, 150 dpi (compact 6.6 x 2 in page to stay small)" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c none"

f=F06-tiff-1bit-packbits-miniswhite.tif
base b06 F06 150 bilevel-minwhite
tcp $f b06 -c packbits
expect_tiff "$OUT/$f" 'Compression Scheme: PackBits' "$MW" 'Bits/Sample: 1'
add $f 1 ocr "TIFF 1-bit PackBits, WhiteIsZero, 150 dpi" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c packbits"

f=F07-tiff-1bit-lzw-minisblack.tif
base b07 F07 150 bilevel-minblack
tcp $f b07 -c lzw
expect_tiff "$OUT/$f" 'Compression Scheme: LZW' "$MB" 'Bits/Sample: 1'
add $f 1 ocr "TIFF 1-bit LZW, BlackIsZero, 150 dpi" "format_matrix.py tiff --kind bilevel-minblack; tiffcp -c lzw"

f=F08-tiff-g4-fillorder-lsb2msb.tif
base b08 F08 200 bilevel-minwhite
tcp $f b08 -c g4 -f lsb2msb
expect_tiff "$OUT/$f" 'Compression Scheme: CCITT Group 4' 'FillOrder: lsb-to-msb' "$MW"
add $f 1 ocr "TIFF 1-bit CCITT Group 4 with FillOrder 2 (bits of each byte reversed, LSB first), WhiteIsZero, 200 dpi" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c g4 -f lsb2msb"

f=F09-tiff-gray2-lzw.tif
base b09 F09 150 gray2
tcp $f b09 -c lzw
expect_tiff "$OUT/$f" 'Bits/Sample: 2' "$MB" 'Compression Scheme: LZW'
add $f 1 ocr "TIFF 2-bit grey (4 levels), BlackIsZero, LZW, 150 dpi" "format_matrix.py tiff --kind gray2; tiffcp -c lzw"

f=F10-tiff-gray4-deflate.tif
base b10 F10 150 gray4 full serif
tcp $f b10 -c zip
expect_tiff "$OUT/$f" 'Bits/Sample: 4' "$MB" 'Compression Scheme: AdobeDeflate'
add $f 1 ocr "TIFF 4-bit grey (16 levels), BlackIsZero, Deflate, 150 dpi, DejaVu Serif" "format_matrix.py tiff --kind gray4; tiffcp -c zip"

f=F11-tiff-gray8-none.tif
base b11 F11 100 gray8 compact
tcp $f b11 -c none
expect_tiff "$OUT/$f" 'Bits/Sample: 8' "$MB" 'Compression Scheme: None'
add $f 1 ocr "TIFF 8-bit grey uncompressed, 100 dpi on a compact 6.6 x 2 in page (raw samples are large)" "format_matrix.py tiff --kind gray8; tiffcp -c none"

f=F12-tiff-gray8-lzw.tif
base b12 F12 150 gray8
tcp $f b12 -c lzw
expect_tiff "$OUT/$f" 'Bits/Sample: 8' "$MB" 'Compression Scheme: LZW'
expect_not "$OUT/$f" 'Predictor'
add $f 1 ocr "TIFF 8-bit grey LZW, no predictor, 150 dpi" "format_matrix.py tiff --kind gray8; tiffcp -c lzw"

f=F13-tiff-gray8-deflate.tif
base b13 F13 150 gray8
tcp $f b13 -c zip
expect_tiff "$OUT/$f" 'Bits/Sample: 8' 'Compression Scheme: AdobeDeflate'
expect_not "$OUT/$f" 'Predictor'
add $f 1 ocr "TIFF 8-bit grey Deflate (Adobe, compression 8), no predictor, 150 dpi" "format_matrix.py tiff --kind gray8; tiffcp -c zip"

f=F14-tiff-gray8-lzw-predictor2.tif
base b14 F14 150 gray8
tcp $f b14 -c lzw:2
expect_tiff "$OUT/$f" 'Compression Scheme: LZW' 'Predictor: horizontal differencing 2'
add $f 1 ocr "TIFF 8-bit grey LZW with Predictor 2 (horizontal differencing), 150 dpi" "format_matrix.py tiff --kind gray8; tiffcp -c lzw:2"

f=F15-tiff-gray8-deflate-predictor2.tif
base b15 F15 200 gray8
tcp $f b15 -c zip:2
expect_tiff "$OUT/$f" 'Compression Scheme: AdobeDeflate' 'Predictor: horizontal differencing 2'
add $f 1 ocr "TIFF 8-bit grey Deflate with Predictor 2, 200 dpi" "format_matrix.py tiff --kind gray8; tiffcp -c zip:2"

f=F16-tiff-gray8-miniswhite-lzw.tif
base b16 F16 150 gray8-minwhite
tcp $f b16 -c lzw
expect_tiff "$OUT/$f" 'Bits/Sample: 8' "$MW"
add $f 1 ocr "TIFF 8-bit grey stored inverted (PhotometricInterpretation 0, WhiteIsZero: 0 = white, 255 = black), LZW, 150 dpi" "format_matrix.py tiff --kind gray8-minwhite; tiffcp -c lzw"

f=F17-tiff-gray16-deflate.tif
base b17 F17 150 gray16
tcp $f b17 -c zip
expect_tiff "$OUT/$f" 'Bits/Sample: 16' "$MB" 'Compression Scheme: AdobeDeflate' 'Samples/Pixel: 1'
add $f 1 ocr "TIFF 16-bit grey, BlackIsZero, little-endian samples, Deflate, 150 dpi" "format_matrix.py tiff --kind gray16; tiffcp -c zip"

f=F18-tiff-gray8-alpha-lzw.tif
base b18 F18 150 gray-alpha
tcp $f b18 -c lzw
expect_tiff "$OUT/$f" 'Samples/Pixel: 2' 'Extra Samples: 1<unassoc-alpha>' "$MB"
add $f 1 ocr "TIFF 8-bit grey + unassociated alpha (ExtraSamples 2), alpha fully opaque, LZW, 150 dpi" "format_matrix.py tiff --kind gray-alpha; tiffcp -c lzw"

f=F19-tiff-rgb8-lzw.tif
base b19 F19 150 rgb8 full serif
tcp $f b19 -c lzw
expect_tiff "$OUT/$f" 'Photometric Interpretation: RGB color' 'Samples/Pixel: 3' 'Bits/Sample: 8' 'Compression Scheme: LZW'
add $f 1 ocr "TIFF RGB 8 bits per sample, chunky, LZW, 150 dpi, DejaVu Serif" "format_matrix.py tiff --kind rgb8; tiffcp -c lzw"

f=F20-tiff-rgba8-deflate.tif
base b20 F20 150 rgba8
tcp $f b20 -c zip
expect_tiff "$OUT/$f" 'Photometric Interpretation: RGB color' 'Samples/Pixel: 4' 'Extra Samples: 1<unassoc-alpha>' 'Compression Scheme: AdobeDeflate'
add $f 1 ocr "TIFF RGBA 8 bits per sample (unassociated alpha, fully opaque), Deflate, 150 dpi" "format_matrix.py tiff --kind rgba8; tiffcp -c zip"

f=F21-tiff-rgb-jpeg-ycbcr.tif
base b21 F21 150 rgb8
tcp $f b21 -c jpeg:85 -r 64
expect_tiff "$OUT/$f" 'Compression Scheme: JPEG' 'Photometric Interpretation: YCbCr'
add $f 1 ocr "TIFF RGB compressed as JPEG (compression 7) stored as YCbCr 2x2 subsampled, quality 85, 150 dpi" "format_matrix.py tiff --kind rgb8; tiffcp -c jpeg:85 -r 64"

f=F22-tiff-rgb16-deflate.tif
base b22 F22 150 rgb16
tcp $f b22 -c zip
expect_tiff "$OUT/$f" 'Photometric Interpretation: RGB color' 'Bits/Sample: 16' 'Samples/Pixel: 3'
add $f 1 ocr "TIFF RGB 16 bits per sample, Deflate, 150 dpi" "format_matrix.py tiff --kind rgb16; tiffcp -c zip"

f=F23-tiff-palette8-lzw.tif
base b23 F23 150 pal8
tcp $f b23 -c lzw
expect_tiff "$OUT/$f" 'Photometric Interpretation: palette color' 'Bits/Sample: 8'
add $f 1 ocr "TIFF 8-bit palette (ColorMap of 256 greys with index = 255 - grey, so raw indices look like a negative), LZW, 150 dpi" "format_matrix.py tiff --kind pal8; tiffcp -c lzw"

f=F24-tiff-palette4-lzw.tif
base b24 F24 150 pal4
tcp $f b24 -c lzw
expect_tiff "$OUT/$f" 'Photometric Interpretation: palette color' 'Bits/Sample: 4'
add $f 1 ocr "TIFF 4-bit palette (16 grey levels under permuted indices: only the ColorMap gives the page), LZW, 150 dpi" "format_matrix.py tiff --kind pal4; tiffcp -c lzw"

f=F25-tiff-cmyk8-lzw.tif
fm page "$WORK/p25.png" --id F25 --dpi 150 --mode RGB
"$CONVERT" "$WORK/p25.png" -colorspace CMYK -compress LZW -density 150 -units PixelsPerInch \
  +set date:create +set date:modify "$WORK/c25.tif"
tiffcp -c lzw "$WORK/c25.tif" "$OUT/$f" # tiffcp drops ImageMagick's timestamps
expect_tiff "$OUT/$f" 'Photometric Interpretation: separated' 'Samples/Pixel: 4' 'InkSet: 1'
add $f 1 ocr "TIFF CMYK 8 bits per sample (PhotometricInterpretation 5, separated), InkSet 1 (CMYK), LZW with Predictor 2, 150 dpi" "convert -colorspace CMYK -compress LZW; tiffcp -c lzw"

f=F26-tiff-tiled-gray8-lzw.tif
base b26 F26 150 gray8
tcp $f b26 -c lzw -t -w 256 -l 256
expect_tiff "$OUT/$f" 'Tile Width: 256 Tile Length: 256' 'Bits/Sample: 8'
add $f 1 ocr "TIFF tiled 256x256 (partial tiles on the right and bottom edges), 8-bit grey, LZW, 150 dpi" "format_matrix.py tiff --kind gray8; tiffcp -c lzw -t -w 256 -l 256"

f=F27-tiff-tiled-g4.tif
base b27 F27 200 bilevel-minwhite
tcp $f b27 -c g4 -t -w 256 -l 256
expect_tiff "$OUT/$f" 'Tile Width: 256 Tile Length: 256' 'Compression Scheme: CCITT Group 4' "$MW"
add $f 1 ocr "TIFF tiled 256x256, 1-bit CCITT Group 4, WhiteIsZero, 200 dpi" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c g4 -t -w 256 -l 256"

f=F28-tiff-strips16-gray8-lzw.tif
base b28 F28 150 gray8
tcp $f b28 -c lzw -r 16
expect_tiff "$OUT/$f" 'Rows/Strip: 16' 'Compression Scheme: LZW'
add $f 1 ocr "TIFF 8-bit grey LZW in many strips (RowsPerStrip 16, 38 strips), 150 dpi" "format_matrix.py tiff --kind gray8; tiffcp -c lzw -r 16"

f=F29-tiff-bigendian-gray8-lzw.tif
base b29 F29 150 gray8
tcp $f b29 -c lzw -B
expect_tiff "$OUT/$f" 'Compression Scheme: LZW' 'Bits/Sample: 8'
[ "$(head -c 2 "$OUT/$f")" = MM ] || die "$f is not big-endian"
add $f 1 ocr "TIFF big-endian (MM byte order), 8-bit grey LZW, 150 dpi" "format_matrix.py tiff --kind gray8; tiffcp -B -c lzw"

f=F30-tiff-bigendian-gray16-deflate.tif
base b30 F30 150 gray16
tcp $f b30 -c zip -B
expect_tiff "$OUT/$f" 'Bits/Sample: 16' 'Compression Scheme: AdobeDeflate'
[ "$(head -c 2 "$OUT/$f")" = MM ] || die "$f is not big-endian"
add $f 1 ocr "TIFF big-endian (MM), 16-bit grey with big-endian samples, Deflate, 150 dpi" "format_matrix.py tiff --kind gray16; tiffcp -B -c zip"

f=F31-tiff-multipage-g4-3pages.tif
for p in 1 2 3; do fm tiff "$WORK/m31-$p.tif" --id F31 --page $p --dpi 200 --kind bilevel-minwhite; done
tiffcp -c g4 "$WORK/m31-1.tif" "$WORK/m31-2.tif" "$WORK/m31-3.tif" "$OUT/$f"
[ "$(tiffinfo "$OUT/$f" 2>/dev/null | grep -c 'TIFF Directory at offset')" = 3 ] || die "$f: not 3 directories"
expect_tiff "$OUT/$f" 'Compression Scheme: CCITT Group 4' "$MW"
add $f 3 ocr "TIFF with 3 pages (3 IFDs), each 1-bit CCITT Group 4 WhiteIsZero, 200 dpi; first line names the page" "format_matrix.py tiff --kind bilevel-minwhite --page N (x3); tiffcp -c g4 p1.tif p2.tif p3.tif"

# ---------------------------------------------------------------- PNG
f=F32-png-gray8.png
fm page "$OUT/$f" --id F32 --dpi 150 --mode L
add $f 1 ocr "PNG 8-bit greyscale, 150 dpi (pHYs)" "format_matrix.py page --mode L (Pillow)"

f=F33-png-1bit-300dpi.png
fm page "$OUT/$f" --id F33 --dpi 300 --mode 1
add $f 1 ocr "PNG 1-bit greyscale (bit depth 1, colour type 0), 300 dpi" "format_matrix.py page --mode 1 (Pillow)"

f=F34-png-palette.png
fm page "$OUT/$f" --id F34 --dpi 150 --mode P
add $f 1 ocr "PNG palette (colour type 3, 16-entry PLTE, 4 bits per index), 150 dpi" "format_matrix.py page --mode P (Pillow quantize)"

f=F35-png-rgb.png
fm page "$OUT/$f" --id F35 --dpi 150 --mode RGB --font serif
add $f 1 ocr "PNG RGB 8 bits per channel (colour type 2), 150 dpi, DejaVu Serif" "format_matrix.py page --mode RGB (Pillow)"

f=F36-png-rgba-transparent.png
fm page "$OUT/$f" --id F36 --dpi 150 --mode RGBA-transparent
add $f 1 ocr "PNG RGBA: the background is fully transparent and every pixel's colour is black; the text exists only in the alpha channel. Composited on white it reads normally; a reader that drops alpha sees an all-black page" "format_matrix.py page --mode RGBA-transparent (Pillow)"

f=F37-png-gray16.png
fm page "$OUT/$f" --id F37 --dpi 150 --mode I16
identify -format '%z' "$OUT/$f" | grep -qx 16 || die "$f is not 16-bit"
add $f 1 ocr "PNG 16-bit greyscale, 150 dpi" "format_matrix.py page --mode I16 (Pillow)"

f=F38-png-interlaced-adam7.png
fm page "$WORK/p38.png" --id F38 --dpi 150 --mode L
"$CONVERT" "$WORK/p38.png" -interlace PNG -strip -define png:exclude-chunks=date,time \
  -define png:color-type=0 -define png:bit-depth=8 -density 150 -units PixelsPerInch "$OUT/$f"
identify -verbose "$OUT/$f" | grep -q 'Interlace: PNG' || die "$f is not interlaced"
add $f 1 ocr "PNG 8-bit greyscale, Adam7 interlaced, 150 dpi" "convert -interlace PNG -strip"

# ---------------------------------------------------------------- JPEG
f=F39-jpeg-gray-baseline.jpg
fm page "$OUT/$f" --id F39 --dpi 150 --mode L --quality 85
identify -format '%[colorspace] %[interlace]' "$OUT/$f" | grep -qx 'Gray None' || die "$f: not grey baseline"
add $f 1 ocr "JPEG baseline, 1 component (greyscale), quality 85, JFIF 150 dpi" "format_matrix.py page --mode L (Pillow, quality 85)"

f=F40-jpeg-rgb-baseline.jpg
fm page "$OUT/$f" --id F40 --dpi 200 --mode RGB --quality 85 --subsampling 2 --font serif
identify -format '%[colorspace] %[interlace]' "$OUT/$f" | grep -qx 'sRGB None' || die "$f: not colour baseline"
add $f 1 ocr "JPEG baseline, 3 components YCbCr 4:2:0, quality 85, 200 dpi, DejaVu Serif" "format_matrix.py page --mode RGB (Pillow, quality 85)"

f=F41-jpeg-progressive.jpg
fm page "$WORK/p41.png" --id F41 --dpi 150 --mode RGB
"$CONVERT" "$WORK/p41.png" -type TrueColor -interlace JPEG -quality 85 -strip -density 150 -units PixelsPerInch "$OUT/$f"
identify -format '%[colorspace] %[interlace]' "$OUT/$f" | grep -qx 'sRGB JPEG' || die "$f: not colour progressive"
add $f 1 ocr "JPEG progressive (SOF2), 3 components YCbCr, quality 85, 150 dpi" "convert -type TrueColor -interlace JPEG -quality 85"

f=F42-jpeg-exif-orientation6.jpg
# Pixels stored turned 90 degrees anticlockwise; Orientation 6 tells a viewer to turn them
# 90 degrees clockwise, which shows the page upright.
fm page "$OUT/$f" --id F42 --dpi 150 --mode L --quality 85 --rotate 90
exiftool -q -overwrite_original -n -Orientation=6 -XResolution=150 -YResolution=150 -ResolutionUnit=2 "$OUT/$f"
[ "$(exiftool -n -s3 -Orientation "$OUT/$f")" = 6 ] || die "$f: no Orientation 6"
add $f 1 ocr "JPEG greyscale whose pixels are stored rotated 90 degrees anticlockwise (600x1275) with EXIF Orientation 6 (rotate 90 clockwise to display): shown upright by a viewer that honours EXIF" "format_matrix.py page --rotate 90; exiftool -n -Orientation=6"

# ---------------------------------------------------------------- BMP, GIF, WebP
f=F43-bmp-24bit.bmp
fm bmp "$OUT/$f" --id F43 --dpi 100 --layout compact --bits 24
add $f 1 ocr "BMP 24-bit BI_RGB (uncompressed, bottom-up), 100 dpi on a compact 6.6 x 2 in page (raw pixels are large)" "format_matrix.py bmp --bits 24 (Pillow)"

f=F44-bmp-1bit.bmp
fm bmp "$OUT/$f" --id F44 --dpi 150 --layout compact --bits 1
add $f 1 ocr "BMP 1-bit with a 2-colour palette, 150 dpi on a compact 6.6 x 2 in page" "format_matrix.py bmp --bits 1 (Pillow)"

f=F45-gif-single.gif
fm gif "$OUT/$f" --id F45 --dpi 150 --font serif
add $f 1 ocr "GIF87a single frame, LZW, 256-entry global colour table with 16 grey levels used, 1275x600 (GIF stores no dpi; 150 dpi intended), DejaVu Serif" "format_matrix.py gif (Pillow)"

f=F46-gif-animated-2frames.gif
fm gif "$OUT/$f" --id F46 --dpi 150 --frames 2
[ "$(identify "$OUT/$f" | wc -l)" = 2 ] || die "$f: not 2 frames"
add $f 2 ocr "GIF89a animated, 2 frames (1.5 s each, loop forever), each frame a page whose first line names it; frame 2 is stored only as the 783x129 rectangle that changed, at +114+118, drawn over frame 1 (disposal 1): a page must be composited, not decoded alone" "format_matrix.py gif --frames 2 (Pillow)"

f=F47-webp-lossless.webp
fm page "$WORK/p47.png" --id F47 --dpi 150 --mode L
cwebp -quiet -lossless -z 9 -metadata none "$WORK/p47.png" -o "$OUT/$f"
add $f 1 ocr "WebP lossless (VP8L), 1275x600 (no dpi stored; 150 dpi intended)" "cwebp -lossless -z 9"

f=F48-webp-lossy.webp
fm page "$WORK/p48.png" --id F48 --dpi 150 --mode RGB
cwebp -quiet -q 80 -metadata none "$WORK/p48.png" -o "$OUT/$f"
add $f 1 ocr "WebP lossy (VP8), quality 80, 1275x600 (150 dpi intended)" "cwebp -q 80"

# ---------------------------------------------------------------- PDF
I2P=(img2pdf --nodate --engine internal)

f=F49-pdf-ccitt-g4.pdf
base b49 F49 200 bilevel-minwhite
tiffcp -c g4 "$WORK/b49.tif" "$WORK/g49.tif"
"${I2P[@]}" -o "$OUT/$f" "$WORK/g49.tif" >/dev/null # it prints a Pillow setting
expect_pdf "$OUT/$f" '/CCITTFaxDecode' '/K -1'
add $f 1 ocr "PDF, one page: a 200 dpi 1-bit image with /CCITTFaxDecode (Group 4, K -1), copied unchanged from a G4 TIFF" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c g4; img2pdf"

f=F50-pdf-jpeg-dct.pdf
fm page "$WORK/j50.jpg" --id F50 --dpi 150 --mode L --quality 85
"${I2P[@]}" -o "$OUT/$f" "$WORK/j50.jpg"
expect_pdf "$OUT/$f" '/DCTDecode' '/DeviceGray'
add $f 1 ocr "PDF, one page: a 150 dpi greyscale JPEG embedded as /DCTDecode" "img2pdf page.jpg"

f=F51-pdf-jpx.pdf
fm page "$WORK/j51.png" --id F51 --dpi 150 --mode L
"$CONVERT" "$WORK/j51.png" "$WORK/j51.pgm"
opj_compress -i "$WORK/j51.pgm" -o "$WORK/j51.jp2" -r 20 >/dev/null
"${I2P[@]}" -s 150dpix150dpi -o "$OUT/$f" "$WORK/j51.jp2"
expect_pdf "$OUT/$f" '/JPXDecode'
add $f 1 ocr "PDF, one page: a 150 dpi greyscale JPEG 2000 (JP2, lossy 20:1) embedded as /JPXDecode" "opj_compress -r 20; img2pdf -s 150dpix150dpi"

f=F52-pdf-jbig2-generic.pdf
fm jbig2pdf "$OUT/$f" --id F52 --dpi 150
expect_pdf "$OUT/$f" '/JBIG2Decode'
add $f 1 ocr "PDF, one page: a 150 dpi 1-bit image with /JBIG2Decode (embedded stream: page information + immediate generic region, MQ arithmetic coded, template 0, no /JBIG2Globals); encoded by format_matrix.py as Debian has no jbig2enc" "format_matrix.py jbig2pdf"

f=F53-pdf-jbig2-mmr.pdf
base b53 F53 200 bilevel-minwhite
tiffcp -c g4 -r 100000 "$WORK/b53.tif" "$WORK/g53.tif"
fm jbig2pdf "$OUT/$f" --id F53 --dpi 200 --mmr-from "$WORK/g53.tif"
expect_pdf "$OUT/$f" '/JBIG2Decode'
add $f 1 ocr "PDF, one page: a 200 dpi 1-bit image with /JBIG2Decode whose generic region uses MMR (T.6) coding, the data taken from a libtiff Group 4 strip" "format_matrix.py tiff --kind bilevel-minwhite; tiffcp -c g4; format_matrix.py jbig2pdf --mmr-from"

f=F54-pdf-indexed.pdf
fm page "$WORK/p54.png" --id F54 --dpi 150 --mode P
"${I2P[@]}" -o "$OUT/$f" "$WORK/p54.png"
expect_pdf "$OUT/$f" '/Indexed'
add $f 1 ocr "PDF, one page: a 150 dpi 16-colour palette image in an /Indexed colour space (Flate, 4 bits per index)" "img2pdf palette.png"

f=F55-pdf-flate-png-predictor.pdf
fm page "$WORK/p55.png" --id F55 --dpi 150 --mode L
"${I2P[@]}" -o "$OUT/$f" "$WORK/p55.png"
expect_pdf "$OUT/$f" '/FlateDecode' '/Predictor 15'
add $f 1 ocr "PDF, one page: a 150 dpi greyscale image with /FlateDecode and /DecodeParms /Predictor 15 (PNG row filters, IDAT data copied as is)" "img2pdf gray.png"

f=F56-pdf-rotate90.pdf
fm page "$WORK/p56.png" --id F56 --dpi 150 --mode L --rotate 90
"${I2P[@]}" -o "$WORK/s56.pdf" "$WORK/p56.png"
qpdf --deterministic-id --rotate=+90:1 "$WORK/s56.pdf" "$OUT/$f"
expect_pdf "$OUT/$f" '/Rotate 90'
add $f 1 ocr "PDF page with /Rotate 90 whose image is stored turned 90 degrees anticlockwise (MediaBox 4 x 8.5 in): displayed upright, 8.5 x 4 in" "img2pdf sideways.png; qpdf --rotate=+90:1"

f=F57-pdf-imagemask.pdf
fm maskpdf "$OUT/$f" --id F57 --dpi 150
expect_pdf "$OUT/$f" '/ImageMask true'
add $f 1 ocr "PDF, one page: the text is a 150 dpi 1-bit stencil (/ImageMask true, Flate) painted in black with 0 g; no colour space on the image" "format_matrix.py maskpdf (hand-written PDF)"

f=F59-pdf-text.pdf
fm rlpdf "$OUT/$f" --id F59 --kind text
add $f 1 pdf_text "born-digital PDF: the three lines are real text (DejaVu Sans 13 pt, embedded TrueType subset) drawn with drawString; no images" "format_matrix.py rlpdf --kind text (reportlab)"

f=F58-pdf-vector-outlines.pdf
fm rlpdf "$WORK/t58.pdf" --id F58 --kind text
gs -q -dSAFER -dBATCH -dNOPAUSE -dNoOutputFonts -dOmitInfoDate -dOmitID -dOmitXMP \
  -sDEVICE=pdfwrite -o "$OUT/$f" "$WORK/t58.pdf"
[ -z "$(pdftotext "$OUT/$f" - | tr -d '[:space:]')" ] || die "$f still has extractable text"
add $f 1 ocr "PDF whose text was converted to filled vector outlines (no fonts, no images, nothing extractable): must be rasterised and OCRed" "reportlab text PDF; gs -dNoOutputFonts -sDEVICE=pdfwrite"

f=F60-pdf-text-2pages.pdf
fm rlpdf "$OUT/$f" --id F60 --kind text2 --font serif
add $f 2 pdf_text "born-digital PDF, 2 pages of real text (DejaVu Serif 13 pt, embedded subset); the first line names the page" "format_matrix.py rlpdf --kind text2 (reportlab)"

f=F61-pdf-mixed-text-image.pdf
fm rlpdf "$OUT/$f" --id F61 --kind mixed
add $f 1 pdf_text "mixed page: lines 1 and 3 are real text; line 2 (the quick brown fox ...) exists only as a 200 dpi greyscale image placed between them inside a drawn frame; plus a rule and a row of empty boxes. Text extraction alone gives lines 1 and 3" "format_matrix.py rlpdf --kind mixed (reportlab)"

f=F70-pdf-mixed-small-picture.pdf
fm rlpdf "$OUT/$f" --id F70 --kind mixed-small
add $f 1 pdf_text "mixed letter page: lines 1 and 3 are real text; line 2 exists only as a small 200 dpi greyscale picture cropped to its words (a pasted label: under 2% of the page), nothing else drawn. Text extraction alone gives lines 1 and 3" "format_matrix.py rlpdf --kind mixed-small (reportlab)"

f=F62-pdf-ocr-layer-wrong.pdf
fm rlpdf "$OUT/$f" --id F62 --kind ocr-wrong
add $f 1 ocr "scanned page (200 dpi greyscale image) under an invisible text layer (text render mode 3) that deliberately says 'zzzz zzzz zzzz zzzz' on every line: the expected text is the visible image text, not the hidden layer" "format_matrix.py rlpdf --kind ocr-wrong (reportlab)"

f=F63-pdf-encrypted-aes256-ownerpw.pdf
fm rlpdf "$WORK/t63.pdf" --id F63 --kind text
qpdf --static-id --static-aes-iv --encrypt "" ownerpw 256 -- "$WORK/t63.pdf" "$OUT/$f"
keep_previous $f
pdfinfo "$OUT/$f" | grep -q 'Encrypted: *yes .*algorithm:AES-256' || die "$f not AES-256 encrypted"
add $f 1 pdf_text "born-digital text PDF encrypted with AES-256 (V5 R6), empty user password, owner password 'ownerpw', all permissions: opens without a password" "format_matrix.py rlpdf --kind text; qpdf --encrypt '' ownerpw 256"

f=F64-pdf-encrypted-rc4-128-ownerpw.pdf
fm page "$WORK/p64.png" --id F64 --dpi 150 --mode L
"${I2P[@]}" -o "$WORK/s64.pdf" "$WORK/p64.png"
qpdf --static-id --allow-weak-crypto --encrypt "" ownerpw 128 --use-aes=n -- "$WORK/s64.pdf" "$OUT/$f"
pdfinfo "$OUT/$f" | grep -q 'Encrypted: *yes .*algorithm:RC4' || die "$f not RC4 encrypted"
add $f 1 ocr "scanned-image PDF (150 dpi greyscale Flate) encrypted with 128-bit RC4 (V2 R3), empty user password, owner password 'ownerpw': the image stream itself is encrypted" "img2pdf; qpdf --allow-weak-crypto --encrypt '' ownerpw 128 --use-aes=n"

f=F65-pdf-two-images-one-page.pdf
fm rlpdf "$OUT/$f" --id F65 --kind two-images
[ "$(pdfimages -list "$OUT/$f" | tail -n +3 | wc -l)" = 2 ] || die "$f: expected 2 images"
add $f 1 ocr "one PDF page made of two images one above the other: lines 1-2 in a 150 dpi greyscale JPEG (DCT), line 3 in a 150 dpi Flate image below it" "format_matrix.py rlpdf --kind two-images (reportlab)"

f=F66-pdf-ghostscript-ps.pdf
fm ps "$WORK/t66.ps" --id F66
gs -q -dSAFER -dBATCH -dNOPAUSE -dOmitInfoDate -dOmitID -dOmitXMP -sDEVICE=pdfwrite -o "$OUT/$f" \
  -dEmbedAllFonts=true -c '<< /NeverEmbed [ ] >> setdistillerparams' -f "$WORK/t66.ps"
pdffonts "$OUT/$f" | grep -q '+Helvetica .* yes yes' || die "$f: font not embedded as a subset"
add $f 1 pdf_text "PDF written by Ghostscript pdfwrite from a PostScript page: real text in Helvetica 13 pt (Ghostscript's NimbusSans glyphs, embedded as a Type 1C subset), 8.5 x 4 in" "gs -sDEVICE=pdfwrite -c '<< /NeverEmbed [ ] >> setdistillerparams' -f page.ps"

f=F67-pdf-multipage-3.pdf
for p in 1 2 3; do fm page "$WORK/p67-$p.png" --id F67 --page $p --dpi 150 --mode L; done
"${I2P[@]}" -o "$OUT/$f" "$WORK/p67-1.png" "$WORK/p67-2.png" "$WORK/p67-3.png"
[ "$(pdfinfo "$OUT/$f" | awk '/^Pages:/{print $2}')" = 3 ] || die "$f: expected 3 pages"
add $f 3 ocr "scanned PDF with 3 pages, each a 150 dpi greyscale Flate image; the first line names the page" "img2pdf p1.png p2.png p3.png"

f=F68-tiff-g4-fax-normal-204x98.tif
# A fax in "normal" mode: 204 x 98 DPI, pixels twice as tall as wide (F01's page, halved
# vertically). Its text is F01's.
convert "$OUT/F01-tiff-g4-miniswhite.tif" -resize 100%x50% -threshold 50% -density 204x98 \
  -units PixelsPerInch -compress Group4 -define quantum:polarity=min-is-white "$OUT/$f"
expect_tiff "$OUT/$f" 'Compression Scheme: CCITT Group 4' 'Resolution: 204, 98'
grep '"F01-' "$MANIFEST" | sed -e "s/F01-tiff-g4-miniswhite.tif/$f/" \
  -e 's/"what": "[^"]*"/"what": "fax in normal mode: 204 x 98 DPI (non-square pixels), Group 4, WhiteIsZero; the page of F01 halved vertically"/' \
  -e 's/"tool": "[^"]*"/"tool": "convert -resize 100%x50% -density 204x98 -compress Group4"/' >>"$MANIFEST"

f=F69-pdf-fax-normal-tiff2pdf.pdf
# The same fax wrapped into a PDF by tiff2pdf (CCITT image, page sized by the 204 x 98 DPI).
tiff2pdf -o "$OUT/$f" "$OUT/F68-tiff-g4-fax-normal-204x98.tif"
grep '"F68-' "$MANIFEST" | sed -e "s/F68-tiff-g4-fax-normal-204x98.tif/$f/" \
  -e 's/"what": "[^"]*"/"what": "the normal-mode fax F68 (204 x 98 DPI, Group 4) wrapped into a PDF by tiff2pdf: the page shows the pixels twice as tall as wide"/' \
  -e 's/"tool": "[^"]*"/"tool": "tiff2pdf"/' >>"$MANIFEST"

# ---------------------------------------------------------------- done
LC_ALL=C sort -o "$MANIFEST" "$MANIFEST"
n=$(wc -l <"$MANIFEST")
total=$(du -cb "$OUT"/F[0-9][0-9]-* | tail -1 | cut -f1)
echo "wrote $n files to $OUT ($total bytes) and manifest.jsonl"
