"""Grouping: claims asserting the same fact, across and within articles, and their conflicts.

``group(out_dir)`` reads ``claims.jsonl`` and writes ``clusters.jsonl``, ``conflicts.jsonl`` and
``claim_groups.jsonl`` (claim_id -> cluster_id and the normalised entities, numbers and dates).
It never rewrites ``claims.jsonl``; consumers join on ``claim_id``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.group.cluster import (
    ClaimView,
    Clusters,
    cluster_id_for,
    cluster_views,
    link_strength,
    representative,
    set_positions,
    similarity,
    view_of,
)
from builder.group.conflicts import (
    cluster_conflicts,
    merge_shared,
    near_figures,
    negation_conflicts,
    story_conflicts,
    weekday_conflicts,
)
from builder.group.embed import TokenStore, load_embedder
from builder.group.normalize import EntityIndex, build_entity_index
from builder.group.pairs import load_pair_model
from builder.records import Claim, Run, Story
from builder.runfiles import read_record, read_records

EMBED_BATCH = 512
GROUP_FILES = ("clusters.jsonl", "conflicts.jsonl", "claim_groups.jsonl")


@dataclass
class GroupSummary:
    claims: int
    clusters: int
    multi_article_clusters: int
    conflicts: int
    hashes: dict[str, str]


REQUIRED = ("claim_id", "text", "article_id", "char_start", "entities", "numbers", "dates")
# all that grouping reads of a claim, with its source's date
GROUPING_FIELDS = (*REQUIRED, "checkworthy", "sentence_index")


def read_claims(path: Path, slim: bool = False) -> list[dict]:
    """claims.jsonl rows; a missing file or a bad line is a one-line error naming it.

    ``slim`` keeps only what grouping reads (about half the memory of whole rows)."""
    return list(iter_claims(path, slim))


def iter_claims(path: Path, slim: bool = False) -> Iterator[dict]:
    """claims.jsonl rows one at a time (see ``read_claims``)."""
    if not path.is_file():
        raise ClaimsetError(Errors.E501, path=path)
    for row in read_records(path, Claim, Errors.E502):
        if slim:
            source = row.get("source") or {}
            row = {
                **{k: row[k] for k in GROUPING_FIELDS if k in row},
                "source": {
                    "published": source.get("published"),
                    "publisher": source.get("publisher"),
                    "title": source.get("title"),
                },
            }
        yield row


def group_claims(
    claims: Iterable[dict],
    threshold: float | None = None,
    mentions: Counter | None = None,
    story_of: dict[str, str] | None = None,
) -> tuple[list[dict], list[dict], list[dict]]:
    """Cluster claim rows; return (clusters, conflicts, claim_groups) records, deterministically.

    ``mentions`` counts the entity mention texts of all the claims; given, ``claims`` may be
    a stream read once (each row becomes its compact view and is dropped)."""
    clusters, conflicts, claim_rows = _group(claims, threshold, mentions, story_of)
    return clusters, conflicts, list(claim_rows)


def _views(claims: Iterable[dict], index: EntityIndex) -> list[ClaimView]:
    """Each claim's view with its sentence vector and word-piece vectors, embedded a batch at a time."""
    embedder = load_embedder()
    store = TokenStore(embedder.token_dims)  # on disk while the views live
    views: list[ClaimView] = []
    batch: list[ClaimView] = []
    sentence_indexes: list[int] = []  # for each claim's position in its article

    def flush() -> None:
        for v, encoded in zip(batch, embedder.encode_all([v.text for v in batch]), strict=True):
            v.vector = encoded.vector  # float16: half the memory
            v.tokens = store.add(encoded)
        views.extend(batch)
        batch.clear()

    for c in claims:
        batch.append(view_of(c, index))
        sentence_indexes.append(c.get("sentence_index") or 0)
        if len(batch) == EMBED_BATCH:
            flush()
    flush()
    set_positions(views, sentence_indexes)
    return sorted(views, key=lambda v: v.claim_id)


def _group(
    claims: Iterable[dict], threshold: float | None, mentions: Counter | None, story_of: dict[str, str] | None
) -> tuple[list[dict], list[dict], Iterator[dict]]:
    if mentions is None:
        claims = list(claims)
        mentions = Counter(m["text"] for c in claims for m in c["entities"])
    index = build_entity_index(mentions)
    views = _views(claims, index)
    clusters = cluster_views(views, threshold, story_of=story_of)
    cluster_of: dict[str, str] = {}  # the claim's primary cluster
    clusters_of: dict[str, list[str]] = defaultdict(list)  # every cluster whose fact it states
    for c, group in enumerate(clusters.members):
        cid = cluster_id_for(views[group[0]])
        for i in group:
            cluster_of[views[i].claim_id] = cid
        for i in clusters.all_members(c):
            clusters_of[views[i].claim_id].append(cid)
    model = load_pair_model()
    conflicts = cluster_conflicts(clusters)
    for v in views:
        conflicts.extend(weekday_conflicts(v, cluster_of[v.claim_id]))
    conflicts.extend(negation_conflicts(views, cluster_of, lambda a, b: similarity(a, b, model)))
    conflicts.extend(story_conflicts(views, story_of, cluster_of))
    conflicts.extend(near_figures(views, story_of, cluster_of))
    conflicts = sorted(
        _one_per_disagreement(merge_shared(conflicts)),
        key=lambda c: (c["cluster_id"] or "", c["attribute"], c["conflict_id"]),
    )
    by_cluster: dict[str, list[str]] = {}
    for c in conflicts:
        by_cluster.setdefault(c["cluster_id"] or "", []).append(c["conflict_id"])
    strength = link_strength(clusters.edges)
    cluster_rows = [
        _cluster_record(clusters, c, index, by_cluster, strength) for c in range(len(clusters.members))
    ]
    cluster_rows.sort(key=lambda r: (-len(r["article_ids"]), -r["size"], r["cluster_id"]))
    claim_rows = (_claim_record(v, cluster_of[v.claim_id], clusters_of[v.claim_id]) for v in views)
    return cluster_rows, conflicts, claim_rows


def _one_per_disagreement(conflicts: list[dict]) -> list[dict]:
    """The records but those whose statements (each claim with its value) another record of the
    same attribute already holds; a cluster's own records are kept first (clusters.jsonl links
    them), then those with most statements."""
    order = sorted(
        conflicts,
        key=lambda c: (
            c["cluster_id"] is None,
            -len(c["values"]),
            c["cluster_id"] or "",
            c["attribute"],
            c["conflict_id"],
        ),
    )
    # (attribute, claim_id) -> the statement sets kept that include that claim
    kept: dict[tuple[str, str], list[set[tuple[str, str]]]] = defaultdict(list)
    unique = []
    for c in order:
        stated = {(v["claim_id"], v["text"]) for v in c["values"]}
        if any(stated <= other for other in kept[(c["attribute"], c["values"][0]["claim_id"])]):
            continue  # a superset holds the first value's claim, so its list is enough to look in
        for claim_id in {claim_id for claim_id, _ in stated}:
            kept[(c["attribute"], claim_id)].append(stated)
        unique.append(c)
    return unique


def _agreed(values: list[list[str]]) -> list[str]:
    """The values stated by more than half of the members that state any (what the fact says)."""
    stating = [set(v) for v in values if v]
    counts = Counter(x for v in stating for x in v)
    return sorted(x for x, n in counts.items() if n * 2 > len(stating))


def _cluster_record(
    clusters: Clusters, c: int, index: EntityIndex, conflicts: dict, strength: Counter
) -> dict:
    views = clusters.views
    group = clusters.members[c]
    everyone = clusters.all_members(c)
    cid = cluster_id_for(views[group[0]])
    rep = views[representative(views, group, strength)]
    entities = sorted({e for i in everyone for e in views[i].entities})
    return {
        "cluster_id": cid,
        "representative_claim_id": rep.claim_id,
        "representative": rep.text,
        "claim_ids": sorted(views[i].claim_id for i in everyone),
        "also_stated_by": sorted(views[i].claim_id for i in clusters.secondary.get(c, [])),
        "article_ids": sorted({views[i].article_id for i in everyone}),
        "size": len(everyone),
        "entities": [{"canonical": e, "variants": index.variants.get(e, [])} for e in entities],
        "numbers": sorted({q.text for i in everyone for _, q in views[i].quantities if q.kind != "ordinal"}),
        "dates": sorted({w.value for i in everyone for _, w in views[i].whens}),
        "agreed": {
            "entities": _agreed([views[i].entities for i in everyone]),
            "numbers": _agreed([sorted(n.removeprefix("n:") for n in views[i].numbers) for i in everyone]),
            "dates": _agreed([sorted(views[i].dates) for i in everyone]),
        },
        "conflict_ids": sorted(conflicts.get(cid, [])),
    }


def _claim_record(view: ClaimView, cluster_id: str, cluster_ids: list[str]) -> dict:
    return {
        "claim_id": view.claim_id,
        "cluster_id": cluster_id,
        "cluster_ids": sorted(set(cluster_ids)),
        "entities": view.entities,
        "quantities": [q.to_dict() for _, q in view.quantities],
        "dates": [w.to_dict() for _, w in view.whens],
    }


def read_story_of(out_dir: Path) -> dict[str, str] | None:
    """article_id -> story_id from DIR/stories.jsonl (written by extract), or None without it."""
    path = out_dir / "stories.jsonl"
    if not path.is_file():
        return None
    return {a: row["story_id"] for row in read_records(path, Story) for a in row["article_ids"]}


def group(out_dir: Path, threshold: float | None = None, update_run: bool = True) -> GroupSummary:
    """Group DIR/claims.jsonl into DIR/clusters.jsonl, conflicts.jsonl and claim_groups.jsonl.

    When DIR/run.json exists (a finished extract run) and ``update_run`` is set, its output hashes
    are brought up to date, so run.json keeps vouching for every file in DIR.
    """
    from builder.runfiles import write_jsonl, write_text

    path = out_dir / "claims.jsonl"
    run_path = out_dir / "run.json"
    run = read_record(run_path, Run) if update_run and run_path.is_file() else None  # before writing
    mentions: Counter = Counter()
    for claim in iter_claims(path):  # a first pass counts the entity mentions...
        mentions.update(m["text"] for m in claim["entities"])
    # ...so that the second can turn each claim into its compact view as it is read
    clusters, conflicts, claim_rows = _group(iter_claims(path), threshold, mentions, read_story_of(out_dir))
    hashes = {
        "clusters.jsonl": write_jsonl(out_dir / "clusters.jsonl", clusters),
        "conflicts.jsonl": write_jsonl(out_dir / "conflicts.jsonl", conflicts),
        "claim_groups.jsonl": write_jsonl(out_dir / "claim_groups.jsonl", claim_rows),
    }
    if run is not None:
        run.setdefault("outputs", {}).update(hashes)
        write_text(run_path, json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    return GroupSummary(
        claims=sum(len(c["claim_ids"]) - len(c["also_stated_by"]) for c in clusters),  # one primary each
        clusters=len(clusters),
        multi_article_clusters=sum(len(c["article_ids"]) > 1 for c in clusters),
        conflicts=len(conflicts),
        hashes=hashes,
    )
