"""Reading and writing the files of a run folder that the studio commands touch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from builder import runfiles
from builder.errors import ClaimsetError, Errors
from builder.records import Annotation, EvidenceSpan, EvidenceUrl


def read_jsonl(path: Path, record: type | None = None) -> Iterator[dict]:
    """Records of a JSONL file (checked against ``record``, a class of builder.records, when
    given); a bad line stops with the file, the line and the field named."""
    if record is not None:
        return runfiles.read_records(path, record, Errors.E312)
    return runfiles.read_jsonl(path, Errors.E312)


def read_annotations(path: Path) -> list[Annotation]:
    """annotations.jsonl as Annotation records."""
    rows = []
    for number, record in enumerate(read_jsonl(path, Annotation), 1):
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
