"""Find input files and turn each into raw documents: text plus what metadata the format carries.

A reader never raises for bad input: it yields ``InputRejected`` exceptions as values
so the caller can record them and go on.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import ClaimsetError, Errors, InputRejected

TEXT_EXTENSIONS = {".txt", ".md"}
HTML_EXTENSIONS = {".html", ".htm"}
JSONL_EXTENSIONS = {".jsonl"}
KNOWN_EXTENSIONS = TEXT_EXTENSIONS | HTML_EXTENSIONS | JSONL_EXTENSIONS
JSONL_FIELDS = ("id", "title", "url", "publisher", "author", "published")
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


def read_file(item: InputFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDocument | InputRejected]:
    """Yield the documents of one file, or the reasons it (or a line of it) was rejected."""
    suffix = item.location.suffix.lower()
    if suffix not in KNOWN_EXTENSIONS:
        yield InputRejected(Errors.E106, ext=suffix or "(none)")
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
    if suffix in JSONL_EXTENSIONS:
        yield from _read_jsonl(item, data)
        return
    try:
        text, encoding = decode(data)
    except InputRejected as rejected:
        yield rejected
        return
    if suffix in HTML_EXTENSIONS:
        yield _read_html(item, text, encoding)
    else:
        yield RawDocument(item.path, None, text, suffix.lstrip("."), encoding)


def _read_html(item: InputFile, html: str, encoding: str) -> RawDocument | InputRejected:
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    body = (extracted.text or "") if extracted is not None else ""
    if not body.strip():
        return InputRejected(Errors.E108)
    meta = {
        "title": extracted.title,
        "author": extracted.author,
        "published": extracted.date,
        "publisher": extracted.sitename,
        "url": extracted.url,
    }
    return RawDocument(item.path, None, body, "html", encoding, meta)


def _read_jsonl(item: InputFile, data: bytes) -> Iterator[RawDocument | InputRejected]:
    if not data.strip():
        yield InputRejected(Errors.E101)
        return
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            record = json.loads(text)
        except UnicodeDecodeError as exc:
            yield InputRejected(Errors.E103, line=number, detail=f"invalid UTF-8 at byte {exc.start}")
            continue
        except json.JSONDecodeError as exc:
            yield InputRejected(Errors.E104, line=number, detail=f"{exc.msg} at column {exc.colno}")
            continue
        if not isinstance(record, dict):
            yield InputRejected(Errors.E104, line=number, detail=f"a {type(record).__name__}, not an object")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            detail = (
                "missing"
                if body is None
                else "empty"
                if isinstance(body, str)
                else f"a {type(body).__name__}"
            )
            yield InputRejected(Errors.E105, line=number, field="text", detail=detail)
            continue
        wrong = [
            k for k in JSONL_FIELDS if record.get(k) is not None and not isinstance(record[k], str | int)
        ]
        if wrong:
            yield InputRejected(
                Errors.E105, line=number, field=wrong[0], detail=f"a {type(record[wrong[0]]).__name__}"
            )
            continue
        meta = {k: (str(record[k]) if record.get(k) is not None else None) for k in JSONL_FIELDS}
        yield RawDocument(item.path, number, body, "jsonl", "utf-8", meta)
