#!/usr/bin/env bash
# Re-resolve the dependencies of pyproject.toml (with the dev and ray extras) in a clean virtual
# environment and write the exact versions to requirements.lock. Run after changing deps.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --upgrade pip
"$tmp/venv/bin/python" -m pip install --quiet ".[dev,ray]"
{
  echo "# Exact versions for Python 3.11 on Linux; regenerate with: bash scripts/lock.sh"
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -v -i '^claimset[= @]' | sort -f
} > requirements.lock
echo "wrote requirements.lock ($(grep -vc '^#' requirements.lock) packages)"
