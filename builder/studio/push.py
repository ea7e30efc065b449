"""`claimset push`: make a project hold exactly one task per claim (or per fact).

Tasks are keyed by ``claim_id``, or ``cluster:ID`` for a fact's task (kept in each task's
``meta`` with a hash of what was sent). Existing tasks are listed first (or remembered from the
last push while the server agrees) and only new ones are imported, in batches; a changed claim
gets its task replaced unless someone already worked on it. Tasks outside the selection are
left alone, so a wider selection later adds only what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.errors import ClaimsetError, Errors
from builder.runfiles import write_text
from builder.studio import config as ui
from builder.studio.files import read_jsonl
from builder.studio.people import annotator_project, pseudonym_salt
from builder.studio.sync import Studio
from builder.studio.tasks import (
    build_cluster_task,
    build_task,
    claims_and_articles,
    groups,
    task_key,
)

BATCH_SIZE = 2500
ASK_LIMIT = 50  # changed tasks whose annotations are asked about one by one, at most
PUSH_STATE_FILE = "studio-push.json"

Progress = Callable[[str, int], Callable[[int], None]]  # (label, total) -> advance(n)


@dataclass
class PushReport:
    project: str
    project_id: int
    url: str
    created: bool = False
    claims: int = 0
    imported: int = 0
    unchanged: int = 0
    updated: int = 0
    changed_but_annotated: list[str] = field(default_factory=list)
    duplicates_removed: int = 0
    not_in_folder: int = 0
    reranked: int = 0  # --rerank: tasks without annotations re-imported in the new order
    kept_annotated: int = 0  # --rerank: tasks with annotations, left exactly as they were
    annotator_projects: list[tuple[str, int]] = field(default_factory=list)  # (title, id), blind labelling


@dataclass
class Selection:
    """Which claims (or facts) a push sends: the most check-worthy first."""

    limit: int | None = None  # the N most check-worthy (claims, or facts with --by cluster)
    min_checkworthy: float | None = None
    include_below_floor: bool = False

    def check(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ClaimsetError(Errors.E318, detail=f"--limit {self.limit}")
        if self.min_checkworthy is not None and not 0 <= self.min_checkworthy <= 1:
            raise ClaimsetError(Errors.E318, detail=f"--min-checkworthy {self.min_checkworthy}")

    def apply(self, units: list[tuple[float, bool, Any]]) -> list[Any]:
        """(score, below the floor, unit) sorted and filtered; returns the units kept, in order."""
        kept = [
            (score, unit)
            for score, below, unit in units
            if (self.include_below_floor or not below)
            and (self.min_checkworthy is None or score >= self.min_checkworthy)
        ]
        return [unit for _, unit in kept[: self.limit]]


def build_tasks(
    folder: Path, selection: Selection, by_cluster: bool = False, scores: dict[str, float] | None = None
) -> list[dict]:
    """The tasks of a run folder's selection: one per claim, or one per fact (``by_cluster``).

    ``scores`` (claim_id -> score, from --rerank) replace the extract's scores; the extract's
    floor does not apply to them.
    """
    claims, articles = claims_and_articles(folder)
    for claim in claims if scores else ():
        claim["checkworthy"], claim["below_floor"] = scores[claim["claim_id"]], False
    wordings, conflicts = groups(folder, claims)
    claims.sort(key=lambda c: (-(c.get("checkworthy") or 0.0), c["claim_id"]))
    if not by_cluster:
        units = [(c.get("checkworthy") or 0.0, bool(c.get("below_floor")), c) for c in claims]
        return [
            build_task(
                c,
                articles[c["article_id"]],
                wordings.get(c["claim_id"], ""),
                conflicts.get(c["claim_id"], ""),
            )
            for c in selection.apply(units)
        ]
    if not (folder / "clusters.jsonl").exists():
        raise ClaimsetError(Errors.E204, path=folder / "clusters.jsonl")
    by_id = {c["claim_id"]: c for c in claims}
    facts = []
    for cluster in read_jsonl(folder / "clusters.jsonl"):
        members = sorted(
            (by_id[i] for i in cluster.get("claim_ids", []) if i in by_id), key=lambda c: c["claim_id"]
        )
        if members:
            score = max(c.get("checkworthy") or 0.0 for c in members)
            below = all(c.get("below_floor") for c in members)
            facts.append((score, below, cluster["cluster_id"], cluster, members))
    facts.sort(key=lambda f: (-f[0], f[2]))
    units = [(score, below, (cluster, members)) for score, below, _, cluster, members in facts]
    return [build_cluster_task(cl, members, articles, conflicts) for cl, members in selection.apply(units)]


def push(
    folder: Path,
    project: str,
    annotators_per_claim: int = 1,
    studio: Studio | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
    rerank: bool = False,
    checkworthy_model: str = "shipped",
    selection: Selection | None = None,
    by_cluster: bool = False,
    annotators: list[str] | None = None,
) -> PushReport:
    """Send the claims of ``folder`` to the project, one task per claim (or per fact with
    ``by_cluster``), most check-worthy first; ``selection`` chooses which (below-floor claims only
    when it says so).

    With ``annotators`` (emails) each annotator gets a project of their own holding the same
    tasks (``NAME · annotator-…``), so nobody sees another's work before submitting (blind
    labelling); `claimset pull --project NAME` merges them. A wider selection later adds only the
    missing tasks. With ``rerank`` every claim is scored again by ``checkworthy_model``
    ("shipped" or a folder from `claimset train-checkworthy`; claims.jsonl is not changed) and
    every task nobody has annotated yet is replaced, in the new order with its new score.
    """
    selection = selection or Selection()
    selection.check()
    scores = _rescored(folder, checkworthy_model) if rerank else None
    tasks = build_tasks(folder, selection, by_cluster, scores)
    studio = studio or Studio()
    titles = [project]
    if annotators:
        salt = pseudonym_salt()
        titles = sorted({annotator_project(project, email, salt) for email in annotators})
    reports = []
    for title in titles:
        report = push_tasks(
            tasks,
            title,
            1 if annotators else annotators_per_claim,
            studio,
            progress,
            batch_size,
            on_batch,
            state_path=folder / PUSH_STATE_FILE,
            rerank=rerank,
            by_cluster=by_cluster,
        )
        reports.append(report)
    first = reports[0]
    if annotators:
        first.annotator_projects = [(r.project, r.project_id) for r in reports]
        first.project = f"{project} ({len(reports)} annotator projects; the first)"
    for other in reports[1:]:
        for name in ("imported", "unchanged", "updated", "duplicates_removed", "reranked", "kept_annotated"):
            setattr(first, name, getattr(first, name) + getattr(other, name))
        first.changed_but_annotated += other.changed_but_annotated
    return first


def _rescored(folder: Path, checkworthy_model: str) -> dict[str, float]:
    """Every claim of ``folder`` scored again by ``checkworthy_model`` (claims.jsonl unchanged)."""
    from builder.checkworthy import load_model

    model = load_model(None if checkworthy_model == "shipped" else checkworthy_model)
    claims, _ = claims_and_articles(folder)
    texts = [c["text"] for c in claims]
    return dict(zip((c["claim_id"] for c in claims), model.score(texts), strict=True))


def push_tasks(
    tasks: list[dict],
    project: str,
    annotators_per_claim: int,
    studio: Studio,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
    review: bool = False,
    state_path: Path | None = None,
    rerank: bool = False,
    by_cluster: bool = False,
) -> PushReport:
    """Make the project hold exactly one task per given task's key (see ``push``).

    ``state_path`` remembers which task holds which claim, so a re-push can skip listing every
    task; it is trusted only while the server's task count and newest task id still match it.
    """
    proj, created = studio.ensure_project(
        project,
        ui.label_config(review=review, by_cluster=by_cluster),
        annotators_per_claim,
        instructions=ui.instructions(by_cluster=by_cluster),
    )
    report = PushReport(project, proj.id, studio.connection.url, created=created, claims=len(tasks))
    existing = None if rerank else _known_tasks(studio, proj, state_path)
    if existing is not None:
        hashes = {task_key(t["meta"]): t["meta"]["hash"] for t in tasks}
        changed = sum(1 for c, t in existing.items() if c in hashes and t["meta"]["hash"] != hashes[c])
        if changed > ASK_LIMIT:  # one listing beats asking about each task's annotations
            existing = None
    if existing is None:
        existing = _listed_tasks(studio, proj.id, report)
    wanted = {task_key(t["meta"]) for t in tasks}
    report.not_in_folder = sum(1 for c in existing if c not in wanted)
    new, replaced, replaced_claims = [], [], set()
    for task in tasks:
        claim_id = task_key(task["meta"])
        old = existing.get(claim_id)
        if old is None:
            new.append(task)
        elif rerank and not _annotation_count(studio, old):  # re-imported below, in the new order
            replaced.append(existing.pop(claim_id)["id"])
            replaced_claims.add(claim_id)
            new.append(task)
            report.reranked += 1
        elif rerank:
            report.kept_annotated += 1
        elif old["meta"].get("hash") == task["meta"]["hash"]:
            report.unchanged += 1
        elif _annotation_count(studio, old):
            report.changed_but_annotated.append(claim_id)
        else:  # nobody worked on it yet: replace it (one bulk delete, then a batched import)
            replaced.append(existing.pop(claim_id)["id"])
            replaced_claims.add(claim_id)
            new.append(task)
    if replaced:
        studio.delete_tasks(proj.id, replaced)
        _remember(state_path, studio.connection.url, proj.id, existing)
        report.updated = len(replaced)
    advance = progress("importing", len(new)) if progress and new else None
    try:
        for start in range(0, len(new), batch_size):
            batch = new[start : start + batch_size]
            ids = studio.import_tasks(proj.id, batch)
            if len(ids) != len(batch):  # cannot tell which task is which: list them next time
                state_path = _forget(state_path)
            for task, task_id in zip(batch, ids, strict=False):
                existing[task_key(task["meta"])] = {"id": task_id, "meta": task["meta"], "annotations": 0}
            report.imported += sum(1 for t in batch if task_key(t["meta"]) not in replaced_claims)
            if advance:
                advance(len(batch))
            if on_batch:
                on_batch(report.imported)
    finally:
        _remember(state_path, studio.connection.url, proj.id, existing)
    return report


def _listed_tasks(studio: Studio, project_id: int, report: PushReport) -> dict[str, dict]:
    """Every task of the project by claim_id, removing unannotated duplicates of a claim."""
    existing: dict[str, dict] = {}
    for task in sorted(studio.task_keys(project_id), key=lambda t: t["id"]):
        claim_id = task_key(task["meta"])
        if claim_id is None:
            continue
        if claim_id in existing:  # left by a push interrupted while the server committed a batch
            keep = existing[claim_id]
            drop = task if task["annotations"] == 0 or keep["annotations"] > 0 else keep
            if drop["annotations"] == 0:
                studio.delete_task(drop["id"])
                report.duplicates_removed += 1
                existing[claim_id] = keep if drop is task else task
            continue
        existing[claim_id] = task
    return existing


def _known_tasks(studio: Studio, project: Any, state_path: Path | None) -> dict[str, dict] | None:
    """The remembered tasks, if the server still holds exactly those (else None: list them)."""
    if state_path is None or not state_path.exists():
        return None
    state = _push_state(state_path).get(f"{studio.connection.url}#{project.id}")
    if state is None:
        return None
    known = state.get("tasks", {})
    if project.task_number != len(known):
        return None
    newest = max((v[0] for v in known.values()), default=None)
    if newest is not None and studio.newest_task_id(project.id) != newest:
        return None
    return {c: {"id": v[0], "meta": {"key": c, "hash": v[1]}, "annotations": None} for c, v in known.items()}


def _annotation_count(studio: Studio, task: dict) -> int:
    if task["annotations"] is None:  # remembered, not listed: ask the server now
        task["annotations"] = studio.annotation_count(task["id"])
    return task["annotations"]


def _remember(state_path: Path | None, url: str, project_id: int, existing: dict[str, dict]) -> None:
    if state_path is None:
        return
    state = _push_state(state_path)
    tasks = {c: [t["id"], t["meta"].get("hash")] for c, t in sorted(existing.items())}
    state[f"{url}#{project_id}"] = {"tasks": tasks}
    write_text(state_path, json.dumps(state) + "\n")


def _push_state(state_path: Path) -> dict:
    """What earlier pushes from this folder left, per server and project."""
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _forget(state_path: Path | None) -> None:
    """Stop remembering (the next push lists every task)."""
    if state_path is not None:
        state_path.unlink(missing_ok=True)
