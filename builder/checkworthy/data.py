"""Labelled sentences for training and evaluation: JSON Lines of {"text", "label"}."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from builder.errors import ClaimsetError, Errors


@dataclass(frozen=True)
class Labelled:
    text: str
    label: int  # 1 = worth fact-checking


def read_labelled(path: Path) -> list[Labelled]:
    """Read a labelled JSONL file; any bad line stops with an error naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimsetError(Errors.E601, path=path, detail=type(exc).__name__) from exc
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ClaimsetError(Errors.E602, path=path, line=number, detail=exc.msg) from exc
        text = row.get("text") if isinstance(row, dict) else None
        label = row.get("label") if isinstance(row, dict) else None
        if not isinstance(text, str) or not text.strip() or label not in (0, 1) or isinstance(label, bool):
            raise ClaimsetError(Errors.E603, path=path, line=number)
        rows.append(Labelled(text, int(label)))
    if not rows:
        raise ClaimsetError(Errors.E604, path=path)
    return rows
