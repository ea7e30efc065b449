"""Labelled sentences for training and evaluation: JSON Lines of {"text", "label"}."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from builder.errors import ClaimsetError, Errors

_TRAILING_NUMBER = re.compile(r"\d+$")


@dataclass(frozen=True)
class Labelled:
    text: str
    label: int  # 1 = worth fact-checking
    order: int | None = None  # the number that ends the row's "id" (CheckThat! ids run in debate order)


def read_labelled(path: Path) -> list[Labelled]:
    """Read a labelled JSONL file; any bad line stops with an error naming the file and line."""
    path = Path(path)
    rows = []
    for number, row in _rows(path):
        text = row.get("text") if isinstance(row, dict) else None
        label = row.get("label") if isinstance(row, dict) else None
        if not isinstance(text, str) or not text.strip() or label not in (0, 1) or isinstance(label, bool):
            raise ClaimsetError(Errors.E603, path=path, line=number)
        rows.append(Labelled(text, int(label), _order(row.get("id"))))
    if not rows:
        raise ClaimsetError(Errors.E604, path=path)
    return rows


def _order(row_id: object) -> int | None:
    """``ct24-en-train-30313`` -> 30313; None for an id without a trailing number (or none)."""
    if isinstance(row_id, int) and not isinstance(row_id, bool):
        return row_id
    match = _TRAILING_NUMBER.search(row_id) if isinstance(row_id, str) else None
    return int(match.group()) if match else None


NOT_A_CLAIM = "not_a_claim"


def read_verdicts(folder: Path) -> list[Labelled]:
    """Labelled sentences from a pulled folder: ``not_a_claim`` is 0, any other verdict 1.

    ``verdicts.jsonl`` (written by `claimset pull`) names claims by ``claim_id``; their text comes
    from the ``claims.jsonl`` that `claimset extract` wrote into the same folder.
    """
    folder = Path(folder)
    verdicts_path, claims_path = folder / "verdicts.jsonl", folder / "claims.jsonl"
    for path in (verdicts_path, claims_path):
        if not path.is_file():
            raise ClaimsetError(Errors.E609, path=path, detail="missing")
    texts = {}
    for number, row in _objects(claims_path):
        if not isinstance(row.get("claim_id"), str) or not isinstance(row.get("text"), str):
            raise ClaimsetError(
                Errors.E609, path=claims_path, detail=f"line {number} has no claim_id and text"
            )
        texts[row["claim_id"]] = row["text"]
    rows = []
    for number, row in _objects(verdicts_path):
        claim_id, verdict = row.get("claim_id"), row.get("verdict")
        if not isinstance(verdict, str) or claim_id not in texts:
            detail = (
                f"line {number}: claim {claim_id!r} with verdict {verdict!r} is not in {claims_path.name}"
            )
            raise ClaimsetError(Errors.E609, path=verdicts_path, detail=detail)
        rows.append(Labelled(texts[claim_id], 0 if verdict == NOT_A_CLAIM else 1))
    return rows


def _rows(path: Path):
    """(line number, parsed JSON) of each non-blank line; unreadable file E601, bad JSON E602."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimsetError(Errors.E601, path=path, detail=type(exc).__name__) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ClaimsetError(Errors.E602, path=path, line=number, detail=exc.msg) from exc
        yield number, row


def _objects(path: Path):
    """``_rows`` of a file of pulled work, where a line that is not an object is E609."""
    for number, row in _rows(path):
        if not isinstance(row, dict):
            raise ClaimsetError(Errors.E609, path=path, detail=f"line {number} is not a JSON object")
        yield number, row
