#!/usr/bin/env bash
# Re-resolve the dependencies of pyproject.toml (with the dev and ray extras) in a clean virtual
# environment and write the exact versions to requirements.lock. Run after changing deps.
# torch is written as torch==X.Y.Z (not X.Y.Z+cpu): pip then takes the CPU wheel where one is offered.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --upgrade pip
"$tmp/venv/bin/python" -m pip install --quiet ".[dev,ray,train]"
{
  echo "# Exact versions for Python 3.11 on Linux; regenerate with: bash scripts/lock.sh"
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -v -i '^claimset[= @]' | sed 's/^torch==\(.*\)+cpu$/torch==\1/' | sort -f
} > requirements.lock
echo "wrote requirements.lock ($(grep -vc '^#' requirements.lock) packages)"
