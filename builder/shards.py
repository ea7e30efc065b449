"""Shards: the unit of extraction work, of resuming and of the merge that makes the output.

A run cuts its articles, in input order, into shards of ``shard_articles`` articles. Each
shard is extracted on its own (in this process, a worker process or a Ray worker) and saved
under ``DIR/.shards/`` as two files, named by a key that hashes claimset's source files, the
extractor (versions and config) and every article record of the shard:

- ``<key>.articles.jsonl``: the shard's articles, with their sentence counts;
- ``<key>.claims.jsonl``: its claims, sorted as claims.jsonl is sorted;

then ``<key>.done.json`` (its counts), written last, marks the shard finished. A run started
again over the same inputs and config finds the finished shards by their keys and extracts
only the others. The merge streams the shard files into the outputs: articles in input
order, claims by an external merge sort, so no step holds the corpus in memory.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.extract import ExtractConfig, extract
from builder.ingest import IngestStream, PreparedArticle
from builder.records import Claim, dumps
from builder.runfiles import write_json, write_lines, write_text

SHARD_ARTICLES = 16  # default articles per shard: small enough to balance workers on small runs
MERGE_FAN_IN = 128  # shard files merged at once; more are merged in passes (open-file limits)
DIRNAME = ".shards"


@dataclass
class Shard:
    key: str
    articles: list[PreparedArticle]


@dataclass
class ShardResult:
    """What one shard produced, serialised: JSON lines ready to be written."""

    articles: list[str]
    claims: list[str]
    sentences: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)


def claim_order(claim: Claim) -> tuple[float, str]:
    """The order of claims.jsonl: most check-worthy first, ties by claim_id."""
    return -claim.checkworthy, claim.claim_id


def cut(articles: Iterable[PreparedArticle], stamp: str, size: int = SHARD_ARTICLES) -> Iterator[Shard]:
    """Consecutive shards of ``size`` articles, keyed by ``stamp`` (the extractor's versions and
    config hash) and the shard's article records."""
    batch: list[PreparedArticle] = []
    for prepared in articles:
        batch.append(prepared)
        if len(batch) == size:
            yield Shard(shard_key(stamp, batch), batch)
            batch = []
    if batch:
        yield Shard(shard_key(stamp, batch), batch)


@functools.cache
def code_digest() -> str:
    """A hash of claimset's own source files: a shard left by other code is never reused."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()[:16]


def shard_key(stamp: str, articles: list[PreparedArticle]) -> str:
    digest = hashlib.sha256(f"{code_digest()}\x00{stamp}".encode())
    for prepared in articles:
        digest.update(b"\x00" + dumps(prepared.article.to_dict()).encode("utf-8"))
    return digest.hexdigest()[:24]


def extract_shard(articles: list[PreparedArticle], config: ExtractConfig) -> ShardResult:
    """Extract one shard (runs in whichever worker the engine chose)."""
    claims = sorted(extract(articles, config), key=claim_order)
    sentences: Counter[str] = Counter()
    excluded: Counter[str] = Counter()
    for prepared in articles:
        sentences.update(prepared.article.sentence_counts)
        excluded.update(span.reason for span in prepared.article.excluded)
    return ShardResult(
        articles=[dumps(p.article.to_dict()) + "\n" for p in articles],
        claims=[dumps(c.to_dict()) + "\n" for c in claims],
        sentences=dict(sentences),
        excluded=dict(excluded),
    )


class ShardStore:
    """The finished shards of a run, in ``DIR/.shards``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def finished(self, key: str) -> dict | None:
        """The counts of a finished shard whose files are whole (line counts as recorded);
        None for a shard to extract (again)."""
        try:
            counts = json.loads((self.folder / f"{key}.done.json").read_text(encoding="utf-8"))
            whole = all(
                _count_lines(self.folder / f"{key}.{name}.jsonl") == counts[name]
                for name in ("articles", "claims")
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return counts if whole else None

    def save(self, key: str, result: ShardResult) -> dict:
        write_text(self.folder / f"{key}.claims.jsonl", "".join(result.claims))
        write_text(self.folder / f"{key}.articles.jsonl", "".join(result.articles))
        counts = {
            "articles": len(result.articles),
            "claims": len(result.claims),
            "sentences": result.sentences,
            "excluded": result.excluded,
        }
        write_json(self.folder / f"{key}.done.json", counts)  # last: the shard is finished
        return counts

    def articles(
        self, keys: list[str], stream: IngestStream, amend: Callable[[str], str] | None = None
    ) -> Iterator[str]:
        """Article lines in input order, completed with what was learnt after they were read
        (and by ``amend``: the passages the whole run revealed as boilerplate)."""
        for key in keys:
            path = self.folder / f"{key}.articles.jsonl"
            with _reading(path), open(path, encoding="utf-8") as handle:
                for line in handle:
                    yield _completed(amend(line) if amend else line, stream, article=True)

    def claims(
        self, keys: list[str], stream: IngestStream, keep: Callable[[str], bool] | None = None
    ) -> Iterator[str]:
        """Claim lines of every shard in claims.jsonl order (a k-way merge of sorted shards),
        those ``keep`` refuses left out."""
        paths = [self.folder / f"{key}.claims.jsonl" for key in keys]
        for line in _merge(paths, self.folder):
            if keep is None or keep(line):
                yield _completed(line, stream, article=False)

    def lines(self, name: str) -> Iterator[str]:
        """The lines of a file in the work folder."""
        path = self.folder / name
        with _reading(path), open(path, encoding="utf-8") as handle:
            yield from handle

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _completed(line: str, stream: IngestStream, article: bool) -> str:
    if not (stream.also_seen or stream.pending_year):
        return line
    record = json.loads(line)
    article_id = record["article_id"]
    if not stream.needs_completion(article_id):
        return line
    stream.complete(article_id, record["source"], record["also_seen_at"] if article else None)
    return dumps(record) + "\n"


def _line_order(line: str) -> tuple[float, str]:
    record = json.loads(line)
    return -record["checkworthy"], record["claim_id"]


def _merge(paths: list[Path], scratch: Path, depth: int = 0) -> Iterator[str]:
    """The lines of sorted files, merged; more than MERGE_FAN_IN files are merged in passes."""
    if len(paths) > MERGE_FAN_IN:
        runs = []
        for number, start in enumerate(range(0, len(paths), MERGE_FAN_IN)):
            run = scratch / f"merge-{depth}-{number}.jsonl"
            write_lines(run, _merge(paths[start : start + MERGE_FAN_IN], scratch, depth + 1))
            runs.append(run)
        yield from _merge(runs, scratch, depth + 1)
        return
    with ExitStack() as stack:
        stack.enter_context(_reading(scratch))
        handles = [stack.enter_context(open(path, encoding="utf-8")) for path in paths]
        yield from heapq.merge(*handles, key=_line_order)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """A shard file that cannot be read (deleted, damaged, too many open files) is one line."""
    try:
        yield
    except OSError as error:
        where = error.filename or path
        raise ClaimsetError(Errors.E212, path=where, detail=error.strerror or type(error).__name__) from None
    except (ValueError, KeyError) as error:  # not JSON, or not a record of ours
        raise ClaimsetError(Errors.E212, path=path, detail=f"damaged: {type(error).__name__}") from None


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
