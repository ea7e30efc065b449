"""Record formats: one article per JSON line, CSV row or Parquet row, with the same fields.

Each record has ``text`` plus optional ``id``, ``title``, ``url``, ``publisher``, ``author``,
``published``; ``columns`` maps a field to the name it has in the file (``{"text": "body"}``).
Records are numbered from 1 in file order (a JSON line by its line, a CSV or Parquet row by
its row, the header not counted), and a bad record is rejected with its number. CSV and
Parquet are read in batches, never whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from builder.errors import ClaimsetError, Errors, InputRejected

FIELDS = ("text", "id", "title", "url", "publisher", "author", "published")
METADATA_FIELDS = FIELDS[1:]
PARQUET_BATCH_ROWS = 1024

Document = tuple[int, str, dict[str, str | None]]  # (record number, text, metadata)


def check_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """The field -> column mapping, checked: only known fields may be mapped."""
    columns = dict(columns or {})
    for key, value in sorted(columns.items()):
        if key not in FIELDS or not value:
            detail = f"no field {key!r}" if key not in FIELDS else "no column name"
            raise ClaimsetError(Errors.E220, value=f"{key}={value}", detail=detail, fields=", ".join(FIELDS))
    return columns


def parse_columns(values: list[str] | None) -> dict[str, str]:
    """``["text=body", "published=date"]`` (the CLI's --column) as a field -> column mapping."""
    columns: dict[str, str] = {}
    for value in values or []:
        key, sep, column = value.partition("=")
        if not sep:
            raise ClaimsetError(Errors.E220, value=value, detail="no '='", fields=", ".join(FIELDS))
        columns[key.strip()] = column.strip()
    return check_columns(columns)


def record_document(
    record: Mapping[str, Any], number: int, columns: Mapping[str, str], unit: str = "line"
) -> Document | InputRejected:
    """Validate one record (a JSON object or a row) into (number, text, metadata)."""
    name = {f: columns.get(f, f) for f in FIELDS}
    where = "" if unit == "line" else f"{unit} {number}: "  # a JSON line is named by its line alone
    body = record.get(name["text"])
    if not isinstance(body, str) or not body.strip():
        detail = (
            "missing" if body is None else "empty" if isinstance(body, str) else f"a {type(body).__name__}"
        )
        return InputRejected(Errors.E105, line=number, field=name["text"], detail=f"{where}{detail}")
    meta: dict[str, str | None] = {}
    for key in METADATA_FIELDS:
        value = record.get(name[key])
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif value is not None and not isinstance(value, str | int):
            return InputRejected(
                Errors.E105, line=number, field=name[key], detail=f"{where}a {type(value).__name__}"
            )
        meta[key] = str(value) if value is not None and value != "" else None
    return number, body, meta


def read_jsonl(data: bytes, columns: Mapping[str, str]) -> Iterator[Document | InputRejected]:
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
        yield record_document(record, number, columns, unit="line")


def read_csv(path: Path, columns: Mapping[str, str], max_bytes: int) -> Iterator[Document | InputRejected]:
    """Rows of a CSV file with a header row (UTF-8, optionally with a BOM), streamed."""
    csv.field_size_limit(max(max_bytes, 131072))
    text_column = columns.get("text", "text")
    with open(path, "rb") as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        number = 0
        try:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                yield InputRejected(Errors.E101)
                return
            if text_column not in header:
                yield InputRejected(
                    Errors.E105, field=text_column, detail=f"no such column; header: {', '.join(header)}"
                )
                return
            while True:
                try:
                    row = next(reader)
                except csv.Error as exc:
                    number += 1
                    yield InputRejected(Errors.E111, line=number, detail=f"row {number}: {exc}")
                    continue
                except StopIteration:
                    return
                number += 1
                if not any(cell.strip() for cell in row):
                    continue  # a blank line, as in JSON Lines
                if len(row) != len(header):
                    yield InputRejected(
                        Errors.E111,
                        line=number,
                        detail=f"row {number} has {len(row)} fields, the header {len(header)}",
                    )
                    continue
                yield record_document(dict(zip(header, row, strict=True)), number, columns, unit="row")
        except UnicodeDecodeError as exc:
            yield InputRejected(
                Errors.E103, line=number + 1 or None, detail=f"row {number + 1}: invalid UTF-8 ({exc.reason})"
            )


def read_parquet(path: Path, columns: Mapping[str, str]) -> Iterator[Document | InputRejected]:
    """Rows of a Parquet file, read in batches of PARQUET_BATCH_ROWS (only the mapped columns)."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError and others for a damaged file
        yield InputRejected(Errors.E112, kind="Parquet", detail=_short(exc))
        return
    present = set(parquet.schema_arrow.names)
    text_column = columns.get("text", "text")
    if text_column not in present:
        yield InputRejected(
            Errors.E105, field=text_column, detail=f"no such column; columns: {', '.join(sorted(present))}"
        )
        return
    wanted = [c for c in (columns.get(f, f) for f in FIELDS) if c in present]
    number = 0
    try:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
            for record in batch.to_pylist():
                number += 1
                yield record_document(record, number, columns, unit="row")
    except Exception as exc:  # a damaged row group: the rows before it are kept
        yield InputRejected(
            Errors.E112, line=number + 1, kind="Parquet", detail=f"row {number + 1}: {_short(exc)}"
        )


def _short(exc: Exception) -> str:
    first = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {first[0]}" if first else type(exc).__name__
