"""Label Studio tasks from a run folder: one per claim (keyed by claim_id) or one per fact.

Task data carries everything the annotator sees (the claim in its paragraph, the article as
plain text, labelled provenance, other wordings from clusters.jsonl, conflicts from
conflicts.jsonl in plain words). The check-worthiness score stays in the task's ``meta``,
which annotators never see; there is no prediction.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from builder.errors import ClaimsetError, Errors
from builder.records import Article, Claim, Cluster, Conflict, dumps, short_id
from builder.studio.files import read_jsonl


def _require(path: Path) -> Path:
    if not path.exists():
        raise ClaimsetError(Errors.E204, path=path)
    return path


def claims_and_articles(folder: Path) -> tuple[list[dict], dict[str, str]]:
    _require(folder / "run.json")  # written last: without it the extract run did not finish
    articles_path, claims_path = _require(folder / "articles.jsonl"), _require(folder / "claims.jsonl")
    articles = {}
    for number, a in enumerate(read_jsonl(articles_path, Article), 1):
        if not isinstance(a.get("article_id"), str) or not isinstance(a.get("text"), str):
            raise ClaimsetError(
                Errors.E312, path=articles_path, line=number, detail="needs article_id and text"
            )
        articles[a["article_id"]] = a["text"]
    claims = []
    for number, c in enumerate(read_jsonl(claims_path, Claim), 1):
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


def provenance_html(source: dict) -> str:
    """The source, each field labelled, the URL as a link (escaped HTML: no text of the article's)."""
    rows = [
        ("Outlet", source.get("publisher")),
        ("Title", source.get("title")),
        ("Author", source.get("author")),
        ("Published", source.get("published")),
    ]
    html = [f"<b>{label}:</b> {escape(str(value))}" for label, value in rows if value]
    url = source.get("url") or ""
    if url.startswith(("https://", "http://")):
        link = escape(url, quote=True)
        html.append(f'<b>Link:</b> <a href="{link}" target="_blank" rel="noopener noreferrer">{link}</a>')
    elif url:
        html.append(f"<b>URL:</b> {escape(url)}")
    elif source.get("path"):
        html.append(f"<b>File:</b> {escape(str(source['path']))}")
    return "<br/>".join(html) or "(no source recorded)"


def context_html(article: str, start: int, end: int) -> str:
    """The claim's paragraph (claim marked) with the paragraphs before and after it, as escaped HTML."""
    para_start = article.rfind("\n", 0, start) + 1
    para_end = article.find("\n", end)
    para_end = len(article) if para_end < 0 else para_end
    before = [p for p in article[:para_start].split("\n") if p.strip()][-1:]
    after = [p for p in article[para_end:].split("\n") if p.strip()][:1]
    marked = (
        escape(article[para_start:start])
        + f'<mark style="background:#fff59d">{escape(article[start:end])}</mark>'
        + escape(article[end:para_end])
    )
    paragraphs = [escape(p) for p in before] + [marked] + [escape(p) for p in after]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def outlet(claim: dict) -> str:
    source = claim.get("source") or {}
    return str(source.get("publisher") or source.get("title") or source.get("path") or claim["article_id"])


def groups(folder: Path, claims: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Other wordings (clusters.jsonl) and conflicts (conflicts.jsonl), as text per claim_id."""
    by_id = {c["claim_id"]: c for c in claims}
    wordings: dict[str, list[str]] = defaultdict(list)
    if (folder / "clusters.jsonl").exists():
        # a claim stating several facts is in several clusters: the wordings of each, by outlet
        for cluster in read_jsonl(folder / "clusters.jsonl", Cluster):
            members = [by_id[i] for i in cluster.get("claim_ids", []) if i in by_id]
            for claim in members:
                for m in members:
                    if m["article_id"] == claim["article_id"]:
                        continue
                    line = f"• {outlet(m)}: {m['text']}"
                    if line not in wordings[claim["claim_id"]]:
                        wordings[claim["claim_id"]].append(line)
    conflicts: dict[str, list[str]] = defaultdict(list)
    if (folder / "conflicts.jsonl").exists():
        for conflict in read_jsonl(folder / "conflicts.jsonl", Conflict):
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
    """One Label Studio task for one claim (no prediction: annotators never see the model's score)."""
    source = claim.get("source") or {}
    data = {
        "claim": claim["text"],
        "context": context_html(article, claim["char_start"], claim["char_end"]),
        "article": article,
        "provenance": provenance_html(source),  # not "source": Label Studio shows the raw task for $source
        "other_wordings": wordings or "(none found)",
        "conflicts": conflicts or "(none found)",
        "annotators_said": said,
        "members": "",
        # columns for the Data Manager (sort, filter); never the check-worthiness score
        "claim_id": claim["claim_id"],
        "publisher": source.get("publisher"),
        "published": source.get("published"),
        "url": source.get("url"),
    }
    meta = {"claim_id": claim["claim_id"], "checkworthy": claim.get("checkworthy")}
    return task_from_data(data, meta)


def build_cluster_task(
    cluster: dict, members: list[dict], articles: dict[str, str], conflicts: dict[str, str]
) -> dict:
    """One task for one fact: the representative claim in its article, every outlet's wording."""
    first = next((m for m in members if m["claim_id"] == cluster.get("representative_claim_id")), members[0])
    members = [first, *(m for m in members if m is not first)]
    article = articles[first["article_id"]]
    source = first.get("source") or {}
    lines = [f"{i}. {outlet(m)}: {' '.join(m['text'].split())}" for i, m in enumerate(members, 1)]
    shown: list[str] = []
    for m in members:
        for line in conflicts.get(m["claim_id"], "").splitlines():
            if line not in shown:
                shown.append(line)
    data = {
        "claim": first["text"],
        "context": context_html(article, first["char_start"], first["char_end"]),
        "article": article,
        "provenance": provenance_html(source),
        "other_wordings": "",
        "conflicts": "\n".join(shown) or "(none found)",
        "annotators_said": "",
        "members": "\n".join(lines),
        "cluster_id": cluster["cluster_id"],
        "claim_id": first["claim_id"],
        "publisher": source.get("publisher"),
        "published": source.get("published"),
        "url": source.get("url"),
    }
    meta = {
        "key": f"cluster:{cluster['cluster_id']}",
        "cluster_id": cluster["cluster_id"],
        "claim_ids": [m["claim_id"] for m in members],  # in the order of the lines of "members"
        "checkworthy": max((m.get("checkworthy") or 0.0) for m in members),
    }
    return task_from_data(data, meta)


def task_key(meta: dict) -> str | None:
    """What a task is for: ``cluster:ID`` for a fact's task, else its claim_id."""
    return meta.get("key") or meta.get("claim_id")


def task_from_data(data: dict, meta: dict | None = None) -> dict:
    """The task (meta with its key and a hash of what annotators see) for prepared task data."""
    meta = dict(meta or {"claim_id": data["claim_id"]})
    meta["hash"] = short_id("task", dumps(data), dumps(meta))
    return {"data": data, "meta": meta}
