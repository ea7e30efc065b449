"""Leakage-free splits: a story never crosses splits, and the splits reach their target sizes.

The unit of assignment is a story. With ``stories.jsonl`` in the run folder (extract writes
it: the articles of one event, ``builder.group.stories``), those are the stories, and stories
that a claim cluster joins are kept together so no cluster crosses splits either; a run folder
without it (made before stories existed) falls back to joining the articles of each claim
cluster (union-find).

Two methods. ``group`` (default) gives each unit a hash of its key (its smallest story id, or
first article id), which picks train, validation or test as the ratios cut [0, 1). Hash
buckets alone miss the target sizes when stories are large (one story of 40 articles decides a
tenth of a small corpus), so units are placed largest first, each in the split its hash picks
while that split has room for it (up to its target share of the articles), otherwise in the
split with the most room left; the many small stories placed last fill what is left. The
trade-off: a pure hash keeps every story's split from version to version whatever else is
added, but misses the sizes; this reaches the sizes (within about one small story), and keeps
a story's split across versions as long as its hash split still has room when its turn comes,
which holds for the large stories and for most small ones; the small stories placed last are
the ones a new version may move. ``time`` sorts units by their latest publication date and fills train,
then validation, then test, so the test split holds the newest stories.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from builder.unionfind import DisjointSets

SPLITS = ("train", "validation", "test")
NEAR_DUPLICATE = 90.0  # rapidfuzz ratio on normalised text, 0-100
_BLOCK_LIMIT = 500  # tokens shared by more claims than this are too common to block on


@dataclass
class SplitPlan:
    method: str
    ratios: tuple[float, float, float]
    split_of_article: dict[str, str]
    stories: int  # stories (from stories.jsonl; else the groups of articles joined by clusters)
    stories_per_split: dict[str, int] = field(default_factory=dict)
    units: int = 0  # groups assigned (stories joined by a claim cluster are one)
    source: str = "clusters"  # "stories.jsonl", or "clusters" for the fallback


@dataclass
class Unit:
    key: str  # what its hash is taken of
    articles: list[str]  # sorted
    stories: int


def stories(article_ids: Iterable[str], cluster_articles: Iterable[Iterable[str]]) -> list[list[str]]:
    """Groups of article ids that must share a split (union-find over the articles of each
    claim cluster), sorted. The fallback for run folders without stories.jsonl."""
    sets = DisjointSets(article_ids)
    for articles in cluster_articles:
        members = sorted(set(articles))
        for other in members[1:]:
            sets.union(members[0], other)
    groups = sets.groups()
    return sorted(sorted(g) for g in groups.values())


def units_of(
    article_ids: Iterable[str],
    cluster_articles: Iterable[Iterable[str]],
    story_of: dict[str, str] | None,
) -> list[Unit]:
    """The units to assign: stories (an article missing from them is a story of its own)
    joined where a claim cluster spans several; without ``story_of``, articles joined by
    clusters."""
    article_ids = list(article_ids)
    if story_of is None:
        return [Unit(g[0], g, 1) for g in stories(article_ids, cluster_articles)]
    story = {a: story_of.get(a, f"article:{a}") for a in article_ids}
    sets = DisjointSets(story.values())
    for articles in cluster_articles:
        members = sorted({story[a] for a in articles if a in story})
        for other in members[1:]:
            sets.union(members[0], other)
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id, story_id in story.items():
        groups[sets.find(story_id)].append(article_id)
    counts = {root: set(members) for root, members in sets.groups().items()}
    return sorted(
        (Unit(root, sorted(g), len(counts[root])) for root, g in groups.items()), key=lambda u: u.key
    )


def _bucket(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def plan_splits(
    published: dict[str, str | None],
    cluster_articles: Iterable[Iterable[str]],
    claims_per_article: dict[str, int],
    method: str = "group",
    ratios: tuple[float, float, float] = (0.8, 0.1, 0.1),
    story_of: dict[str, str] | None = None,
) -> SplitPlan:
    """Each article's split. ``published`` maps every article id to its publication date (or
    None), ``cluster_articles`` gives the articles of each claim cluster, ``story_of`` each
    article's story (from stories.jsonl; None: stories are the articles joined by clusters),
    and ``claims_per_article`` weighs units for the ``time`` method."""
    units = units_of(published, cluster_articles, story_of)
    bounds = (ratios[0], ratios[0] + ratios[1])

    def pick(position: float) -> int:
        return 0 if position < bounds[0] else 1 if position < bounds[1] else 2

    if method == "group":
        chosen = _fill(units, ratios, pick)
    elif method == "time":
        ordered = sorted(
            range(len(units)),
            key=lambda i: (max(published[a] or "" for a in units[i].articles), units[i].key),
        )
        sizes = [max(1, sum(claims_per_article.get(a, 0) for a in units[i].articles)) for i in ordered]
        total, done = sum(sizes), 0
        chosen = [0] * len(units)
        for index, size in zip(ordered, sizes, strict=True):
            chosen[index] = pick((done + size / 2) / total)
            done += size
    else:
        raise ValueError(f"unknown split method {method!r}; use 'group' or 'time'")
    split_of: dict[str, str] = {}
    per_split = dict.fromkeys(SPLITS, 0)
    for unit, split in zip(units, chosen, strict=True):
        split_of.update(dict.fromkeys(unit.articles, SPLITS[split]))
        per_split[SPLITS[split]] += unit.stories
    return SplitPlan(
        method,
        ratios,
        split_of,
        stories=sum(per_split.values()),
        stories_per_split=per_split,
        units=len(units),
        source="clusters" if story_of is None else "stories.jsonl",
    )


def _fill(units: list[Unit], ratios: tuple[float, float, float], pick) -> list[int]:
    """Largest units first, each into the split its hash picks while that split has room
    for it (up to its target, in articles), otherwise into the split with the most room left."""
    buckets = [_bucket(unit.key) for unit in units]
    sizes = [len(unit.articles) for unit in units]
    target = [ratio * sum(sizes) for ratio in ratios]
    fill = [0.0, 0.0, 0.0]
    chosen = [0] * len(units)
    for index in sorted(range(len(units)), key=lambda i: (-sizes[i], buckets[i], units[i].key)):
        split = pick(buckets[index])
        if fill[split] + sizes[index] > target[split]:
            split = max(range(3), key=lambda s: (target[s] - fill[s], -s))
        chosen[index] = split
        fill[split] += sizes[index]
    return chosen


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
