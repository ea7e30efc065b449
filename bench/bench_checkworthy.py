"""What the check-worthiness model costs: scoring speed alone, and extraction with vs without it.

1. Scoring alone: sentences per second of the shipped model (fine-tuned MiniLM-L6, int8 ONNX,
   one ONNX Runtime thread, one sentence per network call so that a score depends on its
   sentence alone) on real sentences (the dev file plus training sentences), in one call
   and in calls the size of extract's batches and of one article's candidates.
2. Extraction: `extract` over BBC news articles (../shared/data/news) with the shipped model
   and with the heuristic score (the baseline, measured in the same process), alternating
   runs and keeping the best of each; prints words per second and their ratio.

Usage: .venv/bin/python bench/bench_checkworthy.py [--articles 150] [--sentences 5000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.checkworthy import load_model  # noqa: E402
from builder.extract import SCORE_BATCH, ExtractConfig, extract  # noqa: E402
from builder.extract import load_model as load_spacy  # noqa: E402
from builder.ingest import ingest  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ARTICLE_BATCH = 30  # about the number of candidates in one news article


def scoring_speed(n: int) -> None:
    texts = []
    for name in ("dev.jsonl", "train.jsonl"):
        with open(DATA / "checkworthy" / name, encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle]
    texts = texts[:n]
    model = load_model()
    model.score(texts[:100])  # warm up
    start = time.perf_counter()
    model.score(texts)
    one_batch = len(texts) / (time.perf_counter() - start)
    speeds = {}
    for size in (SCORE_BATCH, ARTICLE_BATCH):
        start = time.perf_counter()
        for i in range(0, len(texts), size):
            model.score(texts[i : i + size])
        speeds[size] = len(texts) / (time.perf_counter() - start)
    print(f"model {model.label}")
    print(f"scoring alone, {len(texts)} sentences: {one_batch:,.0f} sentences/s in one batch, "
          f"{speeds[SCORE_BATCH]:,.0f} in batches of {SCORE_BATCH} (as extract scores), "
          f"{speeds[ARTICLE_BATCH]:,.0f} in batches of {ARTICLE_BATCH} (one article's candidates)")  # fmt: skip


def extraction(n_articles: int, repeats: int) -> None:
    with open(DATA / "news" / "bbc_articles.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for _, line in zip(range(n_articles), handle, strict=False)]
    words = sum(len(r["text"].split()) for r in rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bbc.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        articles = ingest([path]).articles
    load_spacy(ExtractConfig().model)
    load_model()
    configs = {"heuristic (baseline)": ExtractConfig(checkworthy_model="heuristic"), "model": ExtractConfig()}
    best: dict[str, float] = {}
    texts: list[str] = []
    for _ in range(repeats):
        for name, config in configs.items():
            start = time.perf_counter()
            texts = [claim.text for claim in extract(articles, config)]
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
        start = time.perf_counter()
        for i in range(0, len(texts), SCORE_BATCH):
            load_model().score(texts[i : i + SCORE_BATCH])
        best["scoring"] = min(best.get("scoring", float("inf")), time.perf_counter() - start)
    claims = len(texts)
    base, with_model = words / best["heuristic (baseline)"], words / best["model"]
    print(
        f"extraction, {len(articles)} BBC articles, {words:,} words, {claims:,} candidate claims, best of {repeats}:"
    )
    print(f"  without the model (heuristic score): {base:,.0f} words/s")
    print(f"  with the model:                      {with_model:,.0f} words/s")
    print(f"  ratio with/without: {with_model / base:.3f} (model costs {100 * (1 - with_model / base):.1f}% "
          "of extraction throughput; aim <= 30%)")  # fmt: skip
    share = best["scoring"] / (best["heuristic (baseline)"] + best["scoring"])
    print(f"  scoring this run's {claims:,} claims alone takes {best['scoring']:.2f} s: {100 * share:.1f}% of "
          "extraction time (steadier than the ratio on a shared machine)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    scoring_speed(args.sentences)
    extraction(args.articles, args.repeats)


if __name__ == "__main__":
    main()
