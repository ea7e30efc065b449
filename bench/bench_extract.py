"""Extraction speed and memory, each against a baseline measured in the same run.

1. Words per second of a full `run_extract` (ingest, extract, score, sort, write; no
   grouping), one process, against a bare ``nlp.pipe`` loop over the same article texts with
   the same model and components (ratio; the aim is at least 0.85).
2. Scaling: the same run with 2 worker processes against 1 (ratio; the aim is 1.7x).
3. Peak memory (max RSS of a fresh subprocess, one process) of a run over a slice and over
   10x that slice (the slice replicated, each copy a new article); ratio 10x / 1x (the aim
   is at most 1.2). The models alone take most of it, so the growth above the RSS after
   loading them (what the run itself holds) is printed too.

Runs alternate and the best of ``--repeats`` is kept. Data: ../shared/data/news/bbc_articles.jsonl.

Usage: .venv/bin/python bench/bench_extract.py [--articles 100] [--memory-articles 100] [--repeats 2] [--lean] [--ray]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rss import measure_in_subprocess, print_memory_ratio  # noqa: E402

from builder.extract import ExtractConfig, load_model  # noqa: E402
from builder.run import run_extract  # noqa: E402

BBC = ROOT.parent / "shared" / "data" / "news" / "bbc_articles.jsonl"


def read_rows(n: int) -> list[dict]:
    with open(BBC, encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(n), handle, strict=False)]


def write_corpus(rows: list[dict], path: Path, copies: int = 1) -> Path:
    """``copies`` of the rows; each copy a new article (new id, a distinct closing line)."""
    with path.open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            for row in rows:
                if copy:
                    row = {**row, "id": f"{row['id']}-copy{copy}", "text": f"{row['text']}\n\nCopy {copy}."}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def speed(args, work: Path, config: ExtractConfig) -> None:
    rows = read_rows(args.articles)
    corpus = write_corpus(rows, work / "corpus.jsonl")
    texts = [r["text"] for r in rows]
    words = sum(len(t.split()) for t in texts)
    nlp = load_model(config.model, config.lean)

    def bare(n_process: int = 1) -> None:
        for _doc in nlp.pipe(texts, batch_size=config.batch_size, n_process=n_process):
            pass

    runs = iter(range(10_000))

    def claimset(processes: int):
        return lambda: run_extract(
            [corpus], work / f"out-{next(runs)}", config, group=False, processes=processes
        )

    bare_t, bare2_t, one_t, two_t = [], [], [], []
    bare()  # warm up the model and the caches
    run_extract(
        [write_corpus(rows[:3], work / "warm.jsonl")], work / "warm", config, group=False, processes=1
    )
    for _ in range(args.repeats):
        bare_t.append(timed(bare))
        one_t.append(timed(claimset(1)))
        two_t.append(timed(claimset(2)))
        bare2_t.append(timed(lambda: bare(2)))
    bare_s, bare2_s, one_s, two_s = (words / min(t) for t in (bare_t, bare2_t, one_t, two_t))
    if args.ray:  # one run: Ray starts (and stops) a local instance inside the timing
        ray_s = words / timed(
            lambda: run_extract([corpus], work / "out-ray", config, group=False, processes=2, engine="ray")
        )
    print(f"corpus: {len(rows)} BBC articles, {words:,} words; components {nlp.pipe_names}")
    print(f"bare nlp.pipe loop      {bare_s:8,.0f} words/s")
    print(
        f"claimset, 1 process     {one_s:8,.0f} words/s   ratio to bare loop {one_s / bare_s:.2f} (aim >= 0.85)"
    )
    print(f"bare loop, n_process=2  {bare2_s:8,.0f} words/s   scaling 1 -> 2      {bare2_s / bare_s:.2f}x (what this machine gives now)")  # fmt: skip
    print(f"claimset, 2 processes   {two_s:8,.0f} words/s   scaling 1 -> 2      {two_s / one_s:.2f}x (aim >= 1.7)")  # fmt: skip
    if args.ray:
        print(f"claimset, Ray, 2 CPUs   {ray_s:8,.0f} words/s   vs 2 local processes {ray_s / two_s:.2f} (start-up included)")  # fmt: skip


MEMORY_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from rss import highest_rss, peak_rss_mb, rss_mb
from builder.extract import ExtractConfig, checkworthy_scorer, load_model
from builder.run import run_extract
config = ExtractConfig(lean={lean!r})
load_model(config.model, config.lean)
checkworthy_scorer(config)
models = rss_mb()
with highest_rss() as during:
    run_extract([Path({corpus!r})], Path({out!r}), config, group=False, processes=1)
print(models, during[0], peak_rss_mb())
"""


def peak_rss_mb(corpus: Path, out: Path, lean: bool) -> tuple[float, float, float]:
    """(RSS once the models are loaded, highest RSS during the run, peak RSS), in MB."""
    script = MEMORY_SCRIPT.format(
        root=str(ROOT), bench=str(ROOT / "bench"), corpus=str(corpus), out=str(out), lean=lean
    )
    return tuple(measure_in_subprocess(script, 3))


def memory(args, work: Path) -> None:
    rows = read_rows(args.memory_articles)
    grown = []
    for copies in (1, 10):
        models, during, peak = peak_rss_mb(
            write_corpus(rows, work / f"mem{copies}.jsonl", copies), work / f"mem{copies}", args.lean
        )
        grown.append((peak, during - models))
        print(f"peak memory, {copies * len(rows):5} articles {peak:7.0f} MB; the run's own growth above "
              f"the loaded models {during - models:5.0f} MB")  # fmt: skip
    print_memory_ratio(*grown, baseline="models")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--memory-articles", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--lean", action="store_true", help="lean mode (senter instead of the parser)")
    parser.add_argument("--ray", action="store_true", help="also one run on a local Ray instance, 2 CPUs")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        speed(args, Path(tmp), ExtractConfig(lean=args.lean))
        if args.memory_articles:
            memory(args, Path(tmp))


if __name__ == "__main__":
    main()
