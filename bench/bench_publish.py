"""Publish throughput: claims per second into a release, against a bare polars parquet write.

Extracts (and groups) a slice of BBC articles once, then, alternating runs and keeping the
best of ``--repeats``:
- claimset: ``publish`` of the run folder (splits, leak check, every parquet config, data
  card, datasheet, changelog, ClaimReview, Croissant), in claims per second;
- baseline: ``polars.DataFrame(rows).write_parquet`` of the same claim rows (the rows the
  release's claims config holds), in claims per second.
Prints the ratio (the aim is at least 0.5). Every repeat is a first version (its own dataset
name), so no repeat has a previous version to compare in its changelog.

With ``--memory-articles N``, also the peak memory of ``publish`` (a fresh subprocess) over a
run of N articles and one of 10x N (each copy a new article), and its growth above the RSS
after the imports: publish reads its inputs in passes and writes in row groups, keeping only
compact indices (see bench/README.md).

Each ``--articles`` size is its own run folder (default 100 and 400 articles): a release has a
fixed cost (card, datasheet, Croissant, manifest) that weighs on small ones.

Usage: .venv/bin/python bench/bench_publish.py [--articles 100 400] [--repeats 3] [--memory-articles 0]
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
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import read_rows, write_corpus  # noqa: E402
from rss import measure_in_subprocess, print_memory_ratio  # noqa: E402

from builder.publish import PublishOptions, publish  # noqa: E402
from builder.run import run_extract  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 400])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-articles", type=int, default=0)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, polars {pl.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for articles in args.articles:
            throughput(articles, args.repeats, work / f"throughput-{articles}")
        if args.memory_articles:
            memory(args.memory_articles, work)


def throughput(articles: int, repeats: int, work: Path) -> None:
    work.mkdir(parents=True)
    run = work / "run"
    run_extract([write_corpus(read_rows(articles), work / "corpus.jsonl")], run)
    options = PublishOptions(release_date="2026-01-01")
    rows: list[dict] = []
    ours, bare = [], []
    for attempt in range(repeats):
        start = time.perf_counter()
        release = publish(run, f"bench{attempt}", "0.1.0", out=work / "exports", options=options)
        ours.append(time.perf_counter() - start)
        rows = [
            row
            for file in sorted((release.path / "data" / "claims").glob("*.parquet"))
            for row in pq.read_table(file).to_pylist()
        ]
        start = time.perf_counter()
        pl.DataFrame(rows, infer_schema_length=None).write_parquet(work / f"bare-{attempt}.parquet")
        bare.append(time.perf_counter() - start)
    ours_s, bare_s = len(rows) / min(ours), len(rows) / min(bare)
    print(f"run folder: {articles} BBC articles, {len(rows):,} claims")
    print(f"  bare polars write_parquet   {bare_s:10,.0f} claims/s")
    print(f"  claimset publish            {ours_s:10,.0f} claims/s   ratio {ours_s / bare_s:.3f} (aim >= 0.5)")  # fmt: skip


MEMORY_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from rss import highest_rss, peak_rss_mb, rss_mb
import builder.checkworthy, builder.publish.datasheet
from builder.publish import PublishOptions, publish
imports = rss_mb()
with highest_rss() as during:
    release = publish(Path({run!r}), "memory", "0.1.0", out=Path({out!r}), options=PublishOptions(release_date="2026-01-01"))
print(imports, during[0], peak_rss_mb(), release.count("claims"))
"""


def memory(articles: int, work: Path) -> None:
    rows = read_rows(articles)
    figures = []
    for copies in (1, 10):
        run = work / f"memory-run-{copies}"
        run_extract([write_corpus(rows, work / f"memory-{copies}.jsonl", copies)], run)
        script = MEMORY_SCRIPT.format(
            root=str(ROOT), bench=str(ROOT / "bench"), run=str(run), out=str(work / f"memory-{copies}")
        )
        imports, during, peak, claims = measure_in_subprocess(script, 4)
        figures.append((peak, during - imports))
        print(f"publish peak memory, {copies * articles:5} articles ({claims:,.0f} claims): {peak:6.0f} MB; "
              f"growth above the imports {during - imports:5.0f} MB")  # fmt: skip
    print_memory_ratio(*figures, baseline="imports")


if __name__ == "__main__":
    main()
