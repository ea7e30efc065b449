"""Reading and writing the files of a run folder that the studio commands touch."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.records import Annotation, EvidenceSpan, EvidenceUrl, dumps


def read_jsonl(path: Path) -> Iterator[dict]:
    """Records of a JSONL file; a bad line stops with the file and line named."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as error:
                raise ClaimsetError(
                    Errors.E312, path=path, line=number, detail=f"not JSON ({error.msg})"
                ) from None
            if not isinstance(record, dict):
                raise ClaimsetError(Errors.E312, path=path, line=number, detail="not a JSON object")
            yield record


def read_annotations(path: Path) -> list[Annotation]:
    """annotations.jsonl as Annotation records."""
    rows = []
    for number, record in enumerate(read_jsonl(path), 1):
        try:
            rows.append(
                Annotation(
                    **{
                        **record,
                        "evidence_spans": [EvidenceSpan(**s) for s in record.get("evidence_spans", [])],
                        "evidence_urls": [EvidenceUrl(**u) for u in record.get("evidence_urls", [])],
                    }
                )
            )
        except TypeError as error:
            raise ClaimsetError(
                Errors.E312, path=path, line=number, detail=f"not an annotation ({error})"
            ) from None
    return rows


def write_text(path: Path, text: str) -> None:
    """Write atomically: readers see the old file or the new one, never half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    write_text(path, "".join(dumps(r) + "\n" for r in records))


def write_json(path: Path, value: object) -> None:
    write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")
