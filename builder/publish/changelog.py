"""CHANGELOG.md: claims added, removed and changed, and verdicts that flipped, by claim_id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from builder.records import VERDICT_LABELS

TITLE = "# Changelog"


def read_config(release_dir: Path, config: str) -> dict[str, dict]:
    """Rows of one (small) config of a published release, keyed by claim_id (all splits)."""
    return {
        row["claim_id"]: {**row, "split": split} for split, rows in _rows(release_dir, config) for row in rows
    }


def config_batches(
    release_dir: Path, config: str, columns: list[str] | None = None
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """(split, Arrow batch) of a config of a published release, a batch at a time."""
    for file in sorted((release_dir / "data" / config).glob("*.parquet")):
        for batch in pq.ParquetFile(file).iter_batches(batch_size=BATCH, columns=columns):
            yield file.stem, batch


def _rows(
    release_dir: Path, config: str, columns: list[str] | None = None
) -> Iterator[tuple[str, list[dict]]]:
    """(split, rows) of a config, a batch at a time."""
    for split, batch in config_batches(release_dir, config, columns):
        yield split, batch.to_pylist()


def _columns(release_dir: Path, config: str) -> set[str]:
    return {
        name
        for file in (release_dir / "data" / config).glob("*.parquet")
        for name in pq.read_schema(file).names
    }


BATCH = 10_000


def diff_claims(old_dir: Path, new_dir: Path) -> tuple[Changes, dict[str, str]]:
    """Claims added, removed and changed (with the fields that changed, split included) between
    two releases, and the text of each added or removed claim. Each side is read a batch at a
    time; what stays in memory is one digest per field per claim of the new release."""
    fields = sorted(_columns(old_dir, "claims") | _columns(new_dir, "claims") | {"split"})

    def digest(row: dict, split: str) -> bytes:
        row["split"] = split
        return b"".join(hash(repr(row.get(name))).to_bytes(8, "little", signed=True) for name in fields)

    new = {row["claim_id"]: digest(row, split) for split, rows in _rows(new_dir, "claims") for row in rows}
    changes, texts = Changes(), {}
    for split, rows in _rows(old_dir, "claims"):
        for row in rows:
            mine = new.pop(row["claim_id"], None)
            if mine is None:
                changes.removed.append(row["claim_id"])
                texts[row["claim_id"]] = row["text"]
                continue
            theirs = digest(row, split)
            if theirs != mine:
                changes.changed[row["claim_id"]] = [
                    name
                    for i, name in enumerate(fields)
                    if theirs[8 * i : 8 * i + 8] != mine[8 * i : 8 * i + 8]
                ]
    changes.added = sorted(new)
    for _, rows in _rows(new_dir, "claims", ["claim_id", "text"]):
        texts.update((row["claim_id"], row["text"]) for row in rows if row["claim_id"] in new)
    changes.removed.sort()
    changes.changed = dict(sorted(changes.changed.items()))
    return changes, texts


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # claim_id -> changed fields
    flipped: dict[str, tuple[str, str]] = field(default_factory=dict)
    verdicts_added: list[str] = field(default_factory=list)
    verdicts_removed: list[str] = field(default_factory=list)


def diff_verdicts(changes: Changes, old_verdicts: dict, new_verdicts: dict) -> None:
    changes.verdicts_added = sorted(new_verdicts.keys() - old_verdicts.keys())
    changes.verdicts_removed = sorted(old_verdicts.keys() - new_verdicts.keys())
    for claim_id in sorted(old_verdicts.keys() & new_verdicts.keys()):
        old, new = old_verdicts[claim_id]["verdict"], new_verdicts[claim_id]["verdict"]
        if old != new:
            changes.flipped[claim_id] = (VERDICT_LABELS[old], VERDICT_LABELS[new])


def render(release, stage: Path) -> str:
    """The changelog of the release written in ``stage``: its section, then the previous
    version's changelog."""
    verdicts = read_config(stage, "verdicts")
    heading = f"## {release.version} ({release.options.release_date})"
    if release.previous is None:
        section = [
            heading,
            "",
            f"First release: {release.count('claims')} claims, {len(verdicts)} with a verdict.",
        ]
        history = ""
    else:
        changes, texts = diff_claims(release.previous, stage)
        diff_verdicts(changes, read_config(release.previous, "verdicts"), verdicts)
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
