"""Claims that assert the same fact: pair scores from a learned model, average linkage, and a
second cluster for a claim that states a second fact.

Each claim becomes a view: its content words (Snowball stems, weighted by their rarity in
general English from wordfreq, so weights never depend on the other articles of a run), its
canonical entities, its numbers and dates, and a sentence vector (``embed``). A pair of claims
is described by a few features (vector cosine, weighted word and entity overlap, shared telling
numbers, dates and quotations) and scored by a logistic model fitted on hand-labelled events of
real multi-outlet news (``pairs``), never on the example articles. Candidate pairs come from an
inverted index where each claim visits a bounded number of postings, rarest terms first, so the
work grows linearly with the number of claims. Pairs scoring at or above ``threshold`` merge
their groups only when the groups agree as a whole (mean score, or most pairs linked), so one
sentence touching two facts does not chain them; such a sentence then also joins the other
fact's cluster as a secondary member. Every step is order-independent.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS
from wordfreq import zipf_frequency

from builder.group.embed import TokenRef, alignment
from builder.group.normalize import (
    EntityIndex,
    Quantity,
    When,
    parse_published,
    parse_quantity,
    parse_when,
    place_ancestors,
)
from builder.group.pairs import FEATURES, PairModel, load_pair_model
from builder.records import short_id
from builder.unionfind import DisjointSets

PLACE_LABELS = ("GPE", "LOC", "FAC")
POSITION_CAP = 20  # sentences from the 21st on are all "late" (live blogs and transcripts run long)
LINK_FLOOR = 0.5  # pairs scoring below threshold * LINK_FLOOR are not kept
LINK_AVERAGE = 0.8  # two groups merge when their mean pair score reaches threshold * LINK_AVERAGE
LINK_MAJORITY = 0.6  # ...or when this share of their pairs are linked
LINK_SAMPLE = 25  # members of each group compared when merging (earliest first)
SECOND_SHARE = 0.5  # a claim joins another cluster when linked to this share of its members
MAX_POSTING = 600
POSTING_BUDGET = 600  # postings a claim may visit when looking for candidates
MAX_CANDIDATES = 20  # candidates a claim keeps (most shared terms first)
STORY_NEIGHBOURS = 15  # nearest claims (sentence vectors) of its story a claim is compared with
STORY_COSINE = 0.45  # ...when at least this close
STORY_BLOCK_MAX = 6000  # claims of one story (or of a run without stories) compared this way
GENERIC_WEIGHT = 0.3
# reporting verbs and calendar words say little about which fact a sentence states
GENERIC = {"say", "said", "tell", "told", "report", "accord", "also", "year", "new", "time", "includ"}
GENERIC |= {"mr", "mrs", "ms", "week", "day", "month", "peopl", "way", "make", "like"}
_QUOTE = re.compile(r"[“\"‘]([^”\"’]{3,80})[”\"’]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower().replace("’", "'").removesuffix("'s"))


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@dataclass(slots=True)  # no instance dict: 100,000 claims' views are held at once
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
    words: dict[str, float] = field(default_factory=dict)  # stem -> weight
    ents: dict[str, float] = field(default_factory=dict)  # canonical entity (and its places) -> weight
    numbers: frozenset[str] = frozenset()  # telling numbers ("n:314", "n:157" for "157 each" too)
    dates: frozenset[str] = frozenset()
    quotes: frozenset[str] = frozenset()
    vector: np.ndarray | None = None  # unit sentence vector, float16
    tokens: TokenRef | None = None  # its word-piece vectors (embed.TokenStore)
    places: tuple[tuple[int, str, str], ...] = ()  # (offset, words, canonical key) of named places
    publisher: str = ""
    position: int = 0  # its sentence's index in its article (0: the first; see set_positions)

    @property
    def order_key(self) -> tuple[str, str]:
        return (self.published.isoformat() if self.published else "9999-99-99", self.claim_id)

    @property
    def terms(self) -> list[str]:
        """The terms it is found by in the inverted index."""
        return [*("w:" + w for w, x in self.words.items() if x >= 1.0), *("e:" + e for e in self.ents)]


def view_of(claim: dict, index: EntityIndex) -> ClaimView:
    """Normalise one claim (a claims.jsonl row) into what the pair model compares."""
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
    masked = text
    for m in claim["entities"]:
        start, end = m["char_start"] - base, m["char_end"] - base
        masked = masked[:start] + " " * (end - start) + masked[end:]
    words: dict[str, float] = {}
    for word in _WORD.findall(masked):
        if word.lower() in STOP_WORDS or len(word) < 2:
            continue
        s = stem(word)
        if s in STOP_WORDS:
            continue
        weight = _word_weight(word.lower(), s in GENERIC)
        words[s] = max(words.get(s, 0.0), weight)
    ents: dict[str, float] = {}
    for key in entities:
        ents[key] = 2.0 * rarity(key)
        for parent in place_ancestors(key):  # "in Lyon" is also in France
            ents.setdefault(parent, 1.0)
    numbers: set[str] = set()
    seen_values = Counter(q.value for _, q in quantities if telling(q))
    for _, q in quantities:
        if not telling(q):
            continue
        numbers.add(f"n:{q.value:g}")
        if q.kind == "count" and (q.each or seen_values[q.value] == 2):
            numbers.add(f"n:{q.value * 2:g}")  # "157 each": 314 in all
    quotes = set()
    for quoted in _QUOTE.findall(text):  # the same short quotation in two reports
        qwords = re.findall(r"[a-z0-9]+", quoted.lower())
        if 2 <= len(qwords) <= 8:
            quotes.add(" ".join(qwords))
    view = ClaimView(
        claim["claim_id"],
        claim["article_id"],
        text,
        float(claim.get("checkworthy") or 0.0),
        published,
        entities,
        quantities,
        whens,
        words,
        ents,
        _frozen(numbers),
        _frozen(w.value for _, w in whens if w.kind == "date" and w.precision == "day"),
        _frozen(quotes),
    )
    source = claim.get("source") or {}
    view.publisher = source.get("publisher") or source.get("title") or ""  # who states it, in words
    view.places = tuple(
        (m["char_start"] - base, m["text"], index.canon(m["text"]))
        for m in claim["entities"]
        if m.get("label") in PLACE_LABELS
    )
    return view


_NONE: frozenset[str] = frozenset()


def _frozen(items: Iterable[str]) -> frozenset[str]:
    """A frozenset of ``items``; every empty one is the same object (most claims state no
    number, date or quotation, and each empty frozenset would cost 216 bytes)."""
    return frozenset(items) or _NONE


def set_positions(views: list[ClaimView], sentence_indexes: list[int]) -> None:
    """Set each view's ``position``: the index of its sentence in its article (claims.jsonl's
    ``sentence_index``), the earliest of any copy of the same text (identical texts are scored
    once, for all their copies). News puts its main facts first and every outlet reports them;
    the later a sentence, the more likely a detail only it states.

    The index is fixed at extraction, by the article alone: claims that a later pass over the
    run drops (boilerplate recurring across stories) do not move the others."""
    earliest: dict[str, int] = {}
    for v, index in zip(views, sentence_indexes, strict=True):
        earliest[v.text] = min(index, earliest.get(v.text, index))
    for v in views:
        v.position = earliest[v.text]


def telling(q: Quantity) -> bool:
    """A number precise enough to identify a fact: written in digits, not a small count or a year."""
    if not any(ch.isdigit() for ch in q.text) or q.kind == "ordinal":
        return False
    if q.kind == "count" and 1900 <= q.value <= 2100 and q.value == int(q.value):
        return False
    return q.value >= 10 or q.kind != "count"


def rarity(word: str) -> float:
    """How telling a word is, from its frequency in general English (wordfreq), not in this run.

    A fixed reference keeps a claim's weights independent of the other articles in the run, so
    adding an unrelated article cannot move existing claims between clusters.
    """
    parts = word.split()
    zipf = min(_zipf(w) for w in parts) if parts else 0.0
    return min(4.0, max(1.0, 7.5 - zipf))


@lru_cache(maxsize=200_000)
def _word_weight(word: str, generic: bool) -> float:
    """A content word's weight in a claim's bag: its rarity, less for generic words (one float
    object per word, shared by every claim that uses it)."""
    return (GENERIC_WEIGHT if generic else 1.0) * rarity(word)


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


def _overlap(a: dict[str, float], b: dict[str, float]) -> tuple[float, float]:
    """Weighted overlap coefficient and Dice coefficient of two weighted bags."""
    if not a or not b:
        return 0.0, 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    shared = sum(min(w, large[t]) for t, w in small.items() if t in large)
    wa, wb = sum(a.values()), sum(b.values())
    return shared / max(min(wa, wb), 4.0), 2 * shared / (wa + wb)


def cosine(a: ClaimView, b: ClaimView) -> float:
    """The cosine of two claims' unit vectors (kept as float16, compared in float32); 0 without."""
    if a.vector is None or b.vector is None:
        return 0.0
    return float(a.vector.astype(np.float32) @ b.vector.astype(np.float32))


def pair_features(a: ClaimView, b: ClaimView) -> list[float]:
    """What the pair model weighs (see ``pairs.FEATURES`` for the names)."""
    cos = cosine(a, b)
    w_over, w_dice = _overlap(a.words, b.words)
    e_over, e_dice = _overlap(a.ents, b.ents)
    shared_numbers = len(a.numbers & b.numbers)
    both_numbers = bool(a.numbers) and bool(b.numbers)
    la, lb = len(a.words) + len(a.ents), len(b.words) + len(b.ents)
    aligned, aligned_min = alignment(a.tokens, b.tokens)
    return [
        cos,
        w_over,
        w_dice,
        e_over,
        e_dice,
        float(shared_numbers > 0),
        float(both_numbers and not shared_numbers),
        float(bool(a.dates & b.dates)),
        float(bool(a.quotes & b.quotes)),
        min(la, lb) / max(la, lb, 1),
        cos * w_over,
        cos * e_over,
        aligned,
        aligned_min,
        aligned * w_over,
        math.log1p(min(POSITION_CAP, max(a.position, b.position))),
    ]


def similarity(a: ClaimView, b: ClaimView, model: PairModel | None = None) -> float:
    """The probability that two claims state the same fact."""
    if a.text == b.text:
        return 1.0
    return (model or load_pair_model()).score(pair_features(a, b))


def candidate_pairs(views: list[ClaimView], max_posting: int = MAX_POSTING) -> set[tuple[int, int]]:
    """Pairs of claims sharing at least two discriminative terms (blocking).

    Each claim looks its terms up rarest first and stops after visiting ``POSTING_BUDGET``
    postings, then keeps its ``MAX_CANDIDATES`` best candidates (most shared terms): the work per
    claim is bounded, so the whole grows linearly with the number of claims.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    terms = [v.terms for v in views]
    for i, ts in enumerate(terms):
        for t in ts:
            postings[t].append(i)
    pairs: set[tuple[int, int]] = set()
    for i, ts in enumerate(terms):
        usable = sorted((len(postings[t]), t) for t in ts if 1 < len(postings[t]) <= max_posting)
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
    members: list[list[int]]  # indexes into views, per cluster, sorted by order_key; primary first
    edges: dict[tuple[int, int], float]  # linked pairs and their score
    related: dict[tuple[int, int], float] = field(default_factory=dict)  # close pairs left apart
    secondary: dict[int, list[int]] = field(default_factory=dict)  # cluster -> claims also stating it
    threshold: float = 0.5
    first_of_text: dict[str, int] = field(default_factory=dict)  # text -> its first claim (scored for all)

    def all_members(self, c: int) -> list[int]:
        return sorted({*self.members[c], *self.secondary.get(c, [])}, key=lambda i: self.views[i].order_key)

    def linked(self, i: int, j: int) -> bool:
        """Whether the model linked two claims (or the first claims of their texts, which are
        scored for every copy): members of one cluster may be joined only through others."""
        a, b = self.first_of_text[self.views[i].text], self.first_of_text[self.views[j].text]
        return (a, b) in self.edges or (b, a) in self.edges


def story_key(v: ClaimView, story_of: dict[str, str] | None) -> str:
    """The story a claim is of: its article's in ``story_of`` (stories.jsonl; an article it does
    not list is a story of its own), or "" for a run without stories."""
    return story_of.get(v.article_id, v.article_id) if story_of is not None else ""


def story_pairs(views: list[ClaimView], story_of: dict[str, str] | None) -> set[tuple[int, int]]:
    """Pairs of claims of one story (or of the whole run when it has no stories and is small),
    from different articles, whose sentence vectors are close: each claim keeps its
    ``STORY_NEIGHBOURS`` nearest. Paraphrases that share no rare word are found this way."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(views):
        if v.vector is not None:
            blocks[story_key(v, story_of)].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > STORY_BLOCK_MAX:
            continue
        vectors = np.stack([views[i].vector for i in members]).astype(np.float32)
        sims = vectors @ vectors.T
        articles = np.array([views[i].article_id for i in members])
        sims[articles[:, None] == articles[None, :]] = -1.0
        k = min(STORY_NEIGHBOURS, len(members) - 1)
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k else np.zeros((len(members), 0), int)
        for row, cols in enumerate(nearest):
            for col in cols:
                if sims[row, col] >= STORY_COSINE:
                    a, b = members[row], members[int(col)]
                    pairs.add((min(a, b), max(a, b)))
    return pairs


def pair_table(
    views: list[ClaimView], story_of: dict[str, str] | None = None
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The candidate pairs (indexes into ``views``, first of each identical text only) and their
    features, one row per pair. ``story_of`` maps article ids to story ids (stories.jsonl)."""
    by_text: dict[str, int] = {}
    for i, v in enumerate(views):
        by_text.setdefault(v.text, i)
    unique = [i for i, v in enumerate(views) if by_text[v.text] == i]
    sub = [views[i] for i in unique]
    pairs = candidate_pairs(sub) | story_pairs(sub, story_of)
    if story_of is not None:  # a fact is of one story: claims of two events are two facts
        story = [story_key(v, story_of) for v in sub]
        pairs = {(a, b) for a, b in pairs if story[a] == story[b]}
    pairs = sorted(pairs)
    feats = np.empty((len(pairs), len(FEATURES)), dtype=np.float32)  # not a list of lists: 48 bytes a pair
    for k, (a, b) in enumerate(pairs):
        feats[k] = pair_features(sub[a], sub[b])
    return [(unique[a], unique[b]) for a, b in pairs], feats


def cluster_views(
    views: list[ClaimView],
    threshold: float | None = None,
    model: PairModel | None = None,
    story_of: dict[str, str] | None = None,
) -> Clusters:
    """Average-linkage clusters over the scored candidate pairs, then secondary memberships."""
    model = model or load_pair_model()
    pairs, feats = pair_table(views, story_of)
    scores = model.score_many(feats) if pairs else np.zeros(0)
    del feats  # 64 bytes a pair that linking, grouping's peak, does not need
    return link(views, pairs, scores, model.threshold if threshold is None else threshold)


def link(
    views: list[ClaimView], pairs: list[tuple[int, int]], scores: np.ndarray, threshold: float
) -> Clusters:
    """Clusters from scored pairs (see ``cluster_views``)."""
    sets = DisjointSets(range(len(views)))
    find = sets.find

    edges: dict[tuple[int, int], float] = {}
    # identical texts are linked without scoring them pairwise (replicated wire copy)
    by_text: dict[str, int] = {}
    for i, v in enumerate(views):
        j = by_text.setdefault(v.text, i)
        if j != i:
            edges[(j, i)] = 1.0
            sets.union(i, j, root=find(j))
    scored = {
        pair: round(float(s), 6) for pair, s in zip(pairs, scores, strict=True) if s >= threshold * LINK_FLOOR
    }
    inside: dict[int, list[int]] = {i: [i] for i in range(len(views)) if find(i) == i}
    for i in range(len(views)):
        if find(i) != i:
            inside[find(i)].append(i)
    for i, j in _strongest_first(scored, threshold):
        s = scored[(i, j)]
        ri, rj = find(i), find(j)
        if ri == rj:
            edges[(i, j)] = s
            continue
        a, b = inside[ri][:LINK_SAMPLE], inside[rj][:LINK_SAMPLE]
        between = [_score(scored, by_text, views, x, y) for x in a for y in b]
        mean = sum(between) / len(between)
        linked = sum(v >= threshold for v in between) / len(between)
        # close on average, or most pairs linked (a long report of two facts scores low with
        # the short reports of one of them, yet it is linked to most of them)
        if mean >= threshold * LINK_AVERAGE or linked >= LINK_MAJORITY:
            edges[(i, j)] = s
            # the larger group absorbs the smaller: each claim moves O(log n) times
            big, small = (ri, rj) if (len(inside[ri]), -ri) >= (len(inside[rj]), -rj) else (rj, ri)
            sets.union(small, big, root=big)
            inside[big].extend(inside.pop(small))
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(views)):
        groups[find(i)].append(i)
    members = [sorted(g, key=lambda i: views[i].order_key) for g in groups.values()]
    members.sort(key=lambda g: views[g[0]].order_key)
    cluster_of = {i: c for c, g in enumerate(members) for i in g}
    # the pairs of two clusters: ``scored`` less its pairs inside one (filtered in place, not
    # copied: a second dict of 100,000 claims' pairs would cost grouping 0.3 KB a claim)
    related = scored
    for pair in [pair for pair in scored if cluster_of[pair[0]] == cluster_of[pair[1]]]:
        del related[pair]
    secondary = _secondary(views, members, cluster_of, related, threshold)
    return Clusters(views, members, edges, related, secondary, threshold, by_text)


def _strongest_first(scored: dict[tuple[int, int], float], threshold: float) -> Iterator[tuple[int, int]]:
    """The pairs scoring at least ``threshold``, highest score first, then by pair; sorted as
    arrays, not as Python tuples (those cost 100,000 claims' grouping about 1 KB a claim)."""
    strong = [pair for pair, s in scored.items() if s >= threshold]
    n = len(strong)
    score = np.fromiter((scored[p] for p in strong), np.float64, n)
    first = np.fromiter((p[0] for p in strong), np.int64, n)
    second = np.fromiter((p[1] for p in strong), np.int64, n)
    for k in np.lexsort((second, first, -score)):
        yield strong[k]


def _score(scored: dict, by_text: dict[str, int], views: list[ClaimView], x: int, y: int) -> float:
    """The score of a pair, reading an identical text's score from its first copy."""
    x, y = by_text[views[x].text], by_text[views[y].text]
    if x == y:
        return 1.0
    return scored.get((x, y), scored.get((y, x), 0.0))


def _secondary(
    views: list[ClaimView],
    members: list[list[int]],
    cluster_of: dict[int, int],
    related: dict[tuple[int, int], float],
    threshold: float,
) -> dict[int, list[int]]:
    """A claim stating a second fact joins that fact's cluster too: when it is linked (at or
    above the threshold) to at least ``SECOND_SHARE`` of the other cluster's members from other
    articles."""
    links: dict[tuple[int, int], set[int]] = defaultdict(set)  # (claim, other cluster) -> members
    for (i, j), s in related.items():
        if s >= threshold:
            links[(i, cluster_of[j])].add(j)
            links[(j, cluster_of[i])].add(i)
    out: dict[int, list[int]] = defaultdict(list)
    for (i, c), linked in sorted(links.items()):
        others = [m for m in members[c] if views[m].article_id != views[i].article_id]
        if others and len(linked) >= SECOND_SHARE * len(others) and len(members[c]) > 1:
            out[c].append(i)
    return {c: sorted(v, key=lambda i: views[i].order_key) for c, v in sorted(out.items())}


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
