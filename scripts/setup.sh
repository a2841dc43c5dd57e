#!/usr/bin/env bash
# Installs what Quartiers needs on a Debian machine; safe to run again (it skips what is there).
#   system: tesseract-ocr + French data, poppler-utils (apt, needs root)
#   python: a project virtualenv (.venv) from the lock file, spaCy's fr_core_news_sm included
#   with --browser: Debian's chromium, for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

apt_packages=()
command -v tesseract >/dev/null || apt_packages+=(tesseract-ocr)
[ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/fra.traineddata 2>/dev/null)" ] || apt_packages+=(tesseract-ocr-fra)
command -v pdftoppm >/dev/null || apt_packages+=(poppler-utils)
if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then apt_packages+=(chromium); fi
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing system packages: ${apt_packages[*]}; install them as root: apt-get install ${apt_packages[*]}" >&2
    exit 1
  fi
  echo "setup: apt-get install ${apt_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

if ! command -v uv >/dev/null; then
  echo "setup: installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --frozen --quiet
