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
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

SPLITS = ("train", "validation", "test")
NEAR_DUPLICATE = 90.0  # rapidfuzz ratio on normalised text, 0-100
_BLOCK_LIMIT = 500  # tokens shared by more claims than this are too common to block on


@dataclass
class SplitPlan:
    method: str
    ratios: tuple[float, float, float]
    split_of_article: dict[str, str]
    stories: int


def stories(article_ids: Iterable[str], cluster_articles: Iterable[Iterable[str]]) -> list[list[str]]:
    """Groups of article ids that must share a split (union-find over the articles of each
    claim cluster), sorted."""
    parent = {article_id: article_id for article_id in article_ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for articles in cluster_articles:
        members = sorted(set(articles))
        for other in members[1:]:
            a, b = find(members[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id in parent:
        groups[find(article_id)].append(article_id)
    return sorted(sorted(g) for g in groups.values())


def plan_splits(
    published: dict[str, str | None],
    cluster_articles: Iterable[Iterable[str]],
    claims_per_article: dict[str, int],
    method: str = "group",
    ratios: tuple[float, float, float] = (0.8, 0.1, 0.1),
) -> SplitPlan:
    """Each article's split. ``published`` maps every article id to its publication date (or
    None), ``cluster_articles`` gives the articles of each claim cluster, and
    ``claims_per_article`` weighs stories for the ``time`` method."""
    groups = stories(published, cluster_articles)
    bounds = (ratios[0], ratios[0] + ratios[1])

    def pick(position: float) -> str:
        return SPLITS[0] if position < bounds[0] else SPLITS[1] if position < bounds[1] else SPLITS[2]

    split_of: dict[str, str] = {}
    if method == "group":
        for group in groups:
            bucket = int(hashlib.sha256(group[0].encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
            split_of.update(dict.fromkeys(group, pick(bucket)))
    elif method == "time":
        ordered = sorted(groups, key=lambda g: (max(published[a] or "" for a in g), g[0]))
        sizes = [max(1, sum(claims_per_article.get(a, 0) for a in g)) for g in ordered]
        total, done = sum(sizes), 0
        for group, size in zip(ordered, sizes, strict=True):
            split_of.update(dict.fromkeys(group, pick((done + size / 2) / total)))
            done += size
    else:
        raise ValueError(f"unknown split method {method!r}; use 'group' or 'time'")
    return SplitPlan(method, ratios, split_of, len(groups))


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def find_leaks(claim_ids: list[str], texts: list[str], splits: list[str]) -> list[tuple[str, str, float]]:
    """Near-duplicate claim pairs that sit in different splits: (claim_id, claim_id, similarity).

    ``texts`` are the claims' ``normalise``d texts and ``splits`` their splits, both in the
    order of ``claim_ids``. Pairs are only compared when they share one of their three longest
    words (blocking), so the check stays near-linear; near-duplicates share most words, long
    ones included.
    """
    order = sorted(range(len(claim_ids)), key=claim_ids.__getitem__)  # rank -> index
    blocks: dict[str, list[int]] = defaultdict(list)
    for rank, index in enumerate(order):
        # longest first, ties in alphabetical order (a stable sort keeps it)
        for word in sorted(sorted(set(texts[index].split())), key=len, reverse=True)[:3]:
            blocks[word].append(rank)
    leaks = {}
    for members in blocks.values():
        if len(members) < 2 or len(members) > _BLOCK_LIMIT:
            continue
        by_split: dict[str, list[int]] = defaultdict(list)
        for rank in members:
            by_split[splits[order[rank]]].append(rank)
        groups = list(by_split.values())
        for i, group in enumerate(groups):  # only pairs across splits can leak
            for other in groups[i + 1 :]:
                near = process.cdist(
                    [texts[order[a]] for a in group],
                    [texts[order[b]] for b in other],
                    scorer=fuzz.ratio,
                    score_cutoff=NEAR_DUPLICATE,
                )
                for x, y in zip(*near.nonzero(), strict=True):
                    a, b = group[x], other[y]
                    score = fuzz.ratio(texts[order[a]], texts[order[b]])  # the exact float64 score
                    if score >= NEAR_DUPLICATE:
                        leaks[(a, b) if a < b else (b, a)] = score
    return sorted((claim_ids[order[a]], claim_ids[order[b]], round(s, 1)) for (a, b), s in leaks.items())
