#!/usr/bin/env bash
# Set everything up (Label Studio in its own virtual environment, Chromium for the browser test), then run
# the linters and the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
if .venv/bin/claimset studio --help >/dev/null 2>&1; then
  .venv/bin/claimset studio install
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
