"""`claimset pull`: annotations since the last pull, pseudonymised; verdicts; disputes queued.

Annotators become salted pseudonyms (no name, email or user id leaves this module), evidence
spans are converted from UTF-16 units to code points and checked against the article, and
claims the annotators disagree on go to the project "NAME (adjudication)".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder.errors import ClaimsetError, Errors
from builder.records import Annotation, EvidenceSpan, EvidenceUrl, PullState
from builder.runfiles import read_record, write_json, write_jsonl
from builder.studio import config as ui
from builder.studio.agreement import agreement_report, settle
from builder.studio.files import read_annotations, read_jsonl
from builder.studio.offsets import OffsetMap
from builder.studio.people import ANNOTATOR_SEPARATOR, pseudonym, pseudonym_salt  # noqa: F401
from builder.studio.push import push_tasks
from builder.studio.sync import Studio
from builder.studio.tasks import task_from_data

REVIEW_SUFFIX = " (adjudication)"
STATE_FILE = "studio-pull.json"


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
        elif name in (ui.RATIONALE, ui.RATIONALE_REQUIRED):
            rationale = "\n".join(value.get("text") or []).strip() or rationale
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


def member_verdicts(raw: Any, members_text: str, claim_ids: list[str]) -> dict[str, str]:
    """claim_id -> verdict for the members of a fact's task that the annotator marked as differing."""
    offsets = OffsetMap(members_text)
    starts, position = [], 0
    for line in members_text.split("\n"):
        starts.append(position)
        position += len(line) + 1
    marked = {}
    for item in _field(raw, "result") or []:
        value = item.get("value") or {}
        if item.get("from_name") != ui.MEMBER_VERDICTS or "start" not in value:
            continue
        verdicts = [v for v in map(ui.member_verdict, value.get("labels") or []) if v]
        try:
            start = offsets.from_utf16(value["start"])
        except (TypeError, ValueError):
            continue
        line = max(i for i, s in enumerate(starts) if s <= start) if starts else 0
        if verdicts and line < len(claim_ids):
            marked[claim_ids[line]] = verdicts[0]
    return marked


def expand(
    task: Any, raw: Any, annotator: str, is_review: bool, problems: list[str], articles: dict[str, str]
) -> list[Annotation]:
    """The annotations one piece of Label Studio work gives: one claim, or every member of a fact.

    A fact's verdict applies to each member unless the annotator marked that member with its own;
    evidence spans belong to the claims of the article shown, and every row records the fact's
    task it came from (``cluster_id``).
    """
    meta = task.meta or {}
    data = task.data
    if not meta.get("cluster_id"):
        return [parse_annotation(raw, meta["claim_id"], data["article"], annotator, is_review, problems)]
    shown = parse_annotation(raw, data["claim_id"], data["article"], annotator, is_review, problems)
    own = member_verdicts(raw, data.get("members") or "", meta.get("claim_ids") or [])
    rows = []
    for claim_id in meta.get("claim_ids") or []:
        same_article = articles.get(claim_id) == articles.get(data["claim_id"])
        row = replace(
            shown,
            claim_id=claim_id,
            evidence_spans=shown.evidence_spans if same_article or claim_id == data["claim_id"] else [],
            cluster_id=meta["cluster_id"],
        )
        if shown.status == "submitted" and claim_id in own:
            row = replace(row, verdict=own[claim_id])
        rows.append(row)
    return rows


def _fetch(
    studio: Studio,
    project_id: int,
    since: str | None,
    is_review: bool,
    salt: bytes,
    problems: list[str],
    task_data: dict[str, dict],
    articles: dict[str, str],
) -> tuple[dict[str, list[Annotation]], str | None, int]:
    """Annotations per claim of the tasks updated since ``since``, the new watermark, task count."""
    tasks = studio.tasks_with_annotations(project_id, since)
    emails: dict[int, str] | None = None
    fetched: dict[str, list[Annotation]] = defaultdict(list)
    watermark = since
    for task in tasks:
        meta = task.meta or {}
        updated = _iso(task.updated_at)
        watermark = max(watermark or updated, updated)
        claim_ids = meta.get("claim_ids") or ([meta["claim_id"]] if meta.get("claim_id") else [])
        if not claim_ids:
            continue
        if not is_review:
            lines = (task.data.get("members") or "").split("\n")
            for claim_id, line in zip(claim_ids, lines, strict=False):  # a fact's task: each wording
                task_data[claim_id] = {**task.data, "claim": line.partition(". ")[2] or task.data["claim"]}
            if not meta.get("cluster_id"):
                task_data[claim_ids[0]] = task.data
        for claim_id in claim_ids:
            fetched.setdefault(claim_id, [])
        for raw in task.annotations or []:
            who = _field(raw, "completed_by")
            identity = _field(who, "email") if who is not None and not isinstance(who, int) else None
            if identity is None:
                emails = emails if emails is not None else studio.user_emails()
                identity = emails.get(who, str(who))
            annotator = pseudonym(identity, salt)
            for row in expand(task, raw, annotator, is_review, problems, articles):
                fetched[row.claim_id].append(row)
    return dict(fetched), watermark, len(tasks)


def labelling_projects(studio: Studio, project: str) -> tuple[list[Any], bool]:
    """The projects annotators label for ``project``: their own ones (blind), else the shared one."""
    own = [
        p
        for p in studio.projects_titled(project)
        if p.title.startswith(project + ANNOTATOR_SEPARATOR + "annotator-")
    ]
    if own:
        return sorted(own, key=lambda p: p.id), True
    shared = studio.find_project(project)
    return ([shared] if shared else []), False


def pull(
    project: str, out_dir: Path, studio: Studio | None = None, full: bool = False, queue: bool = True
) -> PullReport:
    """Fetch annotations since the last pull into ``out_dir``; settle verdicts; queue disputes.

    The annotators' own projects (``NAME · annotator-…``, blind labelling) are merged by claim_id;
    without them the shared project ``NAME`` is read.
    """
    studio = studio or Studio()
    projects, blind = labelling_projects(studio, project)
    if not projects:
        raise ClaimsetError(Errors.E310, name=project, url=studio.connection.url)
    review = studio.find_project(project + REVIEW_SUFFIX)
    out_dir.mkdir(parents=True, exist_ok=True)
    state_path = out_dir / STATE_FILE
    state = {} if full or not state_path.exists() else read_record(state_path, PullState)
    if state.get("url") != studio.connection.url or state.get("project") != project:
        state = {}
    rows: dict[tuple[str, bool], list[Annotation]] = defaultdict(list)
    if state and (out_dir / "annotations.jsonl").exists():
        for a in read_annotations(out_dir / "annotations.jsonl"):
            rows[(a.claim_id, a.is_review)].append(a)
    report = PullReport(project, out_dir)
    salt = pseudonym_salt()
    claims = _run_claims(out_dir)
    articles = {claim_id: c.get("article_id") for claim_id, c in claims.items()}
    marks = state.get("watermarks", {})
    new_marks = {}
    task_data: dict[str, dict] = {}  # claim_id -> task data of the annotation project
    for proj, is_review in [*((p, False) for p in projects), (review, True)]:
        if proj is None:
            continue
        key = str(proj.id)
        fetched, mark, count = _fetch(
            studio, proj.id, marks.get(key), is_review, salt, report.problems, task_data, articles
        )
        report.tasks_fetched += count
        owner = proj.title.rsplit(ANNOTATOR_SEPARATOR, 1)[-1] if blind and not is_review else None
        for claim_id, group in fetched.items():
            if owner is None:
                rows[(claim_id, is_review)] = group
            else:  # one annotator's project: replace only what came from it
                came = {owner, *(a.annotator for a in group)}
                kept = [a for a in rows[(claim_id, is_review)] if a.annotator not in came]
                rows[(claim_id, is_review)] = kept + group
        new_marks[key] = mark
    annotations = sorted(
        (a for group in rows.values() for a in group),
        key=lambda a: (a.claim_id, a.is_review, a.annotator),
    )
    required = len(projects) if blind else (projects[0].maximum_annotations or 1)
    settlement = settle(annotations, required=required)
    report.annotations = len(annotations)
    report.verdicts = len(settlement.verdicts)
    report.disputed = len(settlement.disputed)
    report.pending = len(settlement.pending)
    report.agreement = agreement_report(annotations)
    write_jsonl(out_dir / "annotations.jsonl", (a.to_dict() for a in annotations))
    write_jsonl(out_dir / "verdicts.jsonl", (v.to_dict() for v in settlement.verdicts))
    write_json(out_dir / "agreement.json", report.agreement)
    if queue and settlement.disputed:
        report.queued = _queue_disputes(studio, project, settlement.disputed, task_data, annotations, claims)
    state = {"url": studio.connection.url, "project": project, "watermarks": {**marks, **new_marks}}
    write_json(state_path, state)
    return report


def _run_claims(folder: Path) -> dict[str, dict]:
    """claim_id -> claim, from the run folder's claims.jsonl when it is there."""
    path = folder / "claims.jsonl"
    if not path.exists():
        return {}
    return {c["claim_id"]: c for c in read_jsonl(path) if "claim_id" in c}


def said(annotations: list[Annotation]) -> str:
    """What each annotator said about one claim: verdict, confidence, rationale and evidence."""
    blocks = []
    for a in sorted(annotations, key=lambda a: a.annotator):
        lines = [f"• {a.annotator}: {a.verdict} (confidence {a.confidence or '-'} of {ui.MAX_CONFIDENCE})"]
        lines.append(f"  rationale: {a.rationale or '(none)'}")
        lines += [f"  evidence in the article: “{s.text}”" for s in a.evidence_spans]
        lines += [f"  evidence elsewhere: {u.url} {u.quote}".rstrip() for u in a.evidence_urls]
        if a.cluster_id:
            lines.append("  (given on the task of the whole fact)")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _queue_disputes(
    studio: Studio,
    project: str,
    disputed: dict[str, dict[str, str]],
    data: dict[str, dict],
    annotations: list[Annotation],
    claims: dict[str, dict] | None = None,
) -> int:
    """Put disputed claims into the adjudication project; returns how many were newly queued.

    A claim from a fact's task is shown with its own wording, the fact's wordings beside it.
    """
    votes: dict[str, list[Annotation]] = defaultdict(list)
    for a in annotations:
        if a.claim_id in disputed and a.status == "submitted" and not a.is_review and a.verdict:
            votes[a.claim_id].append(a)
    tasks = []
    for claim_id in sorted(disputed):
        if claim_id not in data:
            continue
        shown = {
            **data[claim_id],
            "annotators_said": said(votes[claim_id]),
            "members": "",
            "claim_id": claim_id,
        }
        if data[claim_id].get("cluster_id"):
            shown["other_wordings"] = data[claim_id]["members"]
            shown["claim"] = (claims or {}).get(claim_id, {}).get("text") or shown["claim"]
        shown.pop("cluster_id", None)
        tasks.append(task_from_data(shown, {"claim_id": claim_id}))
    if not tasks:
        return 0
    return push_tasks(tasks, project + REVIEW_SUFFIX, 1, studio, review=True).imported
