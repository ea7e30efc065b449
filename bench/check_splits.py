"""Extract and publish news_clusters, then check the splits against the collectors' events.

Runs `extract` (with grouping) on ../shared/data/news_clusters/articles.jsonl (307 articles,
52 events; or reads a finished run folder with --run), publishes it with ``--split-by group``
(default ratios 0.8/0.1/0.1) into a temporary folder, and prints each split's share of the
articles against its target, the stories per split, and the events whose articles landed in
more than one split (the check: none, and every share within 0.07 of its target). Exits 1 when
the check fails. The check-worthiness model plays no part in the splits, so extraction uses
the heuristic score (faster). Nothing is written into the repository.

Usage: .venv/bin/python bench/check_splits.py [--run DIR] [--keep DIR] [--method group|time]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_stories import CORPUS, events_of  # noqa: E402
from builder.extract import ExtractConfig  # noqa: E402
from builder.publish.release import PublishOptions, publish  # noqa: E402
from builder.publish.splits import SPLITS  # noqa: E402
from builder.run import run_extract  # noqa: E402

TOLERANCE = 0.07


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, help="a finished (grouped) extract run of news_clusters")
    parser.add_argument("--keep", type=Path, help="extract into this folder and keep it")
    parser.add_argument("--method", default="group", choices=("group", "time"))
    parser.add_argument("--processes", type=int, default=None)
    args = parser.parse_args()
    if not CORPUS.is_file():
        sys.exit(f"{CORPUS} not found")
    ratios = (0.8, 0.1, 0.1)
    with tempfile.TemporaryDirectory() as scratch:
        run = args.run or args.keep or Path(scratch) / "run"
        if not args.run:
            run_extract([CORPUS], run, ExtractConfig(checkworthy_model="heuristic"), processes=args.processes)
        options = PublishOptions(split_by=args.method, ratios=ratios, release_date="2026-01-01")
        release = publish(run, "news-clusters-check", "0.0.1", out=Path(scratch) / "exports", options=options)
        event_of = events_of(run)
    split_of = release.split_of_article
    total = len(split_of)
    articles = Counter(split_of.values())
    splits_of_event: dict[str, set[str]] = defaultdict(set)
    for article_id, event in event_of.items():
        splits_of_event[event].add(split_of[article_id])
    crossing = sorted(e for e, s in splits_of_event.items() if len(s) > 1)
    ok = not crossing
    print(
        f"{total} articles, {len(splits_of_event)} events, {release.plan.stories} stories "
        f"({release.plan.units} units: stories joined by a claim cluster or related count as one); method {args.method}"
    )
    for split, target in zip(SPLITS, ratios, strict=True):
        share = articles[split] / total
        within = abs(share - target) <= TOLERANCE
        ok &= within
        print(
            f"  {split:<10} {articles[split]:>4} articles  share {share:.3f}  target {target:.2f}  "
            f"{'ok' if within else 'OFF'}  stories {release.plan.stories_per_split.get(split, 0)}"
        )
    print(f"events in more than one split: {len(crossing)} of {len(splits_of_event)}")
    for event in crossing:
        counts = Counter(split_of[a] for a, e in event_of.items() if e == event)
        print(f"  {event}: {dict(counts)}")
    print("check:", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
