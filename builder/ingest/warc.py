"""WARC files (``.warc``, ``.warc.gz``), streamed record by record with warcio.

Every HTML response record (HTTP 2xx, an HTML content type) is an article: its text is the
page's main text, its ``url`` the record's target URI, its date the page's own metadata or,
when the page gives none, the record's WARC-Date. An HTML response with another status is
rejected (E115); a fetch failure that ``claimset extract --urls`` recorded is rejected with
its reason (E114); any other record (request, metadata, warcinfo, revisit, a redirect, a
response that is not HTML) is counted as skipped. A damaged record is rejected with its byte
offset (E113); the records after it cannot be located, so reading the file stops there.
Records are numbered from 1 in file order; the number is the article's (or reject's) line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.errors import Errors, InputRejected

HTML_TYPES = ("text/html", "application/xhtml+xml")
FETCH_ERROR_TYPE = "application/vnd.claimset.fetch-error+json"  # a failure `--urls` recorded


@dataclass
class WarcPage:
    """An HTML response record: its number, target URI, WARC-Date and payload."""

    number: int
    url: str | None
    warc_date: str | None
    payload: bytes
    charset: str | None


@dataclass
class Skipped:
    """A record that is no article, counted by kind (``warc:request``, ``warc:response:image/png``...)."""

    kind: str


def read_warc(path: Path, max_bytes: int) -> Iterator[WarcPage | InputRejected | Skipped]:
    """The records of one WARC file, in order, each as a page, a reject or a skipped record."""
    import json

    from warcio.archiveiterator import ArchiveIterator

    number = 0
    with open(path, "rb") as handle:
        records = ArchiveIterator(handle)
        try:
            for record in records:
                number += 1
                kind = record.rec_type
                url = record.rec_headers.get_header("WARC-Target-URI")
                if kind == "metadata" and _content_type(record.rec_headers) == FETCH_ERROR_TYPE:
                    detail = json.loads(record.content_stream().read().decode("utf-8")).get("error", "")
                    yield InputRejected(Errors.E114, line=number, url=url, detail=detail)
                    continue
                if kind != "response" or record.http_headers is None:
                    yield Skipped(f"warc:{kind}")
                    continue
                media = _content_type(record.http_headers)
                if media not in HTML_TYPES:
                    yield Skipped(f"warc:response:{media or 'no content type'}")
                    continue
                status = record.http_headers.get_statuscode() or ""
                if status.startswith("3"):
                    yield Skipped("warc:response:redirect")
                    continue
                if not status.startswith("2"):
                    yield InputRejected(Errors.E115, line=number, status=status or "?", url=url)
                    continue
                payload = record.content_stream().read(max_bytes + 1)
                if len(payload) > max_bytes:
                    yield InputRejected(Errors.E109, line=number, size=f"over {max_bytes}", limit=max_bytes)
                    continue
                yield WarcPage(
                    number,
                    url,
                    record.rec_headers.get_header("WARC-Date"),
                    payload,
                    _charset(record.http_headers),
                )
        except Exception as exc:  # warcio's ArchiveLoadFailed, zlib and decoding errors alike
            offset = getattr(records, "offset", None)
            message = "".join(c if c.isascii() and c.isprintable() else "?" for c in str(exc).strip())
            detail = f"{type(exc).__name__}: {message[:60]}" if message else type(exc).__name__
            yield InputRejected(Errors.E113, line=number + 1, offset=offset, detail=detail)


def _content_type(headers) -> str:
    value = headers.get_header("Content-Type") or ""
    return value.split(";")[0].strip().lower()


def _charset(headers) -> str | None:
    for part in (headers.get_header("Content-Type") or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None
