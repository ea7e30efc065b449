"""Publish throughput: claims per second into a release, against a bare polars parquet write.

Extracts (and groups) a slice of BBC articles once, then, alternating runs and keeping the
best of ``--repeats``:
- claimset: ``publish`` of the run folder (splits, leak check, every parquet config, data
  card, datasheet, changelog, ClaimReview, Croissant), in claims per second;
- baseline: ``polars.DataFrame(rows).write_parquet`` of the same claim rows (the rows the
  release's claims config holds), in claims per second.
Prints the ratio (the aim is at least 0.5).

Usage: .venv/bin/python bench/bench_publish.py [--articles 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import read_rows, write_corpus  # noqa: E402

from builder.publish import PublishOptions, publish  # noqa: E402
from builder.run import run_extract  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, polars {pl.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run = work / "run"
        run_extract([write_corpus(read_rows(args.articles), work / "corpus.jsonl")], run)
        options = PublishOptions(release_date="2026-01-01")
        rows: list[dict] = []
        ours, bare = [], []
        for attempt in range(args.repeats):
            start = time.perf_counter()
            release = publish(run, "bench", f"0.0.{attempt}", out=work / "exports", options=options)
            ours.append(time.perf_counter() - start)
            rows = [row for split in release.rows["claims"].values() for row in split]
            start = time.perf_counter()
            pl.DataFrame(rows, infer_schema_length=None).write_parquet(work / f"bare-{attempt}.parquet")
            bare.append(time.perf_counter() - start)
        ours_s, bare_s = len(rows) / min(ours), len(rows) / min(bare)
        print(f"run folder: {args.articles} BBC articles, {len(rows):,} claims")
        print(f"bare polars write_parquet   {bare_s:10,.0f} claims/s")
        print(f"claimset publish            {ours_s:10,.0f} claims/s   ratio {ours_s / bare_s:.3f} (aim >= 0.5)")  # fmt: skip


if __name__ == "__main__":
    main()
