"""The files of a run folder: JSON Lines read with file:line errors, written atomically, hashed.

Every stage reads and writes its files through here, so they share one serialisation
(``records.dumps``), one atomic write and one way of naming a bad line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from builder.errors import ClaimsetError, Errors, ErrorSpec
from builder.records import dumps
from builder.schema import Invalid, checker


def read_jsonl(path: Path, spec: ErrorSpec = Errors.E206) -> Iterator[dict]:
    """Records of a JSONL file; a bad line raises ``spec`` with the file and line named."""
    return (record for _, _, record in read_jsonl_offsets(path, spec))


def read_records(path: Path, record: type, spec: ErrorSpec = Errors.E420) -> Iterator[dict]:
    """The lines of a JSONL file of ``record``s (a class of ``builder.records``), each checked
    against it: a line that is not JSON or lacks a field, or has one of the wrong type, raises
    ``spec`` naming the file, the line and the field."""
    check = checker(record)
    for number, _, row in read_jsonl_offsets(path, spec):
        try:
            check(row)
        except Invalid as error:
            raise ClaimsetError(spec, path=path, line=number, detail=error.message()) from None
        yield row


def checked(path: Path, record: type, row: dict, spec: ErrorSpec, line: int | Callable[[], int]) -> dict:
    """``row`` (read from ``path``) if it fits ``record``; else ``spec`` naming the file, the line
    (``line()`` is only called then) and the field."""
    try:
        checker(record)(row)
    except Invalid as error:
        number = line() if callable(line) else line
        raise ClaimsetError(spec, path=path, line=number, detail=error.message()) from None
    return row


def read_record(path: Path, record: type, spec: ErrorSpec = Errors.E420) -> dict:
    """A JSON file holding one ``record``, checked against it; a file that is not UTF-8 JSON or
    does not fit raises ``spec`` naming the file, the line and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ClaimsetError(spec, path=path, line=1, detail=f"not UTF-8 ({error.reason})") from None
    except OSError as error:
        raise ClaimsetError(spec, path=path, line=1, detail=error.strerror or type(error).__name__) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ClaimsetError(spec, path=path, line=error.lineno, detail=f"not JSON ({error.msg})") from None
    try:
        checker(record)(value)
    except Invalid as error:
        raise ClaimsetError(
            spec, path=path, line=_line_of(text, error.where), detail=error.message()
        ) from None
    return value


def _line_of(text: str, where: tuple) -> int:
    """The line of a pretty-printed JSON file where the field at ``where`` is (its last key's
    first appearance after the keys before it), 1 if it cannot be told."""
    position = 0
    for key in where:
        if isinstance(key, str):
            found = text.find(json.dumps(key, ensure_ascii=False) + ":", position)
            if found < 0:
                break
            position = found
    return text.count("\n", 0, position) + 1


def read_jsonl_offsets(
    path: Path, spec: ErrorSpec = Errors.E206
) -> Iterator[tuple[int, tuple[int, int], dict]]:
    """(line number, (byte offset, length), record) of each record of a JSONL file, so that it
    can be read again by ``read_jsonl_at`` in another order; a bad line raises ``spec`` naming
    file and line."""
    offset = 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            start, offset = offset, offset + len(line)
            if not line.strip():
                continue
            yield number, (start, len(line)), _record(line, spec, path, lambda n=number: n)


def read_jsonl_at(
    path: Path, places: Iterable[tuple[int, int]], spec: ErrorSpec = Errors.E404, record: type | None = None
) -> Iterator[dict]:
    """The records at ``places`` ((offset, length) pairs from ``read_jsonl_offsets``), in that
    order; one that is not a JSON object (or does not fit ``record``) raises ``spec`` naming
    file, line and field."""
    with open(path, "rb") as handle:
        for offset, length in places:
            line = os.pread(handle.fileno(), length, offset)
            number = lambda at=offset: _line_at(handle.fileno(), at)  # noqa: E731
            row = _record(line, spec, path, number)
            yield row if record is None else checked(path, record, row, spec, number)


def _record(line: bytes, spec: ErrorSpec, path: Path, number: Callable[[], int]) -> dict:
    """The JSON object on a line; otherwise ``spec`` naming the file and the line ``number()``
    (called only then: finding it may mean reading the file up to the line)."""
    try:
        record = json.loads(line)
    except ValueError as error:  # bad JSON, or bytes that are not UTF-8
        detail = getattr(error, "msg", None) or getattr(error, "reason", None) or str(error)
        raise ClaimsetError(spec, path=path, line=number(), detail=f"not JSON ({detail})") from None
    if not isinstance(record, dict):
        raise ClaimsetError(spec, path=path, line=number(), detail="not a JSON object")
    return record


def _line_at(fd: int, offset: int) -> int:
    """The number of the line that starts at byte ``offset``."""
    newlines, done = 0, 0
    while done < offset:
        block = os.pread(fd, min(1 << 20, offset - done), done)
        newlines, done = newlines + block.count(b"\n"), done + len(block)
    return newlines + 1


TEMP_MARK = ".tmp-"  # an atomic write goes to .<name>.tmp-<pid> first, then is renamed


def temp_file_target(name: str) -> str | None:
    """The file a temporary file of an atomic write was for (one a crash left behind), else None."""
    return name[1:].split(TEMP_MARK)[0] if name.startswith(".") and TEMP_MARK in name else None


def write_text(path: Path, text: str) -> str:
    """Write a file atomically (temp file + rename); return its sha256."""
    return write_lines(path, [text])


def write_lines(path: Path, lines: Iterable[str]) -> str:
    """Write lines (each ending in a newline) atomically as they come, never all in memory;
    return the sha256. A failure part-way leaves no file behind."""
    digest = hashlib.sha256()
    tmp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            chunk: list[bytes] = []
            size = 0
            for line in lines:
                data = line.encode("utf-8")
                chunk.append(data)
                size += len(data)
                if size >= 1 << 20:
                    _write_chunk(handle, digest, chunk)
                    chunk, size = [], 0
            _write_chunk(handle, digest, chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:  # full disk, file too large, no permission: no partial file stays
        tmp.unlink(missing_ok=True)
        raise ClaimsetError(Errors.E207, path=path, detail=error.strerror or type(error).__name__) from None
    except BaseException:  # an error in the producer of the lines: no partial file either
        tmp.unlink(missing_ok=True)
        raise
    return "sha256:" + digest.hexdigest()


def _write_chunk(handle, digest, chunk: list[bytes]) -> None:
    data = b"".join(chunk)
    digest.update(data)
    handle.write(data)


def write_jsonl(path: Path, rows: Iterable[dict]) -> str:
    """Write JSON Lines atomically with the one serialisation claimset uses; return the sha256."""
    return write_lines(path, (dumps(row) + "\n" for row in rows))


def write_json(path: Path, value: object) -> str:
    return write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()
