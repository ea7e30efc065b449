"""Push claims to Label Studio and pull annotations back: the only module that talks to it.

Tasks are keyed by ``claim_id`` (kept in each task's ``meta`` with a hash of what was sent),
so pushing is idempotent: existing tasks are listed first and only new claims are imported;
a changed claim updates its task unless someone already annotated it. Every server error is
translated here, once, into a ``ClaimsetError``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.errors import ClaimsetError, Errors
from builder.records import Annotation, EvidenceSpan, EvidenceUrl, dumps, short_id
from builder.studio import config as ui
from builder.studio.agreement import agreement_report, settle
from builder.studio.files import read_annotations, read_jsonl, write_json, write_jsonl, write_text
from builder.studio.offsets import OffsetMap
from builder.studio.server import studio_home, write_secret

BATCH_SIZE = 2500
PAGE_SIZE = 5000
ASK_LIMIT = 50  # changed tasks whose annotations are asked about one by one, at most
MODEL_VERSION = "claimset-checkworthy"
REVIEW_SUFFIX = " (adjudication)"
STATE_FILE = "studio-pull.json"
PUSH_STATE_FILE = "studio-push.json"

Progress = Callable[[str, int], Callable[[int], None]]  # (label, total) -> advance(n)


# --- connection and error translation ----------------------------------------------------


@dataclass
class Connection:
    url: str
    api_key: str = field(repr=False)

    @classmethod
    def resolve(cls) -> Connection:
        """LABEL_STUDIO_URL + LABEL_STUDIO_API_KEY, else the local instance of `claimset studio up`."""
        url, key = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
        home = studio_home()
        if not url:
            try:
                url = json.loads((home / "server.json").read_text(encoding="utf-8"))["url"]
            except (OSError, ValueError, KeyError):
                url = None
        if url and not key:
            try:
                key = json.loads((home / "credentials.json").read_text(encoding="utf-8"))["api_key"]
            except (OSError, ValueError, KeyError):
                key = None
        if not url or not key:
            raise ClaimsetError(Errors.E305)
        return cls(url.rstrip("/"), key)


class Studio:
    """A thin, error-translating layer over label-studio-sdk."""

    def __init__(self, connection: Connection | None = None, timeout: float = 900) -> None:
        from label_studio_sdk import LabelStudio

        self.connection = connection or Connection.resolve()
        self.sdk = LabelStudio(base_url=self.connection.url, api_key=self.connection.api_key, timeout=timeout)

    def call(self, action: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one SDK call, turning transport and HTTP errors into claimset errors."""
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        try:
            return fn(*args, **kwargs)
        except ApiError as error:
            if error.status_code in (401, 403):
                raise ClaimsetError(Errors.E307, url=self.connection.url) from None
            detail = _short(error.body)
            raise ClaimsetError(Errors.E308, status=error.status_code, action=action, detail=detail) from None
        except httpx.TransportError as error:
            detail = type(error).__name__
            raise ClaimsetError(Errors.E306, url=self.connection.url, detail=detail) from None

    # projects

    def find_project(self, title: str) -> Any | None:
        def find():
            return next(
                (p for p in self.sdk.projects.list(title=title, page_size=100) if p.title == title), None
            )

        return self.call("list projects", find)

    def ensure_project(self, title: str, label_config: str, maximum_annotations: int) -> tuple[Any, bool]:
        """The project titled ``title``, created if missing; its interface validated, then applied."""
        if len(title.strip()) < 3:
            raise ClaimsetError(Errors.E311, name=title)
        project = self.find_project(title)
        created = project is None
        if created:
            project = self.call("create project", self.sdk.projects.create, title=title)
        if project.label_config != label_config:
            self.validate(project.id, label_config)
        changes: dict[str, Any] = {}
        if project.label_config != label_config:
            changes["label_config"] = label_config
        if project.maximum_annotations != maximum_annotations:
            changes["maximum_annotations"] = maximum_annotations
        if changes:
            project = self.call("update project", self.sdk.projects.update, id=project.id, **changes)
        return project, created

    def validate(self, project_id: int, label_config: str) -> None:
        from label_studio_sdk.core.api_error import ApiError

        try:
            self.sdk.projects.validate_label_config(id=project_id, label_config=label_config)
        except ApiError as error:
            if error.status_code == 400:
                raise ClaimsetError(Errors.E309, detail=_short(error.body)) from None
            self.call("validate labeling interface", _raise, error)

    # tasks

    def task_keys(self, project_id: int) -> list[dict]:
        """id, meta, annotation count and update time of every task (no task data: fast)."""

        def listing():
            pager = self.sdk.tasks.list(
                project=project_id,
                fields="task_only",
                include="id,meta,total_annotations,cancelled_annotations,updated_at",
                page_size=PAGE_SIZE,
            )
            return [
                {
                    "id": t.id,
                    "meta": t.meta or {},
                    "annotations": (t.total_annotations or 0) + (t.cancelled_annotations or 0),
                }
                for t in pager
            ]

        return self.call("list tasks", listing)

    def tasks_with_annotations(self, project_id: int, since: str | None) -> list[Any]:
        """Full tasks (data and annotations) updated at or after ``since`` (all when None)."""
        query = None
        if since:
            item = {"filter": "filter:tasks:updated_at", "operator": "greater_or_equal", "type": "Datetime"}
            query = json.dumps({"filters": {"conjunction": "and", "items": [{**item, "value": since}]}})
        return self.call(
            "list annotated tasks",
            lambda: list(self.sdk.tasks.list(project=project_id, fields="all", query=query, page_size=1000)),
        )

    def import_tasks(self, project_id: int, tasks: list[dict]) -> list[int]:
        """Import tasks; returns their new ids, in order."""
        response = self.call(
            "import tasks", self.sdk.projects.import_tasks, id=project_id, request=tasks, return_task_ids=True
        )
        return list(response.task_ids or [])

    def newest_task_id(self, project_id: int) -> int | None:
        def newest():
            query = json.dumps({"ordering": ["-tasks:id"]})
            pager = self.sdk.tasks.list(
                project=project_id, fields="task_only", include="id", page_size=1, query=query
            )
            return next((t.id for t in pager), None)

        return self.call("list tasks", newest)

    def annotation_count(self, task_id: int) -> int:
        task = self.call("get task", self.sdk.tasks.get, id=str(task_id))
        return (task.total_annotations or 0) + (task.cancelled_annotations or 0)

    def delete_tasks(self, project_id: int, task_ids: list[int]) -> None:
        """Delete tasks in one Data Manager action."""
        selected = {"all": False, "included": list(task_ids)}
        self.call(
            "delete tasks",
            self.sdk.actions.create,
            id="delete_tasks",
            project=project_id,
            selected_items=selected,
        )

    def delete_task(self, task_id: int) -> None:
        self.call("delete task", self.sdk.tasks.delete, id=str(task_id))

    def user_emails(self) -> dict[int, str]:
        return self.call("list users", lambda: {u.id: u.email or str(u.id) for u in self.sdk.users.list()})


def _raise(error: Exception) -> None:
    raise error


def _short(body: Any, limit: int = 300) -> str:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    return " ".join(text.split())[:limit]


# --- reading the extract folder -----------------------------------------------------------


def _require(path: Path) -> Path:
    if not path.exists():
        raise ClaimsetError(Errors.E204, path=path)
    return path


def _claims_and_articles(folder: Path) -> tuple[list[dict], dict[str, str]]:
    articles_path, claims_path = _require(folder / "articles.jsonl"), _require(folder / "claims.jsonl")
    articles = {}
    for number, a in enumerate(read_jsonl(articles_path), 1):
        if not isinstance(a.get("article_id"), str) or not isinstance(a.get("text"), str):
            raise ClaimsetError(
                Errors.E312, path=articles_path, line=number, detail="needs article_id and text"
            )
        articles[a["article_id"]] = a["text"]
    claims = []
    for number, c in enumerate(read_jsonl(claims_path), 1):
        text = articles.get(c.get("article_id"))
        try:
            ok = text is not None and text[c["char_start"] : c["char_end"]] == c["text"]
        except (KeyError, TypeError):
            ok = False
        if not ok or not isinstance(c.get("claim_id"), str):
            detail = (
                "claim does not match its article in articles.jsonl (claim_id, article_id, offsets, text)"
            )
            raise ClaimsetError(Errors.E312, path=claims_path, line=number, detail=detail)
        claims.append(c)
    return claims, articles


# --- building tasks ------------------------------------------------------------------------


def _source_line(source: dict) -> str:
    parts = [source.get("publisher"), source.get("title"), source.get("published"), source.get("author")]
    line = " · ".join(str(p) for p in parts if p) or "(no publisher or date)"
    link = source.get("url") or source.get("path") or ""
    return f"{line}\n{link}".strip()


def _groups(folder: Path, claims: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Other wordings (clusters.jsonl) and conflicts (conflicts.jsonl), as text per claim_id."""
    by_id = {c["claim_id"]: c for c in claims}
    wordings: dict[str, str] = {}
    if (folder / "clusters.jsonl").exists():
        for cluster in read_jsonl(folder / "clusters.jsonl"):
            members = [by_id[i] for i in cluster.get("claim_ids", []) if i in by_id]
            for claim in members:
                others = [m for m in members if m["article_id"] != claim["article_id"]]
                lines = [
                    f"• {m['text']} ({m['source'].get('publisher') or m['source'].get('path')})"
                    for m in others
                ]
                wordings[claim["claim_id"]] = "\n".join(lines)
    conflicts: dict[str, list[str]] = defaultdict(list)
    if (folder / "conflicts.jsonl").exists():
        for conflict in read_jsonl(folder / "conflicts.jsonl"):
            shown = "; ".join(_conflict_value(v) for v in conflict.get("values") or [])
            line = f"• {conflict.get('attribute')}: {shown}"
            if conflict.get("reason"):
                line += f" ({conflict['reason']})"
            for claim_id in conflict.get("claim_ids", []):
                conflicts[claim_id].append(line)
    return wordings, {k: "\n".join(v) for k, v in conflicts.items()}


def _conflict_value(value: Any) -> str:
    if isinstance(value, dict):
        text, norm = value.get("text"), value.get("value")
        return f"{text} = {norm}" if text and norm and str(norm) != str(text) else str(text or norm)
    return str(value)


def build_task(claim: dict, article: str, wordings: str = "", conflicts: str = "", said: str = "") -> dict:
    """One Label Studio task for one claim, with the claim highlighted as a prediction."""
    source = claim.get("source") or {}
    data = {
        "claim": claim["text"],
        "article": article,
        "provenance": _source_line(source),  # not "source": Label Studio shows the raw task for $source
        "other_wordings": wordings or "(none found)",
        "conflicts": conflicts or "(none found)",
        "annotators_said": said,
        # columns for the Data Manager (sort, filter)
        "claim_id": claim["claim_id"],
        "char_start": claim["char_start"],
        "char_end": claim["char_end"],
        "checkworthy": claim.get("checkworthy"),
        "publisher": source.get("publisher"),
        "published": source.get("published"),
        "url": source.get("url"),
    }
    return task_from_data(data)


def task_from_data(data: dict) -> dict:
    """The task (meta key and hash, claim highlight as a prediction) for prepared task data."""
    article = data["article"]
    offsets = OffsetMap(article)
    region = {
        "id": "claim",
        "from_name": ui.SPANS,
        "to_name": ui.ARTICLE,
        "type": "labels",
        "value": {
            "start": offsets.to_utf16(data["char_start"]),
            "end": offsets.to_utf16(data["char_end"]),
            "text": article[data["char_start"] : data["char_end"]],
            "labels": [ui.CLAIM_LABEL],
        },
    }
    score = data.get("checkworthy") or 0.0
    predictions = [{"model_version": MODEL_VERSION, "score": score, "result": [region]}]
    digest = short_id("task", dumps(data), dumps(predictions))
    return {"data": data, "meta": {"claim_id": data["claim_id"], "hash": digest}, "predictions": predictions}


# --- push ----------------------------------------------------------------------------------


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


def push(
    folder: Path,
    project: str,
    annotators_per_claim: int = 1,
    studio: Studio | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> PushReport:
    """Send every claim of ``folder`` to the project, one task per claim, most check-worthy first."""
    claims, articles = _claims_and_articles(folder)
    wordings, conflicts = _groups(folder, claims)
    claims.sort(key=lambda c: (-(c.get("checkworthy") or 0.0), c["claim_id"]))
    tasks = [
        build_task(
            c, articles[c["article_id"]], wordings.get(c["claim_id"], ""), conflicts.get(c["claim_id"], "")
        )
        for c in claims
    ]
    studio = studio or Studio()
    state_path = folder / PUSH_STATE_FILE
    return push_tasks(
        tasks, project, annotators_per_claim, studio, progress, batch_size, on_batch, state_path=state_path
    )


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
) -> PushReport:
    """Make the project hold exactly one task per given task's claim_id (see ``push``).

    ``state_path`` remembers which task holds which claim, so a re-push can skip listing every
    task; it is trusted only while the server's task count and newest task id still match it.
    """
    proj, created = studio.ensure_project(project, ui.label_config(review=review), annotators_per_claim)
    report = PushReport(project, proj.id, studio.connection.url, created=created, claims=len(tasks))
    existing = _known_tasks(studio, proj, state_path)
    if existing is not None:
        hashes = {t["meta"]["claim_id"]: t["meta"]["hash"] for t in tasks}
        changed = sum(1 for c, t in existing.items() if c in hashes and t["meta"]["hash"] != hashes[c])
        if changed > ASK_LIMIT:  # one listing beats asking about each task's annotations
            existing = None
    if existing is None:
        existing = _listed_tasks(studio, proj.id, report)
    wanted = {t["meta"]["claim_id"] for t in tasks}
    report.not_in_folder = sum(1 for c in existing if c not in wanted)
    new, replaced, replaced_claims = [], [], set()
    for task in tasks:
        claim_id = task["meta"]["claim_id"]
        old = existing.get(claim_id)
        if old is None:
            new.append(task)
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
                existing[task["meta"]["claim_id"]] = {"id": task_id, "meta": task["meta"], "annotations": 0}
            report.imported += sum(1 for t in batch if t["meta"]["claim_id"] not in replaced_claims)
            if advance:
                advance(len(batch))
            if on_batch:
                on_batch(report.imported)
    finally:
        _remember(state_path, studio.connection.url, proj.id, existing)
    if tasks and getattr(proj, "model_version", None) != MODEL_VERSION:
        # only accepted once predictions of that version exist; it makes them the pre-annotations
        studio.call("update project", studio.sdk.projects.update, id=proj.id, model_version=MODEL_VERSION)
    return report


def _listed_tasks(studio: Studio, project_id: int, report: PushReport) -> dict[str, dict]:
    """Every task of the project by claim_id, removing unannotated duplicates of a claim."""
    existing: dict[str, dict] = {}
    for task in sorted(studio.task_keys(project_id), key=lambda t: t["id"]):
        claim_id = task["meta"].get("claim_id")
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
    return {
        c: {"id": v[0], "meta": {"claim_id": c, "hash": v[1]}, "annotations": None} for c, v in known.items()
    }


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


# --- pull ----------------------------------------------------------------------------------


def pseudonym_salt() -> bytes:
    """CLAIMSET_PSEUDONYM_SALT, else a salt generated once and kept (0600) in the studio folder."""
    env = os.environ.get("CLAIMSET_PSEUDONYM_SALT")
    if env:
        return env.encode("utf-8")
    path = studio_home() / "pseudonym-salt"
    if not path.exists():
        write_secret(path, secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def pseudonym(identity: str, salt: bytes) -> str:
    """A stable pseudonym for an annotator; without the salt it cannot be traced back."""
    digest = hmac.new(salt, identity.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"annotator-{digest[:10]}"


@dataclass
class PullReport:
    project: str
    out_dir: Path
    tasks_fetched: int = 0
    annotations: int = 0
    verdicts: int = 0
    disputed: int = 0
    queued: int = 0
    pending: int = 0
    problems: list[str] = field(default_factory=list)
    agreement: dict = field(default_factory=dict)


def _iso(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).replace("+00:00", "Z")


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def parse_annotation(
    raw: Any, claim_id: str, article: str, annotator: str, is_review: bool, problems: list[str]
) -> Annotation:
    """One Label Studio annotation as an Annotation, evidence spans in code points, checked."""
    offsets = OffsetMap(article)
    verdict, spans, urls, rationale, confidence = None, [], [], "", None
    for item in _field(raw, "result") or []:
        name, value = item.get("from_name"), item.get("value") or {}
        if name == ui.VERDICT and value.get("choices"):
            verdict = value["choices"][0]
        elif name == ui.SPANS and ui.EVIDENCE_LABEL in (value.get("labels") or []):
            try:
                start, end = offsets.from_utf16(value["start"]), offsets.from_utf16(value["end"])
            except (KeyError, TypeError, ValueError) as error:
                problems.append(f"claim {claim_id}, {annotator}: evidence span dropped ({error})")
                continue
            if "text" in value and article[start:end] != value["text"]:
                problems.append(f"claim {claim_id}, {annotator}: evidence span text differs from the article")
                continue
            spans.append(EvidenceSpan(start, end, article[start:end]))
        elif name == ui.EVIDENCE_URLS:
            for line in "\n".join(value.get("text") or []).splitlines():
                url, _, quote = line.strip().partition(" ")
                if url:
                    urls.append(EvidenceUrl(url=url, quote=quote.strip().strip("|").strip().strip('"')))
        elif name == ui.RATIONALE:
            rationale = "\n".join(value.get("text") or []).strip()
        elif name == ui.CONFIDENCE and value.get("rating") is not None:
            confidence = int(value["rating"])
    skipped = bool(_field(raw, "was_cancelled"))
    return Annotation(
        claim_id=claim_id,
        annotator=annotator,
        status="skipped" if skipped else "submitted",
        verdict=None if skipped else verdict,
        evidence_spans=sorted(spans, key=lambda s: (s.char_start, s.char_end)),
        evidence_urls=urls,
        rationale=rationale,
        confidence=confidence,
        is_review=is_review,
        created_at=_iso(_field(raw, "created_at")),
        updated_at=_iso(_field(raw, "updated_at")),
    )


def _fetch(
    studio: Studio,
    project_id: int,
    since: str | None,
    is_review: bool,
    salt: bytes,
    problems: list[str],
    task_data: dict[str, dict],
) -> tuple[dict[str, list[Annotation]], str | None, int]:
    """Annotations per claim of the tasks updated since ``since``, the new watermark, task count."""
    tasks = studio.tasks_with_annotations(project_id, since)
    emails: dict[int, str] | None = None
    fetched: dict[str, list[Annotation]] = {}
    watermark = since
    for task in tasks:
        claim_id = (task.meta or {}).get("claim_id")
        updated = _iso(task.updated_at)
        watermark = max(watermark or updated, updated)
        if not claim_id:
            continue
        if not is_review:
            task_data[claim_id] = task.data
        rows = []
        for raw in task.annotations or []:
            who = _field(raw, "completed_by")
            identity = _field(who, "email") if who is not None and not isinstance(who, int) else None
            if identity is None:
                emails = emails if emails is not None else studio.user_emails()
                identity = emails.get(who, str(who))
            annotator = pseudonym(identity, salt)
            rows.append(parse_annotation(raw, claim_id, task.data["article"], annotator, is_review, problems))
        fetched[claim_id] = rows
    return fetched, watermark, len(tasks)


def pull(
    project: str, out_dir: Path, studio: Studio | None = None, full: bool = False, queue: bool = True
) -> PullReport:
    """Fetch annotations since the last pull into ``out_dir``; settle verdicts; queue disputes."""
    studio = studio or Studio()
    main = studio.find_project(project)
    if main is None:
        raise ClaimsetError(Errors.E310, name=project, url=studio.connection.url)
    review = studio.find_project(project + REVIEW_SUFFIX)
    out_dir.mkdir(parents=True, exist_ok=True)
    state_path = out_dir / STATE_FILE
    state = {} if full or not state_path.exists() else json.loads(state_path.read_text(encoding="utf-8"))
    if state.get("url") != studio.connection.url or state.get("project") != project:
        state = {}
    rows: dict[tuple[str, bool], list[Annotation]] = defaultdict(list)
    if state and (out_dir / "annotations.jsonl").exists():
        for a in read_annotations(out_dir / "annotations.jsonl"):
            rows[(a.claim_id, a.is_review)].append(a)
    report = PullReport(project, out_dir)
    salt = pseudonym_salt()
    marks = state.get("watermarks", {})
    new_marks = {}
    task_data: dict[str, dict] = {}  # claim_id -> task data of the annotation project
    for proj, is_review in ((main, False), (review, True)):
        if proj is None:
            continue
        key = str(proj.id)
        fetched, mark, count = _fetch(
            studio, proj.id, marks.get(key), is_review, salt, report.problems, task_data
        )
        report.tasks_fetched += count
        for claim_id, group in fetched.items():
            rows[(claim_id, is_review)] = group
        new_marks[key] = mark
    annotations = sorted(
        (a for group in rows.values() for a in group),
        key=lambda a: (a.claim_id, a.is_review, a.annotator),
    )
    settlement = settle(annotations, required=main.maximum_annotations or 1)
    report.annotations = len(annotations)
    report.verdicts = len(settlement.verdicts)
    report.disputed = len(settlement.disputed)
    report.pending = len(settlement.pending)
    report.agreement = agreement_report(annotations)
    write_jsonl(out_dir / "annotations.jsonl", (a.to_dict() for a in annotations))
    write_jsonl(out_dir / "verdicts.jsonl", (v.to_dict() for v in settlement.verdicts))
    write_json(out_dir / "agreement.json", report.agreement)
    if queue and settlement.disputed:
        report.queued = _queue_disputes(studio, project, settlement.disputed, task_data)
    state = {"url": studio.connection.url, "project": project, "watermarks": {**marks, **new_marks}}
    write_json(state_path, state)
    return report


def _queue_disputes(
    studio: Studio, project: str, disputed: dict[str, dict[str, str]], data: dict[str, dict]
) -> int:
    """Put disputed claims into the adjudication project; returns how many were newly queued."""
    tasks = []
    for claim_id, votes in sorted(disputed.items()):
        if claim_id not in data:
            continue
        said = "\n".join(f"• {who}: {label}" for who, label in sorted(votes.items()))
        tasks.append(task_from_data({**data[claim_id], "annotators_said": said}))
    if not tasks:
        return 0
    return push_tasks(tasks, project + REVIEW_SUFFIX, 1, studio, review=True).imported
