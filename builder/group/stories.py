"""Stories: the articles of a run that report one event.

Each article becomes a sparse vector of the words of its title and text (the passages kept
out of the candidates left out), each weighted by its rarity in general English (wordfreq's
Zipf frequency, the same for every corpus, so an article's vector never depends on the rest
of the run) and by how often the article uses it; only its ``TOP_TERMS`` heaviest terms are
kept, so an article costs the same memory however long it is. Numbers of three or more
digits count as terms too (years barely).

Similar articles are found through an inverted index: each article visits at most
``POSTINGS`` postings, rarest terms first, so the work is linear in the number of articles.
Pairs at cosine ``LINK`` or more are merged in order of similarity, strongest first, but two
stories merge only when they are linked as a whole: the summed similarity of the pairs
between them, per article of the smaller one, must reach ``SUPPORT``, so one article that
touches two events does not chain them. An article left alone then joins the story of its
most similar article already in a story when that similarity reaches ``ATTACH`` (short wire
items, a headline with two sentences). Everything is computed over the articles sorted by id, so the result
does not depend on the input order or on how extraction was split into shards.

``story_id`` is the hash of the story's earliest member (publication date, then
article_id): adding an article of another event changes no story and no id; a new, earlier
report of an event renames only that story.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

from builder.records import short_id

TOP_TERMS = 80  # terms kept per article
TITLE_WEIGHT = 3  # a title word counts as this many uses
MIN_LETTERS = 3  # shorter words are not terms
ZIPF_CEILING = 7.0  # rarity = ZIPF_CEILING - Zipf frequency; words unknown to wordfreq: UNKNOWN
UNKNOWN = 6.0
NUMBER_RARITY = 4.0  # a number of three or more digits
YEAR_RARITY = 0.5  # a year (1900-2100): says little about which event
LINK = 0.15  # pairs at least this similar are considered for merging
SUPPORT = 0.15  # summed similarity between two stories, per article of the smaller, to merge them
RELATED = LINK  # two stories with a pair of articles this similar, left apart, are related: one split
ATTACH = 0.08  # a lone article joins its most similar article's story at this similarity
POSTINGS = 1000  # postings an article visits to find its neighbours
NEIGHBOURS = 30  # most similar articles kept per article

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d(?:[\d,.]*\d)?")


@functools.cache
def rarity(word: str) -> float:
    """How much a (casefolded) word says about what an article is about: high for rare words
    and names, near zero for the commonest words."""
    if word[0].isdigit():
        digits = word.replace(",", "")
        if "." in digits:
            digits = digits.rstrip("0").rstrip(".")
        if len(digits.replace(".", "")) < 3:
            return 0.0
        if digits.isdigit() and 1900 <= int(digits) <= 2100:
            return YEAR_RARITY
        return NUMBER_RARITY
    if len(word) < MIN_LETTERS:
        return 0.0
    zipf = zipf_frequency(word, "en")
    return max(0.0, ZIPF_CEILING - zipf) if zipf else UNKNOWN


def term_weights(title: str | None, text: str, skip: Iterable[tuple[int, int]] = ()) -> dict[str, float]:
    """An article's vector: its ``TOP_TERMS`` heaviest terms, L2-normalised. ``skip`` lists the
    spans of ``text`` to leave out (metadata, boilerplate)."""
    counts: Counter[str] = Counter()
    for match in WORD.finditer(title or ""):
        counts[match.group().casefold()] += TITLE_WEIGHT
    for start, end in _kept(len(text), skip):
        for match in WORD.finditer(text, start, end):
            counts[match.group().casefold()] += 1
    weights = {}
    for term, count in counts.items():
        weight = (1.0 + math.log(count)) * rarity(term)
        if weight > 0:
            weights[term] = weight
    top = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:TOP_TERMS]
    norm = math.sqrt(sum(weight * weight for _, weight in top)) or 1.0
    return {term: weight / norm for term, weight in top}


def _kept(length: int, skip: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of a text of ``length`` characters outside the ``skip`` spans."""
    kept, position = [], 0
    for start, end in sorted(skip):
        if start > position:
            kept.append((position, start))
        position = max(position, end)
    if position < length:
        kept.append((position, length))
    return kept


@dataclass
class StoryArticle:
    """What stories need of an article."""

    article_id: str
    published: str | None
    title: str | None
    publisher: str | None
    terms: dict[str, float]


@dataclass
class Story:
    story_id: str
    article_ids: list[str]  # sorted
    title: str | None
    publishers: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # stories too close to split apart (sorted ids)

    def to_dict(self) -> dict:
        return {
            "story_id": self.story_id,
            "article_ids": self.article_ids,
            "size": len(self.article_ids),
            "title": self.title,
            "publishers": self.publishers,
            "related": self.related,
        }


class StoryIndex:
    """Articles added one at a time (compactly: term ids and weights), then grouped."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._words: list[str] = []  # term id -> term (ties are broken by the term, not its id)
        self._articles: list[tuple[str, str | None, str | None, str | None]] = []
        self._terms: list[array] = []
        self._weights: list[array] = []

    def add(self, article: StoryArticle) -> None:
        ids = array("l")
        for term in article.terms:
            if term not in self._vocabulary:
                self._vocabulary[term] = len(self._words)
                self._words.append(term)
            ids.append(self._vocabulary[term])
        self._articles.append((article.article_id, article.published, article.title, article.publisher))
        self._terms.append(ids)
        self._weights.append(array("d", article.terms.values()))

    def __len__(self) -> int:
        return len(self._articles)

    def stories(self) -> list[Story]:
        """The stories, in order of story_id."""
        order = sorted(range(len(self._articles)), key=lambda i: self._articles[i][0])
        edges = self._edges(order)
        groups = _link(len(order), edges)
        story_of = {position: number for number, group in enumerate(groups) for position in group}
        strength: Counter[int] = Counter()  # summed similarity of an article to its story's others
        for (a, b), score in edges.items():
            if story_of[a] == story_of[b]:
                strength[a] += score
                strength[b] += score
        ids = [
            short_id("story", min((self._articles[order[i]] for i in m), key=_earliest)[0]) for m in groups
        ]
        related: dict[int, set[str]] = defaultdict(set)  # linked pairs the merge left apart
        for (a, b), score in edges.items():
            if score >= RELATED and story_of[a] != story_of[b]:
                related[story_of[a]].add(ids[story_of[b]])
                related[story_of[b]].add(ids[story_of[a]])
        stories = []
        for number, members in enumerate(groups):
            records = [self._articles[order[i]] for i in members]
            stories.append(
                Story(
                    story_id=ids[number],
                    article_ids=sorted(r[0] for r in records),
                    title=_representative(members, strength, records),
                    publishers=sorted({r[3] for r in records if r[3]}),
                    related=sorted(related[number]),
                )
            )
        return sorted(stories, key=lambda s: s.story_id)

    def _edges(self, order: list[int]) -> dict[tuple[int, int], float]:
        """Similar pairs (positions in ``order``, smaller first) and their cosine."""
        rank = {index: position for position, index in enumerate(order)}
        postings: dict[int, tuple[array, array]] = {}
        for position, index in enumerate(order):
            for term, weight in zip(self._terms[index], self._weights[index], strict=True):
                entry = postings.get(term)
                if entry is None:
                    entry = postings[term] = (array("l"), array("d"))
                entry[0].append(position)
                entry[1].append(weight)
        edges: dict[tuple[int, int], float] = {}
        for index in order:
            position = rank[index]
            visited, scores = 0, defaultdict(float)
            terms = sorted(
                zip(self._terms[index], self._weights[index], strict=True),
                key=lambda tw: (len(postings[tw[0]][0]), -tw[1], self._words[tw[0]]),
            )
            for term, weight in terms:
                members, weights = postings[term]
                if visited + len(members) > POSTINGS:
                    break
                visited += len(members)
                for other, other_weight in zip(members, weights, strict=True):
                    if other != position:
                        scores[other] += weight * other_weight
            best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:NEIGHBOURS]
            for other, score in best:
                if score >= ATTACH:
                    pair = (position, other) if position < other else (other, position)
                    edges[pair] = max(edges.get(pair, 0.0), score)
        return edges


def _earliest(record: tuple) -> tuple:
    """Sort key of an article record: publication date (undated last), then article_id."""
    return (record[1] is None, record[1] or "", record[0])


def _link(count: int, edges: dict[tuple[int, int], float]) -> list[list[int]]:
    """Groups of positions: strongest pairs first, two groups merging only when the pairs
    between them support it; then lone articles join their nearest article's group."""
    group = list(range(count))
    members: dict[int, list[int]] = {i: [i] for i in range(count)}
    links: dict[int, dict[int, float]] = defaultdict(dict)  # group -> other group -> summed similarity
    for (a, b), score in edges.items():
        links[a][b] = links[b][a] = score
    for (a, b), score in sorted(edges.items(), key=lambda item: (-item[1], item[0])):
        if score < LINK:
            break
        first, second = group[a], group[b]
        if first == second:
            continue
        smaller, larger = sorted((len(members[first]), len(members[second])))
        if links[first].get(second, 0.0) / (smaller * min(larger, NEIGHBOURS)) >= SUPPORT:
            _merge(first, second, group, members, links)
    # a lone article joins the story of its most similar article that is in a story already
    # (not another lone one: two stray pages do not make a story)
    lone = {position for position in range(count) if len(members[group[position]]) == 1}
    best: dict[int, tuple[float, int]] = {}  # lone position -> (similarity, -other)
    for (a, b), score in edges.items():
        for one, other in ((a, b), (b, a)):
            if one in lone and other not in lone and score >= ATTACH:
                best[one] = max(best.get(one, (0.0, -count)), (score, -other))
    for position, (_, other) in sorted(best.items()):
        _merge(group[-other], group[position], group, members, links)
    return sorted(sorted(m) for m in members.values())


def _merge(
    first: int,
    second: int,
    group: list[int],
    members: dict[int, list[int]],
    links: dict[int, dict[int, float]],
) -> None:
    """Merge two groups (the smaller into the larger), adding up their links."""
    if len(members[first]) < len(members[second]):
        first, second = second, first
    for position in members[second]:
        group[position] = first
    members[first].extend(members.pop(second))
    moved = links.pop(second, {})
    moved.pop(first, None)
    links[first].pop(second, None)
    for other, score in moved.items():
        links[other].pop(second, None)
        total = links[first].get(other, 0.0) + score
        links[first][other] = links[other][first] = total


def _representative(members: list[int], strength: Counter[int], records: list[tuple]) -> str | None:
    """The title of the member most similar to the others (ties: the first in id order)."""
    titled = [(position, record) for position, record in zip(members, records, strict=True) if record[2]]
    if not titled:
        return None
    return max(titled, key=lambda pr: (strength[pr[0]], -pr[0]))[1][2]
