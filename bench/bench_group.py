"""Grouping time per claim at 10k and 100k claims (near-linear thanks to blocking).

Claims come from a real extract run over BBC articles in ../shared/data/news, replicated with
new ids up to the target size. Each replica's text differs by a marker, so replicas are scored as
near-duplicates (the worst case for blocking), not short-cut as identical texts. Prints the time
per claim at each size (CPU time, so the figure does not depend on the machine's load; wall time
too) and the ratio against the 10k baseline measured in the same run (1.0 = linear).

With ``--memory``, instead: the peak memory (tracemalloc) of ``claimset group``'s work at each
size, streamed as ``group`` reads the claims, against holding every row first (after loading
the word frequencies and entity tables, a fixed cost of about 27 MB). ``--streamed`` measures
the streamed run only (a third of the time: the README's figure is this one).

Usage: .venv/bin/python bench/bench_group.py [--articles 300] [--sizes 10000 100000] [--cache FILE]
       [--memory [--streamed]]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.group import group, group_claims, read_claims  # noqa: E402
from builder.records import short_id  # noqa: E402
from builder.run import run_extract  # noqa: E402

NEWS = ROOT.parent / "shared" / "data" / "news" / "bbc_articles.jsonl"


def base_claims(n_articles: int, work: Path) -> list[dict]:
    rows = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()[:n_articles]]
    src = work / "bbc.jsonl"
    src.write_text("".join(json.dumps({"text": r["text"], "title": r["title"]}) + "\n" for r in rows))
    run_extract([src], work / "out", group=False)
    return [json.loads(line) for line in (work / "out" / "claims.jsonl").read_text().splitlines()]


def replicate(claims: list[dict], size: int) -> list[dict]:
    out = []
    copy = 0
    while len(out) < size:
        for c in claims:
            if len(out) == size:
                break
            if copy == 0:
                out.append(c)
                continue
            row = dict(c)
            row["article_id"] = short_id("replica", copy, c["article_id"])
            row["claim_id"] = short_id("replica", copy, c["claim_id"])
            row["text"] = c["text"] + f" [{copy}]"
            out.append(row)
        copy += 1
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="BBC articles to extract claims from")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--cache", type=Path, help="keep the extracted claims in this file and reuse them")
    parser.add_argument("--memory", action="store_true", help="peak memory per claim instead of time")
    parser.add_argument(
        "--streamed", action="store_true", help="with --memory: only the streamed run, as `claimset group`"
    )
    args = parser.parse_args()
    if args.cache and args.cache.is_file():
        claims = json.loads(args.cache.read_text(encoding="utf-8"))
        print(f"{len(claims)} claims from {args.cache}")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            claims = base_claims(args.articles, Path(tmp))
            elapsed = time.perf_counter() - started
            print(f"extracted {len(claims)} claims from {args.articles} BBC articles in {elapsed:.1f}s")
        if args.cache:
            args.cache.write_text(json.dumps(claims), encoding="utf-8")
    if args.memory:
        group_claims(claims[:50])  # load the word frequencies and entity tables: a fixed cost
        for size in args.sizes:
            memory(claims, size, streamed_only=args.streamed)
        return 0
    from builder.group.embed import load_embedder

    baseline = None
    for size in args.sizes:
        rows = replicate(claims, size)
        # stories as extract finds them: here, runs of 8 consecutive articles of a replica
        articles = sorted({r["article_id"] for r in rows})
        story_of = {a: f"story-{n // 8}" for n, a in enumerate(articles)}
        texts = [r["text"] for r in rows]
        embedder = load_embedder()
        embed_cpu = time.process_time()
        embedder.encode(texts)
        embed_cpu = time.process_time() - embed_cpu
        started, cpu = time.perf_counter(), time.process_time()
        clusters, conflicts, _ = group_claims(rows, story_of=story_of)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU time per claim is the figure to compare: wall time depends on the machine's load
        per_claim = cpu / size
        baseline = baseline or per_claim
        print(
            f"{size:>7} claims: {elapsed:7.1f}s wall, {cpu:7.1f}s CPU, {per_claim * 1e6:7.1f} µs CPU/claim "
            f"(x{per_claim / baseline:.2f} of the {args.sizes[0]} baseline per claim); "
            f"{len(clusters)} clusters, {len(conflicts)} conflicts",
            flush=True,
        )
        print(
            f"{'':>7}   of which the sentence vectors ({embedder.name}): {embed_cpu:5.1f}s CPU, "
            f"{size / embed_cpu:,.0f} claims/s ({embed_cpu / cpu:.0%} of grouping)",
            flush=True,
        )
    return 0


def memory(claims: list[dict], size: int, streamed_only: bool = False) -> None:
    """Peak memory of grouping ``size`` claims: as `claimset group` does (the file read twice,
    each claim turned into its compact view as it is read, claim_groups.jsonl written as it is
    made) against holding every row first (slim rows, then whole rows), unless ``streamed_only``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in replicate(claims, size)), encoding="utf-8")
        runs = {
            "streamed, as `claimset group`": lambda: group(Path(tmp), update_run=False),
            "slim rows held in a list": lambda: group_claims(read_claims(path, slim=True)),
            "whole rows held in a list": lambda: group_claims(read_claims(path)),
        }
        if streamed_only:
            runs = dict(list(runs.items())[:1])
        peaks = {}
        for name, run in runs.items():
            tracemalloc.start()
            run()
            peaks[name] = tracemalloc.get_traced_memory()[1] / size / 1024
            tracemalloc.stop()
    print(f"{size} claims, peak memory of reading and grouping them (tracemalloc):")
    for name, peak in peaks.items():
        print(f"  {name:32} {peak:6.2f} KB a claim")


if __name__ == "__main__":
    raise SystemExit(main())
