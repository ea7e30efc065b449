"""Read a run folder (extract, group and pull outputs) into one object for publishing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from builder import runfiles
from builder.errors import ClaimsetError, Errors
from builder.runfiles import file_sha256

REQUIRED = ("run.json", "articles.jsonl", "claims.jsonl")
# Files a release is built from, in the order they are hashed into the manifest. The last
# three are human work pulled from Label Studio (or the maintainer's datasheet text): a
# rebuild takes them from the run folder, the rest it can regenerate from the articles.
OPTIONAL = (
    "rejects.jsonl",
    "clusters.jsonl",
    "conflicts.jsonl",
    "claim_groups.jsonl",
    "annotations.jsonl",
    "verdicts.jsonl",
    "agreement.json",
)

UNREAD = ("claim_groups.jsonl",)  # hashed into the manifest (a rebuild checks it), not published


@dataclass
class RunFolder:
    """Everything a release is made of, as read from one run folder."""

    path: Path
    run: dict
    articles: list[dict]
    claims: list[dict]
    rejects: list[dict] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    annotations: list[dict] = field(default_factory=list)
    verdicts: list[dict] = field(default_factory=list)
    agreement: dict | None = None
    hashes: dict[str, str] = field(default_factory=dict)


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSON Lines file; a bad line is a one-line error naming file and line."""
    return list(runfiles.read_jsonl(path, Errors.E404))


def read_run_folder(path: Path) -> RunFolder:
    """Load a run folder; the files of `claimset extract` must be there, the rest may be."""
    for name in REQUIRED:
        if not (path / name).is_file():
            raise ClaimsetError(Errors.E204, path=path / name)
    try:
        run = json.loads((path / "run.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ClaimsetError(
            Errors.E404, path=path / "run.json", line=error.lineno, detail=error.msg
        ) from None
    folder = RunFolder(
        path=path,
        run=run,
        articles=read_jsonl(path / "articles.jsonl"),
        claims=_share_repeated(read_jsonl(path / "claims.jsonl")),
    )
    for name in REQUIRED + OPTIONAL:
        file = path / name
        if not file.is_file():
            continue
        folder.hashes[name] = file_sha256(file)
        if name.endswith(".jsonl") and name not in REQUIRED + UNREAD:
            setattr(folder, name.removesuffix(".jsonl"), read_jsonl(file))
    if (path / "agreement.json").is_file():
        folder.agreement = json.loads((path / "agreement.json").read_text(encoding="utf-8"))
    _check_references(folder)
    return folder


def _share_repeated(claims: list[dict]) -> list[dict]:
    """One copy of each claim's ``source`` (the same for all claims of an article) and
    ``extractor`` (the same for the whole run) instead of one per claim: a third less memory."""
    shared: dict[tuple, dict] = {}
    for claim in claims:
        for key in ("source", "extractor"):
            value = claim.get(key)
            if isinstance(value, dict) and all(
                isinstance(v, str | int | float | None) for v in value.values()
            ):
                claim[key] = shared.setdefault((key, *value.items()), value)
    return claims


def _check_references(folder: RunFolder) -> None:
    """Verdicts and annotations must be about claims of this run."""
    known = {c["claim_id"] for c in folder.claims}
    for name in ("verdicts", "annotations"):
        for row in getattr(folder, name):
            if row.get("claim_id") not in known:
                raise ClaimsetError(
                    Errors.E405, path=folder.path / f"{name}.jsonl", claim_id=row.get("claim_id")
                )
