"""The passes a release makes over a run folder's files that grow with the corpus.

A first pass reads a file with Arrow, in blocks and only the fields it needs, to plan the
release; the claims are written from a second Arrow pass, articles and clusters from their
lines read again by byte offset in release order. What stays in memory is compact: ids,
offsets, normalised claim texts for the leak check, counts.
"""

from __future__ import annotations

import io
import json
import os
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pj

from builder import runfiles
from builder.errors import ClaimsetError, Errors
from builder.records import Article, Claim, Cluster
from builder.schema import Invalid, checker

RECORDS = {"a claim": Claim, "an article": Article, "a cluster": Cluster}  # what a file holds: its record

BLOCK_BYTES = 1 << 18  # JSON per Arrow batch: the reader holds about 40 blocks ahead
MAX_BLOCK_BYTES = 1 << 30  # a line longer than a block is read again with a larger block


_FEATURES = re.compile(rb'"features"\s*:\s*\{([^{}]*)\}')
_KEY = re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:')


def _add_features(line: bytes, names: set[str], seen: set[bytes]) -> None:
    """Add the names of a claim line's ``features`` object (flat: names and booleans), found
    without parsing the line."""
    found, start = None, line.find(b'"features"')
    while start >= 0 and found is None:  # the key (a value "features" is not followed by ':')
        found = _FEATURES.match(line, start)
        start = line.find(b'"features"', start + 1)
    if found and found.group(1) not in seen:  # a few hundred combinations in a whole run
        seen.add(found.group(1))
        names.update(json.loads(b'"' + name + b'"') for name in _KEY.findall(found.group(1)))


def jsonl_batches(
    path: Path,
    schema: pa.Schema,
    required: tuple[str, ...] = (),
    what: str = "a claim",
    lines: int | None = None,
) -> Iterator[pa.RecordBatch]:
    """The records of a JSON Lines file as Arrow record batches with ``schema`` (other fields
    are skipped), one per non-blank line, in order. A line that is not JSON, does not fit the
    schema or lacks a ``required`` field is a one-line error naming the file and line.
    ``lines``: the file's non-blank lines, when the caller has counted them."""
    if lines is None:
        lines = len(line_starts(path)) - 1
    if not lines:
        return  # Arrow refuses an empty stream; an empty file has no records
    block, done = BLOCK_BYTES, 0
    while True:
        options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
        try:
            reader = pj.open_json(path, read_options=pj.ReadOptions(block_size=block), parse_options=options)
            skip = done  # rows given before a larger block was needed
            for batch in reader:
                if skip >= batch.num_rows:
                    skip -= batch.num_rows
                    continue
                batch, skip = batch.slice(skip), 0
                if any(batch.column(name).null_count for name in required):
                    raise bad_record(path, schema, None, required, what)
                done += batch.num_rows
                yield batch
            if done != lines:  # Arrow also reads two objects on a line, or one over two lines
                raise bad_record(path, schema, None, required, what)
            return
        except pa.ArrowInvalid as error:
            if "straddl" in str(error) and block < MAX_BLOCK_BYTES:
                block *= 4  # a record longer than a block: read again with larger blocks
                continue
            raise bad_record(path, schema, error, required, what) from None


def line_starts(path: Path, features: set[str] | None = None) -> array:
    """The byte offset of each non-blank line (each record ``jsonl_batches`` gives), and the
    file's size last. Given a set, also adds to it the feature names of claim lines."""
    starts, offset, seen = array("q"), 0, set()
    with open(path, "rb") as handle:
        for line in handle:
            if line.strip():
                starts.append(offset)
                if features is not None:
                    _add_features(line, features, seen)
            offset += len(line)
    starts.append(offset)
    return starts


def batches_in_order(
    path: Path, starts: array, order: Sequence[int], schema: pa.Schema, what: str, size: int = 10_000
) -> Iterator[pa.Table]:
    """The records ``order`` (indexes into ``line_starts``) of a JSON Lines file, parsed by
    Arrow with ``schema``, ``size`` at a time and in that order: each chunk's lines are read
    by offset and parsed together."""
    with open(path, "rb") as handle:
        for first in range(0, len(order), size):
            lines = [
                os.pread(handle.fileno(), length, offset)
                for offset, length in places(starts, order[first : first + size])
            ]
            data = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
            options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
            try:
                table = pj.read_json(
                    io.BytesIO(data),
                    read_options=pj.ReadOptions(block_size=max(len(data), 1)),
                    parse_options=options,
                )
            except pa.ArrowInvalid as error:
                raise bad_record(path, schema, error, (), what) from None
            yield table


def places(starts: array, order: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(offset, length) of records ``order`` (indexes into ``line_starts``), for ``read_jsonl_at``."""
    for index in order:
        yield starts[index], starts[index + 1] - starts[index]


def bad_record(
    path: Path,
    schema: pa.Schema | None,
    error: Exception | None,
    required: tuple[str, ...] = (),
    what: str = "a claim",
) -> ClaimsetError:
    """The one-line error for a file Arrow could not read: its first line that is not a JSON
    object, does not fit ``schema`` or lacks a ``required`` field."""

    def problem(record: dict) -> str | None:
        missing = [name for name in required if record.get(name) is None]
        if missing:
            return f"no {missing[0]}"
        kind = RECORDS.get(what)
        if kind is not None:
            try:
                checker(kind)(record)
            except Invalid as error:
                return f"not {what} ({error.message()})"
        if schema is not None:
            try:
                pa.RecordBatch.from_pylist([record], schema=schema)
            except (pa.ArrowException, TypeError, ValueError) as mismatch:
                return f"not {what} ({str(mismatch).splitlines()[0]})"
        return None

    found = first_bad_line(path, problem)
    if found is not None:
        return found
    detail = str(error).splitlines()[0] if error else "records and lines do not match"
    return ClaimsetError(Errors.E404, path=path, line="?", detail=detail)


def first_bad_line(path: Path, problem: Callable[[dict], str | None]) -> ClaimsetError | None:
    """E404 for the first line of a JSON Lines file that is not a JSON object or whose record
    has a ``problem`` (a detail for the message), if there is one."""
    try:
        for number, _, record in runfiles.read_jsonl_offsets(path, Errors.E404):
            detail = problem(record)
            if detail:
                return ClaimsetError(Errors.E404, path=path, line=number, detail=detail)
    except ClaimsetError as error:
        return error
    return None
