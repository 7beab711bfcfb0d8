#!/usr/bin/env bash
# Installs the Debian packages ChartVault builds and runs with (tesseract, leptonica, clang
# for the bindings, chromium + chromedriver for the browser test), then builds the faster
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
if ! bash "$(dirname "$0")/build-tesseract.sh"; then
  echo "warning: the optimised tesseract build failed; ChartVault will link Debian's" \
    "libtesseract (same results, about 25% slower OCR)" >&2
fi
