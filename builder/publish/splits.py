"""Leakage-free splits: a story (articles joined by shared claim clusters) never crosses splits.

Two methods. ``group`` (default) puts each story in a split by a hash of its first article id,
so a story keeps its split from one release to the next as long as it does not merge with
another. ``time`` sorts stories by their latest publication date and fills train, then
validation, then test, so the test split holds the newest stories.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

SPLITS = ("train", "validation", "test")
NEAR_DUPLICATE = 90.0  # rapidfuzz ratio on normalised text, 0-100
_BLOCK_LIMIT = 500  # tokens shared by more claims than this are too common to block on


@dataclass
class SplitPlan:
    method: str
    ratios: tuple[float, float, float]
    split_of_article: dict[str, str]
    stories: int

    def sizes(self, records: list[dict], article_of=lambda r: r["article_id"]) -> dict[str, int]:
        counts = dict.fromkeys(SPLITS, 0)
        for record in records:
            counts[self.split_of_article[article_of(record)]] += 1
        return counts


def stories(articles: list[dict], clusters: list[dict], claims: list[dict]) -> list[list[str]]:
    """Groups of article ids that must share a split (union-find over clusters), sorted."""
    parent = {a["article_id"]: a["article_id"] for a in articles}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    article_of_claim = {c["claim_id"]: c["article_id"] for c in claims}
    for cluster in clusters:
        members = sorted({article_of_claim[i] for i in cluster["claim_ids"] if i in article_of_claim})
        for other in members[1:]:
            a, b = find(members[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id in parent:
        groups[find(article_id)].append(article_id)
    return sorted(sorted(g) for g in groups.values())


def plan_splits(
    articles: list[dict],
    clusters: list[dict],
    claims: list[dict],
    method: str = "group",
    ratios: tuple[float, float, float] = (0.8, 0.1, 0.1),
) -> SplitPlan:
    groups = stories(articles, clusters, claims)
    bounds = (ratios[0], ratios[0] + ratios[1])

    def pick(position: float) -> str:
        return SPLITS[0] if position < bounds[0] else SPLITS[1] if position < bounds[1] else SPLITS[2]

    split_of: dict[str, str] = {}
    if method == "group":
        for group in groups:
            bucket = int(hashlib.sha256(group[0].encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
            split_of.update(dict.fromkeys(group, pick(bucket)))
    elif method == "time":
        published = {a["article_id"]: a["source"].get("published") or "" for a in articles}
        weight = defaultdict(int)
        for claim in claims:
            weight[claim["article_id"]] += 1
        ordered = sorted(groups, key=lambda g: (max(published[a] for a in g), g[0]))
        total = sum(max(1, sum(weight[a] for a in g)) for g in ordered)
        done = 0
        for group in ordered:
            size = max(1, sum(weight[a] for a in group))
            split_of.update(dict.fromkeys(group, pick((done + size / 2) / total)))
            done += size
    else:
        raise ValueError(f"unknown split method {method!r}; use 'group' or 'time'")
    return SplitPlan(method, ratios, split_of, len(groups))


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def find_leaks(claims: list[dict], split_of_claim: dict[str, str]) -> list[tuple[str, str, float]]:
    """Near-duplicate claim pairs that sit in different splits: (claim_id, claim_id, similarity).

    Pairs are only compared when they share one of their three longest words (blocking), so
    the check stays near-linear; near-duplicates share most words, long ones included.
    """
    normalised = {c["claim_id"]: normalise(c["text"]) for c in claims}
    blocks: dict[str, list[str]] = defaultdict(list)
    for claim_id in sorted(normalised):
        words = sorted(set(normalised[claim_id].split()), key=lambda w: (-len(w), w))[:3]
        for word in words:
            blocks[word].append(claim_id)
    leaks = {}
    for members in blocks.values():
        if len(members) < 2 or len(members) > _BLOCK_LIMIT:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if split_of_claim[a] == split_of_claim[b] or (a, b) in leaks:
                    continue
                score = fuzz.ratio(normalised[a], normalised[b])
                if score >= NEAR_DUPLICATE:
                    leaks[(a, b)] = score
    return sorted((a, b, round(s, 1)) for (a, b), s in leaks.items())
