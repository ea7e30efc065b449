#!/usr/bin/env bash
# Set everything up, then run the main job on the bundled example articles:
# extract candidate claims, publish a release, and show how to load it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf out/examples out/exports
.venv/bin/claimset extract examples/articles --out out/examples
.venv/bin/claimset publish out/examples --name claimset-examples --version 0.1.0 --out out/exports
release=out/exports/claimset-examples/0.1.0
echo
echo "Release written to $release. Load it with:"
echo "  .venv/bin/python -c 'import datasets; print(datasets.load_dataset(\"$release\", \"claims\"))'"
.venv/bin/python -c "import datasets; print(datasets.load_dataset('$release', 'claims'))"
