#!/usr/bin/env bash
# Set everything up, then run the main job on the bundled example articles: extract candidate
# claims (grouped across articles, conflicts flagged), publish a release, and load it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf out/examples out/exports
.venv/bin/claimset extract examples/articles --out out/examples
.venv/bin/claimset publish out/examples --name claimset-examples --version 0.1.0 --out out/exports \
  --datasheet examples/datasheet.yaml --date 2026-02-06 --split-by time
release=out/exports/claimset-examples/0.1.0
echo
echo "Release written to $release (card: $release/README.md, datasheet: $release/DATASHEET.md)."
echo "Load it with:"
echo "  .venv/bin/python -c 'import datasets; print(datasets.load_dataset(\"$release\", \"claims\"))'"
.venv/bin/python - "$release" <<'PY'
import sys

import datasets

datasets.disable_progress_bars()
claims = datasets.load_dataset(sys.argv[1], "claims")
print(claims)
top = max((row for split in claims.values() for row in split), key=lambda row: row["checkworthy"])
print(f"most check-worthy claim ({top['checkworthy']:.2f}, {top['title']}):\n  {top['text']}")
PY
