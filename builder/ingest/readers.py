"""Find input files and turn each into raw documents: text plus what metadata the format carries.

A reader never raises for bad input: it yields ``InputRejected`` exceptions as values
so the caller can record them and go on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import ClaimsetError, Errors, InputRejected
from builder.ingest.html import extract_page
from builder.ingest.tables import read_csv, read_jsonl, read_parquet
from builder.ingest.warc import Skipped, WarcPage, read_warc

TEXT_EXTENSIONS = {".txt", ".md"}
HTML_EXTENSIONS = {".html", ".htm"}
RECORD_EXTENSIONS = {".jsonl", ".csv", ".parquet"}  # one article per line or row
STREAMED_FORMATS = {"warc", "csv", "parquet"}  # read a record at a time, never whole
DEFAULT_MAX_BYTES = 50_000_000
MAX_CHAOS = 0.2  # charset-normalizer's mess ratio above which a guess is not trusted
MIN_PRINTABLE = 0.95  # share of printable characters a decoded legacy-encoded text must have


@dataclass
class RawDocument:
    """One article as read, before layout analysis."""

    path: str
    line: int | None
    text: str
    format: str
    encoding: str
    meta: dict[str, str | None] = field(default_factory=dict)


@dataclass
class InputFile:
    path: str  # as recorded in outputs: relative to the working folder when inside it
    location: Path
    sha256: str = ""
    bytes: int = 0


def display_path(location: Path) -> str:
    """The path recorded in outputs: POSIX, relative to the working folder when possible."""
    absolute = Path(os.path.abspath(location))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def discover(paths: list[Path]) -> tuple[list[InputFile], list[InputFile]]:
    """Every file under the given paths (folders recursively, hidden entries skipped), sorted.

    Returns (files, loops): symbolic links to folders are followed once; a link back into a
    folder already walked is returned in ``loops`` so it can be reported, never followed.
    """
    found: dict[str, InputFile] = {}
    loops: dict[str, InputFile] = {}
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise ClaimsetError(Errors.E201, path=given)
        if not given.is_dir():
            candidates = [given]
        else:
            candidates = []
            walked = {os.path.realpath(given)}
            for root, dirs, files in os.walk(given, followlinks=True):
                kept = []
                for name in sorted(d for d in dirs if not d.startswith(".")):
                    real = os.path.realpath(os.path.join(root, name))
                    if real in walked:
                        link = Path(root) / name
                        loops.setdefault(display_path(link), InputFile(display_path(link), link))
                    else:
                        walked.add(real)
                        kept.append(name)
                dirs[:] = kept
                candidates.extend(Path(root) / name for name in files if not name.startswith("."))
        for location in candidates:
            shown = display_path(location)
            found.setdefault(shown, InputFile(path=shown, location=location))
    if not found:
        raise ClaimsetError(Errors.E203, paths=", ".join(str(p) for p in paths))
    return [found[key] for key in sorted(found)], [loops[key] for key in sorted(loops)]


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text, returning (text, encoding); raises InputRejected when it cannot."""
    if not data.strip():
        raise InputRejected(Errors.E101)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputRejected(Errors.E102, detail="contains NUL bytes")
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = f"invalid UTF-8 at byte {exc.start}"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos >= MAX_CHAOS:
        raise InputRejected(Errors.E103, detail=utf8_error)
    text = str(best)
    printable = sum(c.isprintable() or c.isspace() for c in text)
    if printable < MIN_PRINTABLE * len(text):
        raise InputRejected(Errors.E102, detail=f"decodes as {best.encoding} to unprintable characters")
    return text, best.encoding


def format_of(location: Path) -> str | None:
    """The format a file is read as, from its name; None when claimset does not read it."""
    name = location.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    suffix = location.suffix.lower()
    if suffix in TEXT_EXTENSIONS:
        return suffix.lstrip(".")
    if suffix in HTML_EXTENSIONS:
        return "html"
    return suffix.lstrip(".") if suffix in RECORD_EXTENSIONS else None


def read_file(
    item: InputFile, max_bytes: int = DEFAULT_MAX_BYTES, columns: Mapping[str, str] | None = None
) -> Iterator[RawDocument | InputRejected | Skipped]:
    """Yield the documents of one file, or the reasons it (or a record of it) was rejected.

    A file read whole (text, HTML, JSON Lines) larger than ``max_bytes`` is rejected; a
    streamed one (WARC, CSV, Parquet) may be of any size, and ``max_bytes`` bounds each record.
    ``columns`` maps a field of JSON Lines, CSV and Parquet records to its name in the file.
    """
    kind = format_of(item.location)
    if kind is None:
        name = item.location.name.lower()
        yield InputRejected(Errors.E106, ext=item.location.suffix.lower() if "." in name else "(none)")
        return
    columns = columns or {}
    if kind in STREAMED_FORMATS:
        try:
            with open(item.location, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256")
            item.sha256 = "sha256:" + digest.hexdigest()
            item.bytes = item.location.stat().st_size
        except OSError as exc:
            yield InputRejected(Errors.E107, detail=exc.strerror or type(exc).__name__)
            return
        if item.bytes == 0:
            yield InputRejected(Errors.E101)
            return
        try:
            if kind == "warc":
                yield from _read_warc(item, max_bytes)
            elif kind == "csv":
                yield from _documents(item, read_csv(item.location, columns, max_bytes), "csv")
            else:
                yield from _documents(item, read_parquet(item.location, columns), "parquet")
        except OSError as exc:
            yield InputRejected(Errors.E107, detail=exc.strerror or type(exc).__name__)
        return
    try:
        size = item.location.stat().st_size
        if size > max_bytes:
            yield InputRejected(Errors.E109, size=size, limit=max_bytes)
            return
        data = item.location.read_bytes()
    except OSError as exc:
        yield InputRejected(Errors.E107, detail=exc.strerror or type(exc).__name__)
        return
    item.sha256 = "sha256:" + hashlib.sha256(data).hexdigest()
    item.bytes = len(data)
    if kind == "jsonl":
        yield from _documents(item, read_jsonl(data, columns), "jsonl")
        return
    try:
        text, encoding = decode(data)
    except InputRejected as rejected:
        yield rejected
        return
    if kind == "html":
        yield _read_html(item, text, encoding)
    else:
        yield RawDocument(item.path, None, text, kind, encoding)


def _read_html(
    item: InputFile,
    html: str,
    encoding: str,
    line: int | None = None,
    url: str | None = None,
    fmt: str = "html",
) -> RawDocument | InputRejected:
    page = extract_page(html, url=url)
    if page is None:
        return InputRejected(Errors.E108, line=line)
    meta = {
        "title": page.title,
        "author": page.author,
        "published": page.published,
        "publisher": page.publisher,
        "url": url or page.url,
    }
    return RawDocument(item.path, line, page.text, fmt, encoding, meta)


def _read_warc(item: InputFile, max_bytes: int) -> Iterator[RawDocument | InputRejected | Skipped]:
    for record in read_warc(item.location, max_bytes):
        if not isinstance(record, WarcPage):
            yield record
            continue
        try:
            html, encoding = _decode_page(record.payload, record.charset)
        except InputRejected as rejected:
            rejected.line = record.number
            yield rejected
            continue
        document = _read_html(item, html, encoding, line=record.number, url=record.url, fmt="warc")
        if isinstance(document, RawDocument) and not document.meta.get("published") and record.warc_date:
            document.meta["published"] = record.warc_date
            document.meta["published_basis"] = "warc-date"
        yield document


def _decode_page(payload: bytes, charset: str | None) -> tuple[str, str]:
    """A page's bytes as text: in the charset its HTTP headers name, else detected as for files."""
    if charset:
        try:
            return payload.decode(charset), charset
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(payload)


def _documents(
    item: InputFile, records: Iterator[tuple[int, str, dict] | InputRejected], fmt: str
) -> Iterator[RawDocument | InputRejected]:
    for record in records:
        if isinstance(record, InputRejected):
            yield record
        else:
            number, text, meta = record
            yield RawDocument(item.path, number, text, fmt, "utf-8", meta)
