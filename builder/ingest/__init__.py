"""Ingest: input paths in, ``Article`` records (with their layout) and rejects out.

Identity is the text: the same article under two names is one article, recorded once
under its first path (in sorted order) with the others in ``also_seen_at``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.errors import Errors, InputRejected
from builder.ingest.layout import Block, find_excluded, segment
from builder.ingest.metadata import Header, parse_date, parse_header, resolve_year
from builder.ingest.readers import DEFAULT_MAX_BYTES, InputFile, RawDocument, discover, read_file
from builder.ingest.tables import check_columns
from builder.ingest.warc import Skipped
from builder.records import Article, Reject, Source, article_id_for, content_hash

__all__ = ["IngestResult", "IngestStream", "PreparedArticle", "ingest"]


@dataclass
class PreparedArticle:
    article: Article
    blocks: list[Block]
    pending_month_day: tuple[int, int] | None = None


@dataclass
class IngestResult:
    articles: list[PreparedArticle]
    rejects: list[Reject]
    files: list[InputFile]
    read: int = 0  # documents read: files, lines or rows of record files, HTML records of WARC files
    duplicates: int = 0
    messages: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # WARC records that are no article, by kind


def ingest(
    paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES, columns: Mapping[str, str] | None = None
) -> IngestResult:
    """Read every input under ``paths``; each document is either an article or a reject.

    Holds every article in memory; ``IngestStream`` reads one at a time for large corpora.
    """
    rejects: list[Reject] = []
    stream = IngestStream(paths, max_bytes, on_reject=rejects.append, columns=columns)
    articles = list(stream)
    for prepared in articles:
        article = prepared.article
        stream.complete(article.article_id, article.source, article.also_seen_at)
    return IngestResult(
        articles,
        rejects,
        stream.files,
        stream.read,
        stream.duplicates,
        skipped=dict(sorted(stream.skipped.items())),
    )


class IngestStream:
    """The articles under ``paths``, one at a time, in input order (sorted paths, then lines).

    Memory stays flat but for one set of article ids (duplicates are told by their text), so a
    few facts are known only at the end: where duplicates were also seen, and the year of dates
    printed without one (taken from the latest dated article of the run). ``complete`` applies
    them to an article (or its claims' sources) once the stream is exhausted. Rejects go to
    ``on_reject`` as they come; the stream only counts them.
    """

    def __init__(
        self,
        paths: list[Path],
        max_bytes: int = DEFAULT_MAX_BYTES,
        on_reject: Callable[[Reject], None] | None = None,
        columns: Mapping[str, str] | None = None,
    ) -> None:
        self.columns = check_columns(columns)
        self.files, self._loops = discover(paths)  # fails now, before any work, on a missing path
        self.max_bytes = max_bytes
        self.skipped: Counter[str] = Counter()  # WARC records that are no article, by kind
        self.on_reject = on_reject
        self.rejected = 0
        self.read = 0  # documents read: files, lines or rows of record files, HTML records of WARC files
        self.duplicates = 0
        self.also_seen: dict[str, list[str]] = {}
        self.pending_year: dict[str, tuple[int, int]] = {}  # article_id -> (month, day) without a year
        self.latest: date | None = None
        self._seen: set[str] = set()

    def __iter__(self) -> Iterator[PreparedArticle]:
        for loop in self._loops:
            self.read += 1
            self._reject(Reject(loop.path, None, Errors.E110.code, Errors.E110.format()))
        for item in self.files:
            for document in read_file(item, self.max_bytes, self.columns):
                if isinstance(document, Skipped):
                    self.skipped[document.kind] += 1
                    continue
                self.read += 1
                if isinstance(document, InputRejected):
                    self._reject(Reject(item.path, document.line, document.code, str(document)))
                    continue
                prepared = prepare(document)
                article_id = prepared.article.article_id
                if article_id in self._seen:
                    self.duplicates += 1
                    self.also_seen.setdefault(article_id, []).append(_where(document))
                    continue
                self._seen.add(article_id)
                published = prepared.article.source.published
                if published:
                    day = date.fromisoformat(published[:10])
                    self.latest = day if self.latest is None else max(self.latest, day)
                elif prepared.pending_month_day:
                    self.pending_year[article_id] = prepared.pending_month_day
                yield prepared

    def needs_completion(self, article_id: str) -> bool:
        return article_id in self.also_seen or (article_id in self.pending_year and self.latest is not None)

    def complete(self, article_id: str, source: Source | dict, also_seen_at: list[str] | None = None) -> None:
        """Add what was learnt after an article was read: the places its duplicates were seen
        (into ``also_seen_at``; None for a claim), and the year of a date printed without one
        (into ``source``: an article's, or a claim's copy; a dataclass or its JSON record)."""
        if also_seen_at is not None:
            also_seen_at.extend(self.also_seen.get(article_id, []))
        month_day = self.pending_year.get(article_id)
        if month_day is None or self.latest is None:
            return
        fields = source if isinstance(source, dict) else source.__dict__
        fields["published"] = resolve_year(month_day, self.latest)
        fields["published_basis"] = (
            f"{fields['published_basis']}; year from the latest dated article in the run"
        )

    def _reject(self, reject: Reject) -> None:
        self.rejected += 1
        if self.on_reject:
            self.on_reject(reject)


def _where(document: RawDocument) -> str:
    return document.path if document.line is None else f"{document.path}:{document.line}"


def prepare(document: RawDocument) -> PreparedArticle:
    """Turn one raw document into an Article with its metadata, blocks and exclusions."""
    text = document.text
    header = parse_header(text) if document.format in ("txt", "md") else _header_from_meta(document.meta)
    blocks = segment(text)
    excluded = find_excluded(text, blocks, header)
    source = Source(
        path=document.path,
        line=document.line,
        url=document.meta.get("url"),
        publisher=document.meta.get("publisher") or header.publisher,
        title=document.meta.get("title") or header.title,
        author=document.meta.get("author") or header.author,
        published=header.published,
        published_raw=header.published_raw,
        published_basis=header.published_basis,
    )
    article = Article(
        article_id=article_id_for(text),
        content_hash=content_hash(text),
        text=text,
        format=document.format,
        encoding=document.encoding,
        source=source,
        excluded=excluded,
    )
    return PreparedArticle(article, blocks, header.month_day if header.published is None else None)


def _header_from_meta(meta: dict[str, str | None]) -> Header:
    header = Header(title=meta.get("title"), author=meta.get("author"), publisher=meta.get("publisher"))
    raw = meta.get("published")
    if raw:
        header.published, header.month_day = parse_date(raw)
        header.published_raw, header.published_basis = raw, meta.get("published_basis") or "metadata"
    return header
