"""Claims that assert the same fact, grouped: weighted term overlap with blocking, then components.

Each claim becomes a bag of terms: content words (stemmed, with news synonyms merged), canonical
entities, numbers (a "157 each" also counts as its total) and dates. Two claims are linked when
the weighted similarity of their bags reaches ``threshold``; clusters are the connected
components. Candidate pairs come from an inverted index over discriminative terms, so the work
grows with the number of claims, not its square. Every step is order-independent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from wordfreq import zipf_frequency

from builder.group.normalize import EntityIndex, Quantity, When, parse_published, parse_quantity, parse_when
from builder.records import short_id

DEFAULT_THRESHOLD = 0.5
LINK_FLOOR = 0.5  # pairs scoring below threshold * LINK_FLOOR count as unrelated in averages
LINK_AVERAGE = 0.6  # two groups merge when their mean pair score reaches threshold * LINK_AVERAGE
LINK_SAMPLE = 60  # members of each group compared when merging (earliest first)
MAX_POSTING = 400
ANCHOR_WEIGHT = 6.0  # a shared number at least this telling (not a year, not a small count)...
ANCHORED_SCORE = 0.55  # ...with a shared telling word lifts a pair to this score  # terms in more claims than this are too common to propose candidates

SYNONYMS = {
    "swap": "exchange",
    "swapped": "exchange",
    "swapping": "exchange",
    "swaps": "exchange",
    "exchanged": "exchange",
    "exchanges": "exchange",
    "pows": "prisoner",
    "pow": "prisoner",
    "captives": "prisoner",
    "detainees": "prisoner",
    "negotiations": "talk",
    "negotiation": "talk",
    "discussions": "talk",
    "talks": "talk",
    "envoy": "envoy",
    "ambassador": "envoy",
    "mediator": "envoy",
    "killed": "kill",
    "died": "kill",
    "dead": "kill",
    "deaths": "kill",
    "demanding": "demand",
    "demands": "demand",
    "insists": "demand",
    "wants": "demand",
    "cede": "cede",
    "withdraw": "cede",
    "surrender": "cede",
    "rose": "rise",
    "risen": "rise",
    "increased": "rise",
    "fell": "fall",
    "dropped": "fall",
    "declined": "fall",
    "bought": "buy",
    "purchased": "buy",
    "acquired": "buy",
}
GENERIC = {
    "say",
    "said",
    "tell",
    "told",
    "report",
    "accord",
    "also",
    "year",
    "new",
    "time",
    "including",
    "mr",
    "mrs",
    "ms",
    "week",
    "day",
    "month",
    "people",
    "way",
    "make",
    "like",
}
WEIGHTS = {"e": 2.0, "n": 2.0, "d": 1.5, "w": 1.0}
GENERIC_WEIGHT = 0.3
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


def stem(word: str) -> str:
    w = word.lower().replace("’", "'").removesuffix("'s")
    if w in SYNONYMS:
        return SYNONYMS[w]
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 6),
        ("s", "", 4),
    ):
        if w.endswith(suffix) and len(w) >= min_len and not w.endswith("ss"):
            w = w[: -len(suffix)] + repl
            break
    return SYNONYMS.get(w, w)


@dataclass
class ClaimView:
    """What grouping knows of one claim."""

    claim_id: str
    article_id: str
    text: str
    checkworthy: float
    published: date | None
    entities: list[str]  # canonical keys
    quantities: list[tuple[int, Quantity]]  # (offset in claim text, quantity)
    whens: list[tuple[int, When]]
    terms: dict[str, float] = field(default_factory=dict)
    weight: float = 0.0

    @property
    def order_key(self) -> tuple[str, str]:
        return (self.published.isoformat() if self.published else "9999-99-99", self.claim_id)


def view_of(claim: dict, index: EntityIndex) -> ClaimView:
    """Normalise one claim (a claims.jsonl row) into its bag of weighted terms."""
    text = claim["text"]
    base = claim["char_start"]
    published = parse_published((claim.get("source") or {}).get("published"))
    entities = sorted({index.canon(m["text"]) for m in claim["entities"]} - {""})
    quantities = []
    for m in claim["numbers"]:
        start, end = m["char_start"] - base, m["char_end"] - base
        q = parse_quantity(m["text"], text[end : end + 40])
        if q is not None:
            quantities.append((start, q))
    whens = []
    for m in claim["dates"]:
        w = parse_when(m["text"], published)
        if w is not None:
            whens.append((m["char_start"] - base, w))
    terms: dict[str, float] = {}
    masked = text
    for m in claim["entities"]:
        start, end = m["char_start"] - base, m["char_end"] - base
        masked = masked[:start] + " " * (end - start) + masked[end:]
    for word in _WORD.findall(masked):
        if word.lower() in STOP_WORDS or len(word) < 2:
            continue
        s = stem(word)
        if s in STOP_WORDS:
            continue
        weight = (GENERIC_WEIGHT if s in GENERIC else WEIGHTS["w"]) * rarity("w:" + word.lower())
        terms["w:" + s] = max(terms.get("w:" + s, 0.0), weight)
    for key in entities:
        terms["e:" + key] = WEIGHTS["e"] * rarity("e:" + key)
    for _, q in quantities:
        if q.kind == "ordinal":
            continue
        # small numbers ("two sides", "three regions") rarely identify a fact; 314 does
        weight = WEIGHTS["n"] * (3.0 if q.value >= 20 or q.kind != "count" else 1.0)
        terms[f"n:{q.value:g}"] = weight
        if q.each:
            terms[f"n:{q.value * 2:g}"] = weight
    for _, w in whens:
        if w.kind == "date":
            terms["d:" + w.value] = WEIGHTS["d"] * 3.0
    view = ClaimView(
        claim["claim_id"],
        claim["article_id"],
        text,
        float(claim.get("checkworthy") or 0.0),
        published,
        entities,
        quantities,
        whens,
        terms,
    )
    view.weight = sum(terms.values())
    return view


def rarity(term: str) -> float:
    """How telling a term is, from its frequency in general English (wordfreq), not in this run.

    A fixed reference keeps a claim's weights independent of the other articles in the run, so
    adding an unrelated article cannot move existing claims between clusters.
    """
    kind, _, body = term.partition(":")
    if kind in ("n", "d", "s"):
        return 3.0
    words = body.split()
    zipf = min(_zipf(w) for w in words) if words else 0.0
    return min(4.0, max(1.0, 7.5 - zipf))


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def similarity(a: ClaimView, b: ClaimView) -> float:
    """Mean of the weighted overlap coefficient and the weighted Dice coefficient."""
    if not a.weight or not b.weight:
        return 0.0
    small, large = (a.terms, b.terms) if len(a.terms) <= len(b.terms) else (b.terms, a.terms)
    shared = sum(w for t, w in small.items() if t in large)
    overlap = shared / min(a.weight, b.weight)
    dice = 2 * shared / (a.weight + b.weight)
    score = (overlap + dice) / 2
    # the same telling number (55,000; 314 or 157 each) about the same thing is one fact
    anchors = [t for t, w in small.items() if t in large and t.startswith("n:") and w >= ANCHOR_WEIGHT]
    if anchors and any(t in large and t[0] in "we" and w >= 2.0 for t, w in small.items()):
        score = max(score, ANCHORED_SCORE)
    return score


def candidate_pairs(views: list[ClaimView], max_posting: int = MAX_POSTING) -> set[tuple[int, int]]:
    """Pairs of claims sharing at least two discriminative terms (blocking)."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(views):
        for t, w in v.terms.items():
            if w >= 1.0:
                postings[t].append(i)
    pairs: set[tuple[int, int]] = set()
    for i, v in enumerate(views):
        counts: Counter[int] = Counter()
        for t, w in v.terms.items():
            if w < 1.0:
                continue
            plist = postings[t]
            if len(plist) > max_posting:
                continue
            counts.update(j for j in plist if j > i)
        pairs.update((i, j) for j, n in counts.items() if n >= 2)
    return pairs


@dataclass
class Clusters:
    views: list[ClaimView]
    members: list[list[int]]  # indexes into views, per cluster, sorted by order_key
    edges: dict[tuple[int, int], float]  # linked pairs and their similarity


def cluster_views(views: list[ClaimView], threshold: float = DEFAULT_THRESHOLD) -> Clusters:
    """Connected components of the similarity graph (edges at or above ``threshold``)."""
    parent = list(range(len(views)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: dict[tuple[int, int], float] = {}
    # identical texts are linked without scoring them pairwise (replicated wire copy)
    by_text: dict[str, int] = {}
    for i, v in enumerate(views):
        j = by_text.setdefault(v.text, i)
        if j != i:
            edges[(j, i)] = 1.0
            parent[find(i)] = find(j)
    unique = [i for i, v in enumerate(views) if by_text[v.text] == i]
    sub = [views[i] for i in unique]
    scored: dict[tuple[int, int], float] = {}
    for a, b in candidate_pairs(sub):
        s = similarity(sub[a], sub[b])
        if s >= threshold * LINK_FLOOR:
            scored[(unique[a], unique[b])] = s
    # average linkage over the scored pairs, strongest links first: a claim that touches two
    # facts does not chain them together unless the two groups are close on average
    inside: dict[int, list[int]] = {i: [i] for i in unique}
    for (i, j), s in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0])):
        if s < threshold:
            break
        ri, rj = find(i), find(j)
        if ri == rj:
            edges[(i, j)] = s
            continue
        a, b = inside[ri][:LINK_SAMPLE], inside[rj][:LINK_SAMPLE]
        total = sum(scored.get((x, y), scored.get((y, x), 0.0)) for x in a for y in b)
        if total / (len(a) * len(b)) >= threshold * LINK_AVERAGE:
            edges[(i, j)] = s
            root, other = min(ri, rj), max(ri, rj)
            parent[other] = root
            inside[root] = sorted(inside[root] + inside.pop(other))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(views)):
        groups[find(i)].append(i)
    members = [sorted(g, key=lambda i: views[i].order_key) for g in groups.values()]
    members.sort(key=lambda g: views[g[0]].order_key)
    return Clusters(views, members, edges)


def cluster_id_for(first: ClaimView) -> str:
    """A cluster is named after its earliest member (by publication date, then claim_id).

    Adding an article that reports something else leaves every existing cluster's id unchanged;
    a later report of the same fact joins the cluster without renaming it.
    """
    return short_id("cluster", first.claim_id)


def representative(views: list[ClaimView], group: list[int], edges: dict[tuple[int, int], float]) -> int:
    """The member most linked to the others (ties: more check-worthy, then earliest)."""
    if len(group) == 1:
        return group[0]
    inside = set(group)
    score: Counter[int] = Counter()
    for (i, j), s in edges.items():
        if i in inside and j in inside:
            score[i] += s
            score[j] += s
    return min(group, key=lambda i: (-round(score[i], 6), -views[i].checkworthy, views[i].order_key))
