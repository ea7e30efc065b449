"""`claimset pull`: annotations since the last pull, pseudonymised; verdicts; disputes queued.

Annotators become salted pseudonyms (no name, email or user id leaves this module), evidence
spans are converted from UTF-16 units to code points and checked against the article, and
claims the annotators disagree on go to the project "NAME (adjudication)".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.errors import ClaimsetError, Errors
from builder.records import Annotation, EvidenceSpan, EvidenceUrl
from builder.runfiles import write_json, write_jsonl
from builder.studio import config as ui
from builder.studio.agreement import agreement_report, settle
from builder.studio.files import read_annotations
from builder.studio.offsets import OffsetMap
from builder.studio.push import push_tasks
from builder.studio.server import studio_home, write_secret
from builder.studio.sync import Studio
from builder.studio.tasks import task_from_data

REVIEW_SUFFIX = " (adjudication)"
STATE_FILE = "studio-pull.json"


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
