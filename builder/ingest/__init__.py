"""Ingest: input paths in, ``Article`` records (with their layout) and rejects out.

Identity is the text: the same article under two names is one article, recorded once
under its first path (in sorted order) with the others in ``also_seen_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from builder.errors import Errors, InputRejected
from builder.ingest.layout import Block, find_excluded, segment
from builder.ingest.metadata import Header, parse_date, parse_header, resolve_year
from builder.ingest.readers import DEFAULT_MAX_BYTES, InputFile, RawDocument, discover, read_file
from builder.records import Article, Reject, Source, article_id_for, content_hash

__all__ = ["IngestResult", "PreparedArticle", "ingest"]


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
    read: int = 0  # documents read: files, or lines of JSONL files
    duplicates: int = 0
    messages: list[str] = field(default_factory=list)


def ingest(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> IngestResult:
    """Read every input under ``paths``; each document is either an article or a reject."""
    files, loops = discover(paths)
    result = IngestResult(articles=[], rejects=[], files=files)
    for loop in loops:
        result.read += 1
        result.rejects.append(Reject(loop.path, None, Errors.E110.code, Errors.E110.format()))
    by_id: dict[str, PreparedArticle] = {}
    for item in files:
        for document in read_file(item, max_bytes):
            result.read += 1
            if isinstance(document, InputRejected):
                result.rejects.append(Reject(item.path, document.line, document.code, str(document)))
                continue
            prepared = prepare(document)
            known = by_id.get(prepared.article.article_id)
            if known is None:
                by_id[prepared.article.article_id] = prepared
                result.articles.append(prepared)
            else:
                result.duplicates += 1
                known.article.also_seen_at.append(_where(document))
    _resolve_missing_years(result.articles)
    return result


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
        header.published_raw, header.published_basis = raw, "metadata"
    return header


def _resolve_missing_years(articles: list[PreparedArticle]) -> None:
    """Give a year to dates printed without one ("Feb 5"), from the latest dated article of the run."""
    known = [date.fromisoformat(p.article.source.published) for p in articles if p.article.source.published]
    if not known:
        return
    reference = max(known)
    for prepared in articles:
        if prepared.pending_month_day:
            source = prepared.article.source
            source.published = resolve_year(prepared.pending_month_day, reference)
            source.published_basis = (
                f"{source.published_basis}; year from the latest dated article in the run"
            )
