#!/usr/bin/env bash
# Builds libtesseract 5.3.0 (Debian's source, checksum pinned) for ChartVault to link, into
# /opt/chartvault/tesseract (shared library + CLI; the traineddata stays Debian's).
#
# Why: the same tesseract as Debian's package, compiled for our use, reads pages ~25% faster
# with identical output (dev corpus, `chartvault eval --charts 8`, same CER/WER/fields):
#   - link-time optimisation: the LSTM's tiny StrideMap::Index helpers (~20% of recognition
#     CPU in perf with Debian's build, called out of line from another file) are inlined;
#   - TESSERACT_IMAGEDATA_AS_PIX (an upstream build switch): each text line's image is kept
#     as a Pix instead of being PNG-encoded and decoded again before recognition (zlib and
#     libpng were ~5% of recognition CPU);
#   - no OpenMP: one engine per worker thread already fills the cores.
# `build.rs` links this library (with its folder as the binary's run path) when it is here;
# when it is absent (the build was skipped or failed) cargo links Debian's libtesseract,
# which works, only slower. A shared library because GCC's link-time optimisation happens
# when the library itself is linked (a static archive would carry GCC LTO objects that
# Rust's linker cannot read). Idempotent: does nothing when this build is installed.
# After installing it into an existing checkout: `cargo clean -p chartvault`, then build.
set -euo pipefail
PREFIX=/opt/chartvault/tesseract
VERSION=5.3.0
SHA256=7e70870f8341e5ea228af2836ce79a36eefa11b01b56177b4a8997f330c014b8
URL="https://deb.debian.org/debian/pool/main/t/tesseract/tesseract_${VERSION}.orig.tar.gz"
FLAGS="-DTESSERACT_IMAGEDATA_AS_PIX -DTESSDATA_PREFIX=\\\"/usr/share/tesseract-ocr/5\\\""
STAMP="$PREFIX/.chartvault-build"
WANT="tesseract $VERSION lto imagedata-as-pix no-openmp shared v3"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "tesseract: $WANT already in $PREFIX"
  exit 0
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "tesseract: building $WANT into $PREFIX (about 2 minutes on 2 cores)"
curl -fsSL --retry 3 -o "$WORK/src.tar.gz" "$URL"
echo "$SHA256  $WORK/src.tar.gz" | sha256sum -c --quiet -
tar -xzf "$WORK/src.tar.gz" -C "$WORK"
cmake -S "$WORK/tesseract-$VERSION" -B "$WORK/build" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_RPATH="$PREFIX/lib" \
  -DCMAKE_CXX_FLAGS="$FLAGS" -DENABLE_LTO=ON -DOPENMP_BUILD=OFF -DBUILD_SHARED_LIBS=ON \
  -DGRAPHICS_DISABLED=ON -DBUILD_TRAINING_TOOLS=OFF \
  -DDISABLE_ARCHIVE=ON -DDISABLE_CURL=ON -DINSTALL_CONFIGS=OFF -DSW_BUILD=OFF \
  >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
cmake --build "$WORK/build" -j "$(nproc)" >>"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; exit 1; }
$SUDO rm -rf "$PREFIX"
$SUDO cmake --install "$WORK/build" >/dev/null
echo "$WANT" | $SUDO tee "$STAMP" >/dev/null
echo "tesseract: installed in $PREFIX"
