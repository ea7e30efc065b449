"""Read a run folder (extract, group and pull outputs) into one object for publishing."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from builder import runfiles
from builder.errors import ClaimsetError, Errors
from builder.records import AgreementReport, Annotation, Conflict, Run, Verdict
from builder.runfiles import file_sha256

REQUIRED = ("run.json", "articles.jsonl", "claims.jsonl")
# Files a release is built from, in the order they are hashed into the manifest. The last
# three are human work pulled from Label Studio (or the maintainer's datasheet text): a
# rebuild takes them from the run folder, the rest it can regenerate from the articles.
OPTIONAL = (
    "rejects.jsonl",
    "stories.jsonl",
    "clusters.jsonl",
    "conflicts.jsonl",
    "claim_groups.jsonl",
    "annotations.jsonl",
    "verdicts.jsonl",
    "agreement.json",
)

STREAMED = (
    "articles.jsonl",
    "claims.jsonl",
    "rejects.jsonl",
    "stories.jsonl",
    "clusters.jsonl",
)  # grow with the corpus
HELD = {"conflicts.jsonl": Conflict, "annotations.jsonl": Annotation, "verdicts.jsonl": Verdict}  # in memory
UNREAD = ("claim_groups.jsonl",)  # hashed into the manifest (a rebuild checks it), not published


@dataclass
class RunFolder:
    """A run folder as a release sees it: its run record, the hashes of its files, and the
    small files (human work, conflicts) in memory. Claims, articles, clusters and rejects grow
    with the corpus: the release reads them in passes, from ``path``."""

    path: Path
    run: dict
    conflicts: list[dict] = field(default_factory=list)
    annotations: list[dict] = field(default_factory=list)
    verdicts: list[dict] = field(default_factory=list)
    agreement: dict | None = None
    hashes: dict[str, str] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.hashes


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSON Lines file; a bad line is a one-line error naming file and line."""
    return list(runfiles.read_jsonl(path, Errors.E404))


def read_run_folder(path: Path) -> RunFolder:
    """Open a run folder; the files of `claimset extract` must be there, the rest may be."""
    for name in REQUIRED:
        if not (path / name).is_file():
            raise ClaimsetError(Errors.E204, path=path / name)
    folder = RunFolder(path=path, run=runfiles.read_record(path / "run.json", Run, Errors.E404))
    for name in REQUIRED + OPTIONAL:
        file = path / name
        if not file.is_file():
            continue
        folder.hashes[name] = file_sha256(file)
        if name in HELD:
            setattr(
                folder,
                name.removesuffix(".jsonl"),
                list(runfiles.read_records(file, HELD[name], Errors.E404)),
            )
    if (path / "agreement.json").is_file():
        folder.agreement = runfiles.read_record(path / "agreement.json", AgreementReport, Errors.E404)
    return folder


def check_references(folder: RunFolder, known: Container[str]) -> None:
    """Verdicts and annotations must be about claims of this run."""
    for name in ("verdicts", "annotations"):
        for row in getattr(folder, name):
            if row.get("claim_id") not in known:
                raise ClaimsetError(
                    Errors.E405, path=folder.path / f"{name}.jsonl", claim_id=row.get("claim_id")
                )
