#!/usr/bin/env bash
# Installs the Debian packages ChartVault builds and runs with (tesseract, leptonica, clang
# for the bindings, chromium + chromedriver for the browser test, npm for the browser
# test's accessibility checker axe-core, kept in tools/node; the machine's own npm when it
# has one), then builds the faster
# libtesseract the binary links (tools/build-tesseract.sh; Debian's is used if that
# fails). Idempotent; uses sudo when not root.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd libtesseract-dev libleptonica-dev \
  clang libclang-dev pkg-config ca-certificates chromium chromium-driver \
  cmake g++ make curl >/dev/null
# npm comes with the machine's Node.js where there is one (NodeSource's nodejs bundles it, and
# Debian's npm package conflicts with that nodejs: apt refuses with "held broken packages").
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# The accessibility checker the browser tests run in each screen (tests/common/browser.rs).
if [ ! -f "$(dirname "$0")/node/node_modules/axe-core/axe.min.js" ]; then
  npm install --silent --no-audit --no-fund --prefix "$(dirname "$0")/node" axe-core@4 >/dev/null
fi
if ! bash "$(dirname "$0")/build-tesseract.sh"; then
  echo "warning: the optimised tesseract build failed; ChartVault will link Debian's" \
    "libtesseract (same results, about 25% slower OCR)" >&2
fi
