"""Claims that assert the same fact, grouped: weighted term overlap with blocking, then linkage.

Each claim becomes a bag of terms: content words (stemmed, with news synonyms merged), canonical
entities (and the larger places a named place lies in), numbers (a "157 each" also counts as its
total, and a rounded magnitude term lets "more than 300" meet 314) and dates. Two claims score
the mean of the weighted overlap and Dice coefficients, with a floor on the mass a short claim
can match with, scaled down when what they say of the names (words, numbers, dates) does not
agree; a specific number shared with a telling word (314 prisoners, 55,000 soldiers) lifts a
pair to the threshold. Pairs at or above ``threshold`` merge their groups only when the groups
agree as a whole (mean pair score, or most pairs linked), so one sentence touching two facts
does not chain them. Candidate pairs come from an inverted index, each claim visiting a bounded
number of postings (rarest terms first) and keeping its best candidates, so the work grows
linearly with the number of claims. Every step is order-independent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from wordfreq import zipf_frequency

from builder.group.normalize import (
    EntityIndex,
    Quantity,
    When,
    parse_published,
    parse_quantity,
    parse_when,
    place_ancestors,
)
from builder.records import short_id

DEFAULT_THRESHOLD = 0.55
PLACE_LABELS = ("GPE", "LOC", "FAC")
LINK_FLOOR = 0.45  # pairs scoring below threshold * LINK_FLOOR count as unrelated in averages
LINK_AVERAGE = 0.8  # two groups merge when their mean pair score reaches threshold * LINK_AVERAGE
LINK_MAJORITY = 0.7  # ...or when this share of their pairs are linked
LINK_SAMPLE = 25  # members of each group compared when merging (earliest first)
MAX_POSTING = 600
POSTING_BUDGET = 600  # postings a claim may visit when looking for candidates
MAX_CANDIDATES = 20  # candidates a claim keeps (most shared terms first)
MIN_MASS = 15.0
CONTENT_SHARE = 0.6
CONTENT_POWER = 0.5
BUCKET_WEIGHT = 1.5
FRAME_WEIGHT = 6.0
QUOTE_WEIGHT = 6.0
ANCHOR_WEIGHT = 6.0  # a shared number at least this telling (not a year, not a small count)...
ANCHOR_FLOOR = 0.1  # ...when the pair scores at least this on its own
ANCHORED_SCORE = 0.55  # ...with a shared telling word lifts a pair to this score  # terms in more claims than this are too common to propose candidates

SYNONYMS = {
    "mediated": "broker",
    "brokered": "broker",
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
# a claim about when the previous occurrence was: "the first such swap since", "the last swap was"
_PREVIOUS = re.compile(
    r"\bfirst (?:such \w+|\w+) (?:since|in)\b|\bfirst such\b|\b(?:last|previous) \w+(?: \w+)? (?:was|occurred|took place)\b",
    re.I,
)
_QUOTE = re.compile(r"[“\"‘]([^”\"’]{3,80})[”\"’]")
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
    content: float = 0.0  # the weight of its words, numbers and dates (what it says of the names)
    rounded: frozenset[str] = frozenset()  # magnitude terms of its qualified numbers ("more than 300")
    anchors: frozenset[str] = frozenset()  # its specific counts (157, 314, 55,000; not 200 million)
    places: tuple[tuple[int, str, str], ...] = ()  # (offset, words, canonical key) of named places

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
    for key in entities:  # "in Abu Dhabi" is also in the United Arab Emirates
        for parent in place_ancestors(key):
            terms.setdefault("e:" + parent, WEIGHTS["e"] * rarity("e:" + parent))
    seen_values = Counter(q.value for _, q in quantities if telling(q))
    rounded: set[str] = set()
    anchors: set[str] = set()
    for _, q in quantities:
        if q.kind == "ordinal":
            continue
        if q.kind == "count" and telling(q):
            # "157 Ukrainians and 157 Russians" is 314 in all; "more than 300" and 314 are
            # the same order of magnitude of the same thing
            total = q.value * 2 if q.each or seen_values[q.value] == 2 else q.value
            terms[f"n:{total:g}"] = WEIGHTS["n"] * 3.0
            if specific(q.value):
                anchors.add(f"n:{total:g}")
            bucket = f"n~{float(f'{total:.1g}'):g}:{q.unit}"
            terms[bucket] = WEIGHTS["n"] * BUCKET_WEIGHT
            if q.qualifier != "eq" and q.unit:
                rounded.add(bucket)
        # small numbers ("two sides", "three regions") and vague ones ("millions") rarely
        # identify a fact; 314 or 55,000 does
        weight = WEIGHTS["n"] * (3.0 if telling(q) else 1.0)
        terms[f"n:{q.value:g}"] = weight
        if q.each:
            terms[f"n:{q.value * 2:g}"] = weight
    if _PREVIOUS.search(text):
        terms["f:previous"] = FRAME_WEIGHT
    for quoted in _QUOTE.findall(text):  # the same short quotation ("not easy") in two reports
        words = re.findall(r"[a-z0-9]+", quoted.lower())
        if 2 <= len(words) <= 6:
            terms["q:" + " ".join(words)] = QUOTE_WEIGHT
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
    view.places = tuple(
        (m["char_start"] - base, m["text"], index.canon(m["text"]))
        for m in claim["entities"]
        if m.get("label") in PLACE_LABELS
    )
    view.weight = sum(terms.values())
    view.rounded = frozenset(rounded)
    view.anchors = frozenset(anchors)
    view.content = sum(w for t, w in terms.items() if t[0] != "e")
    return view


def telling(q: Quantity) -> bool:
    """A number precise enough to identify a fact: written in digits, not a small count."""
    if not any(ch.isdigit() for ch in q.text) or q.kind == "ordinal":
        return False
    return q.value >= 20 or q.kind != "count"


def specific(value: float) -> bool:
    """A number with two significant digits or more (157, 55,000): reports of other facts rarely
    share it by chance, unlike round ones (200 million, 10,000, 9%)."""
    if value < 20:
        return False
    digits = f"{value:.6g}".replace(".", "").lstrip("0").rstrip("0")
    return len(digits) >= 2


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
    shared = said = 0.0
    anchored = worded = False
    for t, w in small.items():  # in a fixed order: float sums must not depend on set order
        if t not in large:
            continue
        shared += w
        kind = t[0]
        if kind != "e":
            said += w
        if kind == "n" and t in a.anchors and t in b.anchors:
            anchored = True
        elif kind == "n" and (t in a.rounded or t in b.rounded):
            anchored = True  # "more than 300 prisoners" rounds "314 prisoners"
        elif kind in "we" and w >= 2.0:
            worded = True
    overlap = shared / max(min(a.weight, b.weight), MIN_MASS)
    dice = 2 * shared / (a.weight + b.weight)
    score = (overlap + dice) / 2
    # what the claims say of the names must agree, not only the names
    if CONTENT_SHARE:
        cover = said / max(min(a.content, b.content), MIN_MASS / 2)
        if cover < CONTENT_SHARE:
            score *= (cover / CONTENT_SHARE) ** CONTENT_POWER
    # the same telling number (55,000; 314 or 157 each) about the same thing is one fact
    if anchored and worded and score >= ANCHOR_FLOOR:
        score = max(score, ANCHORED_SCORE)
    return score


def candidate_pairs(views: list[ClaimView], max_posting: int = MAX_POSTING) -> set[tuple[int, int]]:
    """Pairs of claims sharing at least two discriminative terms (blocking).

    Each claim looks its terms up rarest first and stops after visiting ``POSTING_BUDGET``
    postings, then keeps its ``MAX_CANDIDATES`` best candidates (most shared terms): the work per
    claim is bounded, so the whole grows linearly with the number of claims.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(views):
        for t, w in v.terms.items():
            if w >= 1.0:
                postings[t].append(i)
    pairs: set[tuple[int, int]] = set()
    for i, v in enumerate(views):
        usable = sorted(
            (len(postings[t]), t)
            for t, w in v.terms.items()
            if w >= 1.0 and 1 < len(postings[t]) <= max_posting
        )
        counts: Counter[int] = Counter()
        visited = 0
        for n, t in usable:
            if visited + n > POSTING_BUDGET and visited:
                break
            visited += n
            counts.update(postings[t])
        counts.pop(i, None)
        best = sorted(((-n, j) for j, n in counts.items() if n >= 2))[:MAX_CANDIDATES]
        pairs.update((min(i, j), max(i, j)) for _, j in best)
    return pairs


@dataclass
class Clusters:
    views: list[ClaimView]
    members: list[list[int]]  # indexes into views, per cluster, sorted by order_key
    edges: dict[tuple[int, int], float]  # linked pairs and their similarity
    related: dict[tuple[int, int], float] = field(default_factory=dict)  # close pairs left apart


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
        between = [scored.get((x, y), scored.get((y, x), 0.0)) for x in a for y in b]
        mean = sum(between) / len(between)
        linked = sum(v >= threshold for v in between) / len(between)
        # close on average, or most pairs linked (a long report of two facts scores low with
        # the short reports of one of them, yet it is linked to most of them)
        if mean >= threshold * LINK_AVERAGE or linked >= LINK_MAJORITY:
            edges[(i, j)] = s
            # the larger group absorbs the smaller: each claim moves O(log n) times
            big, small = (ri, rj) if (len(inside[ri]), -ri) >= (len(inside[rj]), -rj) else (rj, ri)
            parent[small] = big
            inside[big].extend(inside.pop(small))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(views)):
        groups[find(i)].append(i)
    members = [sorted(g, key=lambda i: views[i].order_key) for g in groups.values()]
    members.sort(key=lambda g: views[g[0]].order_key)
    related = {pair: s for pair, s in scored.items() if find(pair[0]) != find(pair[1])}
    return Clusters(views, members, edges, related)


def cluster_id_for(first: ClaimView) -> str:
    """A cluster is named after its earliest member (by publication date, then claim_id).

    Adding an article that reports something else leaves every existing cluster's id unchanged;
    a later report of the same fact joins the cluster without renaming it.
    """
    return short_id("cluster", first.claim_id)


def link_strength(edges: dict[tuple[int, int], float]) -> Counter[int]:
    """Per claim, the sum of the scores of its links (computed once for every cluster)."""
    score: Counter[int] = Counter()
    for (i, j), s in edges.items():
        score[i] += s
        score[j] += s
    return score


def representative(views: list[ClaimView], group: list[int], strength: Counter[int]) -> int:
    """The member most linked to the others (ties: more check-worthy, then earliest)."""
    if len(group) == 1:
        return group[0]
    return min(group, key=lambda i: (-round(strength[i], 6), -views[i].checkworthy, views[i].order_key))
