"""Label Studio tasks from a run folder: one per claim, keyed by claim_id, claim highlighted.

Task data carries everything the annotator sees (claim, article as plain text, provenance,
other wordings from clusters.jsonl, conflicts from conflicts.jsonl); the check-worthiness score
and the claim's highlight ride along as a prediction, never as an annotation.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from builder.errors import ClaimsetError, Errors
from builder.records import dumps, short_id
from builder.studio import config as ui
from builder.studio.files import read_jsonl
from builder.studio.offsets import OffsetMap

MODEL_VERSION = "claimset-checkworthy"


def _require(path: Path) -> Path:
    if not path.exists():
        raise ClaimsetError(Errors.E204, path=path)
    return path


def claims_and_articles(folder: Path) -> tuple[list[dict], dict[str, str]]:
    _require(folder / "run.json")  # written last: without it the extract run did not finish
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


def _source_line(source: dict) -> str:
    parts = [source.get("publisher"), source.get("title"), source.get("published"), source.get("author")]
    line = " · ".join(str(p) for p in parts if p) or "(no publisher or date)"
    link = source.get("url") or source.get("path") or ""
    return f"{line}\n{link}".strip()


def groups(folder: Path, claims: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Other wordings (clusters.jsonl) and conflicts (conflicts.jsonl), as text per claim_id."""
    by_id = {c["claim_id"]: c for c in claims}
    wordings: dict[str, list[str]] = defaultdict(list)
    if (folder / "clusters.jsonl").exists():
        # a claim stating several facts is in several clusters: the wordings of each, by outlet
        for cluster in read_jsonl(folder / "clusters.jsonl"):
            members = [by_id[i] for i in cluster.get("claim_ids", []) if i in by_id]
            for claim in members:
                for m in members:
                    if m["article_id"] == claim["article_id"]:
                        continue
                    outlet = (
                        m["source"].get("publisher") or m["source"].get("title") or m["source"].get("path")
                    )
                    line = f"• {outlet}: {m['text']}"
                    if line not in wordings[claim["claim_id"]]:
                        wordings[claim["claim_id"]].append(line)
    conflicts: dict[str, list[str]] = defaultdict(list)
    if (folder / "conflicts.jsonl").exists():
        for conflict in read_jsonl(folder / "conflicts.jsonl"):
            shown = conflict.get("summary") or "; ".join(
                _conflict_value(v) for v in conflict.get("values") or []
            )
            line = f"• {shown}"
            if conflict.get("reason"):
                line += f" ({conflict['reason']})"
            for claim_id in conflict.get("claim_ids", []):
                conflicts[claim_id].append(line)
    return {k: "\n".join(v) for k, v in wordings.items()}, {k: "\n".join(v) for k, v in conflicts.items()}


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
