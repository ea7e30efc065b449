"""CHANGELOG.md: claims added, removed and changed, and verdicts that flipped, by claim_id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from builder.records import VERDICT_LABELS

TITLE = "# Changelog"


def read_config(release_dir: Path, config: str) -> dict[str, dict]:
    """Rows of one config of a published release, keyed by claim_id (all splits)."""
    rows: dict[str, dict] = {}
    for file in sorted((release_dir / "data" / config).glob("*.parquet")):
        for row in pq.read_table(file).to_pylist():
            rows[row["claim_id"]] = {**row, "split": file.stem}
    return rows


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # claim_id -> changed fields
    flipped: dict[str, tuple[str, str]] = field(default_factory=dict)
    verdicts_added: list[str] = field(default_factory=list)
    verdicts_removed: list[str] = field(default_factory=list)


def diff(old_claims: dict, new_claims: dict, old_verdicts: dict, new_verdicts: dict) -> Changes:
    changes = Changes(
        added=sorted(new_claims.keys() - old_claims.keys()),
        removed=sorted(old_claims.keys() - new_claims.keys()),
        verdicts_added=sorted(new_verdicts.keys() - old_verdicts.keys()),
        verdicts_removed=sorted(old_verdicts.keys() - new_verdicts.keys()),
    )
    for claim_id in sorted(old_claims.keys() & new_claims.keys()):
        old, new = old_claims[claim_id], new_claims[claim_id]
        fields = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        if fields:
            changes.changed[claim_id] = fields
    for claim_id in sorted(old_verdicts.keys() & new_verdicts.keys()):
        old, new = old_verdicts[claim_id]["verdict"], new_verdicts[claim_id]["verdict"]
        if old != new:
            changes.flipped[claim_id] = (VERDICT_LABELS[old], VERDICT_LABELS[new])
    return changes


def _current(release, config: str) -> dict[str, dict]:
    return {
        row["claim_id"]: {**row, "split": split}
        for split, rows in release.rows.get(config, {}).items()
        for row in rows
    }


def render(release) -> str:
    claims, verdicts = _current(release, "claims"), _current(release, "verdicts")
    heading = f"## {release.version} ({release.options.release_date})"
    if release.previous is None:
        section = [heading, "", f"First release: {len(claims)} claims, {len(verdicts)} with a verdict."]
        history = ""
    else:
        old_claims = read_config(release.previous, "claims")
        changes = diff(old_claims, claims, read_config(release.previous, "verdicts"), verdicts)
        texts = {**{k: v["text"] for k, v in old_claims.items()}, **{k: v["text"] for k, v in claims.items()}}
        section = [
            heading,
            "",
            f"Against {release.previous.name}: {len(changes.added)} claims added, {len(changes.removed)} removed, "
            f"{len(changes.changed)} changed; {len(changes.flipped)} verdicts flipped, "
            f"{len(changes.verdicts_added)} added, {len(changes.verdicts_removed)} removed.",
        ]
        listed = (
            ("Claims added", [f"`{i}` {_short(texts[i])}" for i in changes.added]),
            ("Claims removed", [f"`{i}` {_short(texts[i])}" for i in changes.removed]),
            ("Claims changed", [f"`{i}`: {', '.join(f)}" for i, f in changes.changed.items()]),
            ("Verdicts flipped", [f"`{i}`: {a} -> {b}" for i, (a, b) in changes.flipped.items()]),
            (
                "Verdicts added",
                [f"`{i}`: {VERDICT_LABELS[verdicts[i]['verdict']]}" for i in changes.verdicts_added],
            ),
            ("Verdicts removed", [f"`{i}`" for i in changes.verdicts_removed]),
        )
        for title, items in listed:
            if items:
                section += ["", f"### {title}", "", *(f"- {item}" for item in items)]
        previous_log = release.previous / "CHANGELOG.md"
        history = (
            previous_log.read_text(encoding="utf-8").removeprefix(TITLE).strip()
            if previous_log.exists()
            else ""
        )
    return "\n".join([TITLE, "", *section, *(["", history] if history else [])]) + "\n"


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
