#!/usr/bin/env bash
# Create .venv with the locked dependencies and claimset installed. Safe to run again:
# it reinstalls only when requirements.lock or pyproject.toml changed.
# --browser: also install Debian's chromium and chromium-driver when missing (the browser test
# of Label Studio drives them; scripts/test.sh asks for it).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "error: claimset needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
}
stamp=.venv/.claimset-installed
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setting up .venv (locked dependencies, spaCy model, claimset)..."
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null ||
    .venv/bin/python -m pip install --quiet --no-deps -e .
  touch "$stamp"
fi
if [ "${1:-}" = "--browser" ] && ! { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }; then
  echo "installing chromium and chromium-driver (apt) for the browser test..."
  if [ "$(id -u)" = 0 ]; then
    apt=(apt-get)
  elif command -v sudo >/dev/null; then
    apt=(sudo apt-get)
  else
    echo "error: the browser test needs chromium and chromium-driver; install them (apt-get install chromium chromium-driver)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${apt[@]}" update -qq
  "${apt[@]}" install -y -qq chromium chromium-driver >/dev/null
fi
