"""The passes a release makes over a run folder's files that grow with the corpus.

Claims are read by Arrow in blocks, with only the fields a pass needs; articles and clusters
record by record, with each record's byte offset so that they can be read again in another
order. What stays in memory is compact: ids, normalised claim texts, counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pj

from builder import runfiles
from builder.errors import ClaimsetError, Errors

BLOCK_BYTES = 1 << 20  # JSON read per Arrow batch
MAX_BLOCK_BYTES = 1 << 30  # a line longer than a block is read again with a larger block


_FEATURES = re.compile(rb'"features"\s*:\s*\{([^{}]*)\}')
_KEY = re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:')


def feature_names(path: Path) -> list[str]:
    """Every feature name any claim has (the union: a claim may lack one), sorted. Read from
    each line's ``features`` object (flat: names and booleans) without parsing the line."""
    names: set[bytes] = set()
    seen: set[bytes] = set()  # features objects already read (a few hundred combinations)
    with open(path, "rb") as handle:
        for line in handle:
            start = line.find(b'"features"')  # the key: in a string value its quotes are escaped
            found = _FEATURES.match(line, start) if start >= 0 else None
            if found and found.group(1) not in seen:
                seen.add(found.group(1))
                names.update(_KEY.findall(found.group(1)))
    return sorted(json.loads(b'"' + name + b'"') for name in names)


def claim_batches(path: Path, schema: pa.Schema, required: tuple[str, ...] = ()) -> Iterator[pa.RecordBatch]:
    """Claims as Arrow record batches with ``schema``; other fields are skipped. A line that
    is not JSON, does not fit the schema or lacks a ``required`` field is a one-line error
    naming the file and line."""
    block = BLOCK_BYTES
    while True:
        options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
        yielded = False
        try:
            reader = pj.open_json(path, read_options=pj.ReadOptions(block_size=block), parse_options=options)
            for batch in reader:
                if any(batch.column(name).null_count for name in required):
                    raise bad_claims(path, schema, None, required)
                yielded = True
                yield batch
            return
        except pa.ArrowInvalid as error:
            if "straddl" in str(error) and block < MAX_BLOCK_BYTES and not yielded:
                block *= 4  # a record longer than a block: read again with larger blocks
                continue
            raise bad_claims(path, schema, error, required) from None


def bad_claims(
    path: Path, schema: pa.Schema | None, error: Exception | None, required: tuple[str, ...] = ()
) -> ClaimsetError:
    """The one-line error for a claims file Arrow or polars could not read: its first line
    that is not a JSON object, does not fit ``schema`` or lacks a ``required`` field."""
    for number, _, record in runfiles.read_jsonl_offsets(path, Errors.E404):
        missing = [name for name in required if record.get(name) is None]
        if missing:
            return ClaimsetError(Errors.E404, path=path, line=number, detail=f"no {missing[0]}")
        if schema is not None:
            try:
                pa.RecordBatch.from_pylist([record], schema=schema)
            except (pa.ArrowException, TypeError, ValueError) as problem:
                detail = str(problem).splitlines()[0]
                return ClaimsetError(Errors.E404, path=path, line=number, detail=f"not a claim ({detail})")
    detail = str(error).splitlines()[0] if error else "unreadable"
    return ClaimsetError(Errors.E404, path=path, line="?", detail=detail)
