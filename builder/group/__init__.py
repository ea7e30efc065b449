"""Grouping: claims asserting the same fact, across and within articles, and their conflicts.

``group(out_dir)`` reads ``claims.jsonl`` and writes ``clusters.jsonl``, ``conflicts.jsonl`` and
``claim_groups.jsonl`` (claim_id -> cluster_id and the normalised entities, numbers and dates).
It never rewrites ``claims.jsonl``; consumers join on ``claim_id``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.group.cluster import (
    DEFAULT_THRESHOLD,
    Clusters,
    cluster_id_for,
    cluster_views,
    link_strength,
    representative,
    view_of,
)
from builder.group.conflicts import cluster_conflicts, negation_conflicts, weekday_conflicts
from builder.group.normalize import EntityIndex, build_entity_index
from builder.runfiles import read_jsonl

GROUP_FILES = ("clusters.jsonl", "conflicts.jsonl", "claim_groups.jsonl")


@dataclass
class GroupSummary:
    claims: int
    clusters: int
    multi_article_clusters: int
    conflicts: int
    hashes: dict[str, str]


REQUIRED = ("claim_id", "text", "article_id", "char_start", "entities", "numbers", "dates")
GROUPING_FIELDS = (*REQUIRED, "checkworthy")  # all that grouping reads of a claim, with its source's date


def read_claims(path: Path, slim: bool = False) -> list[dict]:
    """claims.jsonl rows; a missing file or a bad line is a one-line error naming it.

    ``slim`` keeps only what grouping reads (about half the memory of whole rows)."""
    return list(iter_claims(path, slim))


def iter_claims(path: Path, slim: bool = False) -> Iterator[dict]:
    """claims.jsonl rows one at a time (see ``read_claims``)."""
    if not path.is_file():
        raise ClaimsetError(Errors.E501, path=path)
    for n, row in enumerate(read_jsonl(path, Errors.E502), 1):
        missing = [k for k in REQUIRED if k not in row]
        if missing:
            raise ClaimsetError(Errors.E502, path=path, line=n, detail=f"missing {', '.join(missing)}")
        if slim:
            published = (row.get("source") or {}).get("published")
            row = {**{k: row[k] for k in GROUPING_FIELDS if k in row}, "source": {"published": published}}
        yield row


def group_claims(
    claims: Iterable[dict], threshold: float = DEFAULT_THRESHOLD, mentions: Counter | None = None
) -> tuple[list[dict], list[dict], list[dict]]:
    """Cluster claim rows; return (clusters, conflicts, claim_groups) records, deterministically.

    ``mentions`` counts the entity mention texts of all the claims; given, ``claims`` may be
    a stream read once (each row becomes its compact view and is dropped)."""
    clusters, conflicts, claim_rows = _group(claims, threshold, mentions)
    return clusters, conflicts, list(claim_rows)


def _group(
    claims: Iterable[dict], threshold: float, mentions: Counter | None
) -> tuple[list[dict], list[dict], Iterator[dict]]:
    if mentions is None:
        claims = list(claims)
        mentions = Counter(m["text"] for c in claims for m in c["entities"])
    index = build_entity_index(mentions)
    views = sorted((view_of(c, index) for c in claims), key=lambda v: v.claim_id)
    clusters = cluster_views(views, threshold)
    cluster_of = {}
    for group in clusters.members:
        cid = cluster_id_for(views[group[0]])
        for i in group:
            cluster_of[views[i].claim_id] = cid
    conflicts = cluster_conflicts(clusters)
    for v in views:
        conflicts.extend(weekday_conflicts(v, cluster_of[v.claim_id]))
    conflicts.extend(negation_conflicts(views, cluster_of))
    conflicts.sort(key=lambda c: (c["cluster_id"] or "", c["attribute"], c["conflict_id"]))
    by_cluster: dict[str, list[str]] = {}
    for c in conflicts:
        by_cluster.setdefault(c["cluster_id"] or "", []).append(c["conflict_id"])
    strength = link_strength(clusters.edges)
    cluster_rows = [_cluster_record(clusters, g, index, by_cluster, strength) for g in clusters.members]
    cluster_rows.sort(key=lambda r: (-len(r["article_ids"]), -r["size"], r["cluster_id"]))
    claim_rows = (_claim_record(v, cluster_of[v.claim_id], index) for v in views)
    return cluster_rows, conflicts, claim_rows


def _cluster_record(
    clusters: Clusters, group: list[int], index: EntityIndex, conflicts: dict, strength: Counter
) -> dict:
    views = clusters.views
    cid = cluster_id_for(views[group[0]])
    rep = views[representative(views, group, strength)]
    entities = sorted({e for i in group for e in views[i].entities})
    return {
        "cluster_id": cid,
        "representative_claim_id": rep.claim_id,
        "representative": rep.text,
        "claim_ids": sorted(views[i].claim_id for i in group),
        "article_ids": sorted({views[i].article_id for i in group}),
        "size": len(group),
        "entities": [{"canonical": e, "variants": index.variants.get(e, [])} for e in entities],
        "numbers": sorted({q.text for i in group for _, q in views[i].quantities if q.kind != "ordinal"}),
        "dates": sorted({w.value for i in group for _, w in views[i].whens}),
        "conflict_ids": sorted(conflicts.get(cid, [])),
    }


def _claim_record(view, cluster_id: str, index: EntityIndex) -> dict:
    return {
        "claim_id": view.claim_id,
        "cluster_id": cluster_id,
        "entities": view.entities,
        "quantities": [q.to_dict() for _, q in view.quantities],
        "dates": [w.to_dict() for _, w in view.whens],
    }


def group(out_dir: Path, threshold: float = DEFAULT_THRESHOLD, update_run: bool = True) -> GroupSummary:
    """Group DIR/claims.jsonl into DIR/clusters.jsonl, conflicts.jsonl and claim_groups.jsonl.

    When DIR/run.json exists (a finished extract run) and ``update_run`` is set, its output hashes
    are brought up to date, so run.json keeps vouching for every file in DIR.
    """
    from builder.runfiles import write_jsonl, write_text

    path = out_dir / "claims.jsonl"
    mentions: Counter = Counter()
    for claim in iter_claims(path):  # a first pass counts the entity mentions...
        mentions.update(m["text"] for m in claim["entities"])
    # ...so that the second can turn each claim into its compact view as it is read
    clusters, conflicts, claim_rows = _group(iter_claims(path), threshold, mentions)
    hashes = {
        "clusters.jsonl": write_jsonl(out_dir / "clusters.jsonl", clusters),
        "conflicts.jsonl": write_jsonl(out_dir / "conflicts.jsonl", conflicts),
        "claim_groups.jsonl": write_jsonl(out_dir / "claim_groups.jsonl", claim_rows),
    }
    run_path = out_dir / "run.json"
    if update_run and run_path.is_file():
        run = json.loads(run_path.read_text(encoding="utf-8"))
        run.setdefault("outputs", {}).update(hashes)
        write_text(run_path, json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    return GroupSummary(
        claims=sum(c["size"] for c in clusters),  # each claim is in one cluster
        clusters=len(clusters),
        multi_article_clusters=sum(len(c["article_ids"]) > 1 for c in clusters),
        conflicts=len(conflicts),
        hashes=hashes,
    )
