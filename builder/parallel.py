"""Extraction over several worker processes, with output identical to one process.

Articles are cut into contiguous shards by their ingest order (the same inputs always
give the same shards); each worker loads the spaCy model once and extracts whole shards.
The caller sorts the merged claims exactly as for one process, so the number of
processes never changes a byte of the output.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator

from builder.extract import ExtractConfig, extract, load_model
from builder.ingest import PreparedArticle
from builder.records import Claim

SHARD_ARTICLES = 64  # upper bound on articles per shard: small enough for progress and balance


def default_processes() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def shards(n_articles: int, processes: int) -> list[tuple[int, int]]:
    """Contiguous ``(start, end)`` index ranges covering ``range(n_articles)``."""
    size = max(1, min(SHARD_ARTICLES, -(-n_articles // (processes * 4))))
    return [(start, min(start + size, n_articles)) for start in range(0, n_articles, size)]


def extract_parallel(
    articles: list[PreparedArticle],
    config: ExtractConfig,
    processes: int,
    on_article: Callable[[], None] | None = None,
) -> Iterator[Claim]:
    """Yield the claims of ``articles`` extracted by ``processes`` workers, shard by shard.

    Fills each article's ``sentence_counts`` as ``extract`` does. Claims come in shard
    order; sort them as for one process.
    """
    ranges = shards(len(articles), processes)
    if processes <= 1 or len(ranges) <= 1:
        yield from extract(articles, config, on_article=on_article)
        return
    # fork shares the parent's loaded model copy-on-write; spawn (elsewhere) loads it per worker
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    jobs = [articles[start:end] for start, end in ranges]
    with context.Pool(min(processes, len(jobs)), initializer=_init_worker, initargs=(config,)) as pool:
        for (start, _end), (claims, counts) in zip(ranges, pool.imap(_extract_shard, jobs), strict=True):
            for offset, sentence_counts in enumerate(counts):
                articles[start + offset].article.sentence_counts = sentence_counts
                if on_article:
                    on_article()
            yield from claims


_config: ExtractConfig | None = None


def _init_worker(config: ExtractConfig) -> None:
    global _config
    _config = config
    load_model(config.model, config.lean)  # once per worker (cached)


def _extract_shard(shard: list[PreparedArticle]) -> tuple[list[Claim], list[dict[str, int]]]:
    assert _config is not None
    claims = list(extract(shard, _config))
    return claims, [prepared.article.sentence_counts for prepared in shard]
