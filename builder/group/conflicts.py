"""Conflicts: claims of one fact (a cluster, or a pair the model scores close) that state
incompatible values, and statements inside one article that cannot both be true.

Values are normalised before they are compared, so compatible statements are not conflicts:
"at least five dead" and "seven dead" overlap as intervals, "157 each" is 314 in all, "about
1,000" rounds 987, a city lies in its country. Attributes:

- ``count``, ``money``, ``percent``: numbers of the same thing (the counted words agree, by stem
  or by the sentence vectors of the words), compared as intervals; "no one was hurt" is zero;
- ``date``: the day an event happened, when each claim names exactly one day;
- ``time``: the time of day ("11 pm" against "11:30 pm");
- ``duration``: how long the same thing lasted ("five minutes" against "an hour");
- ``place``: where it happened, when each claim names one place after "in" or "at";
- ``scope``: how much of something ("a fifth of" against "the entire");
- ``negation``: a statement and its negation, across outlets or inside one article;
- ``weekday`` (within one claim): a weekday that does not match the date it names.

Across the articles of one story, however they are clustered (``story_conflicts``): counts of
what happened to whom, by the verb after the count ("84 were taken to hospital" against "120
people were taken to hospital"), and times of day of one action ("landed at"). Inside one
article, only a casualty count of "no one" against some ("no one was injured" against "two
people suffered minor injuries"). And figures of a story almost alike but not alike, however
worded (``near_figures``: "143 million customers" against "145.5 million people").

Each record says in plain words what each outlet states (``summary``:
"www.bbc.com: 84 taken to hospital; www.theguardian.com: 120 taken to hospital").
"""

from __future__ import annotations

import functools
import operator
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations, product

from spacy.lang.en.stop_words import STOP_WORDS

from builder.group.cluster import ClaimView, Clusters, cluster_id_for, cosine, stem, story_key
from builder.group.normalize import (
    FRACTIONS,
    QUALIFIERS,
    SCALES,
    WEEKDAYS,
    WORD_NUMBERS,
    Quantity,
    parse_quantity,
    parse_when,
    place_ancestors,
    weekday_of,
)
from builder.group.places import known_place
from builder.records import short_id
from builder.unionfind import DisjointSets

RELATED_FLOOR = 0.6  # pairs of two clusters scoring this share of the threshold are compared too
NEGATION_FLOOR = 0.85  # pairs this alike (model score) that differ by a negation
UNIT_SIMILARITY = 0.72  # counted words this close (their vectors) count the same thing
MAX_COMPARED = 60  # members of a cluster compared pairwise (earliest first)
NEGATION_COSINE = 0.8  # ...and whose sentence vectors are this close (the same statement otherwise)
AMOUNT_COSINE = 0.6  # figures are compared between sentences at least this close (vectors)
MEASURE_SLACK = 0.05  # "229 feet" and "70 meters": measurements agree within rounding
STORY_MAX = 1000  # a run without stories is compared as one story up to this many claims
_NEGATION = re.compile(
    r"\b(not|no(?!\.?\s*\d)|never|none|nobody|neither|nor|denied|denies|without)\b|n[’']t\b", re.I
)
_ZERO = re.compile(  # "no one was injured"; "no protesters were hurt" keeps what it counts
    r"\b(?:no one|nobody|none|no\s+((?:\w+\s+){0,2}?))\s*(?:was|were|has been|have been|had been)\s+(\w+)",
    re.I,
)
_TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?=\W|$)", re.I)
_AT = re.compile(r"\b(?:at|by|around|about|before|after|until|till|from|since|shortly)\s+$", re.I)
_ZONE = re.compile(r"\s*(?:\(?[A-Z]{2,4}T\b|GMT|UTC|local time|hours\b|hrs\b)")
_ROUGHLY = re.compile(
    r"\b(about|around|approximately|roughly|nearly|almost|before|after|shortly|just)\s+(?:\w+\s+)?$", re.I
)
_SCOPE_WHOLE = re.compile(r"\b(the entire|the whole|all of|the rest of)\b", re.I)
_VAGUE = re.compile(r"(?:\w+ )?(tens|hundreds|thousands|millions|billions|dozens)\b")
_AT_PLACE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$", re.I)
_UNIT_SECONDS = {"D": 86400, "W": 604800, "M": 2629800, "Y": 31557600, "H": 3600, "MIN": 60, "S": 1}


@dataclass(frozen=True)
class Value:
    claim_id: str
    article_id: str
    text: str  # the words of the claim that state the value
    value: object  # the normalised value
    low: float | None = None
    high: float | None = None
    outlet: str = ""  # the publisher, for the plain-words summary

    def to_dict(self) -> dict:
        out = {
            "claim_id": self.claim_id,
            "article_id": self.article_id,
            "text": self.text,
            "value": self.value,
        }
        if self.low is not None:
            out["low"], out["high"] = self.low, self.high
        if self.outlet:
            out["outlet"] = self.outlet
        return out


def _overlaps(a: Value, b: Value) -> bool:
    return a.low <= b.high and b.low <= a.high


def summary(values: list[Value]) -> str:
    """What each source states, in plain words: "BBC: 84 taken to hospital; Guardian: 120"."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for x in values:
        source = x.outlet or f"article {x.article_id[:8]}"
        if x.text not in by_source[source]:
            by_source[source].append(x.text)
    return "; ".join(f"{s}: {' / '.join(t)}" for s, t in sorted(by_source.items()))


def _conflict(cluster_id: str | None, attribute: str, values: list[Value], reason: str) -> dict:
    values = sorted(values, key=lambda x: (x.claim_id, x.text))
    claim_ids = sorted({x.claim_id for x in values})
    return {
        "conflict_id": short_id("conflict", cluster_id, attribute, *claim_ids, *(x.text for x in values)),
        "cluster_id": cluster_id,
        "claim_ids": claim_ids,
        "attribute": attribute,
        "values": [x.to_dict() for x in values],
        "reason": reason,
        "summary": summary(values),
    }


def merge_shared(records: list[dict]) -> list[dict]:
    """One record per disagreement: records of close pairs left in two clusters (no
    ``cluster_id``) that share a statement (a claim and its words) and an attribute are one
    ("a fifth of" against "the entire" in one article and against "the whole" in another is read
    once, with all three), and that record joins the cluster's own record of the attribute that
    holds most of its statements, if any does (clusters.jsonl links it there)."""
    own = [r for r in records if r["cluster_id"] is not None]
    loose = sorted((r for r in records if r["cluster_id"] is None), key=lambda r: r["conflict_id"])
    sets = DisjointSets(range(len(loose)))
    first: dict[tuple[str, str, str], int] = {}
    for k, r in enumerate(loose):
        for v in r["values"]:
            sets.union(k, first.setdefault(_statement(r, v), k))
    groups: dict[int, list[dict]] = defaultdict(list)
    for k, r in enumerate(loose):
        groups[sets.find(k)].append(r)
    owner: dict[tuple[str, str, str], set[int]] = defaultdict(set)  # statement -> own records
    for k, r in enumerate(own):
        for v in r["values"]:
            owner[_statement(r, v)].add(k)
    joined: dict[int, list[dict]] = defaultdict(list)
    out = []
    for group in groups.values():
        shared = Counter(k for r in group for v in r["values"] for k in owner.get(_statement(r, v), ()))
        if shared:  # the own record holding most of its statements (then the first cluster)
            joined[
                min(shared, key=lambda k: (-shared[k], own[k]["cluster_id"], own[k]["conflict_id"]))
            ].extend(group)
        else:
            out.append(group[0] if len(group) == 1 else _merged(None, group))
    for k, r in enumerate(own):
        out.append(_merged(r["cluster_id"], [r, *joined[k]]) if joined[k] else r)
    return out


def _statement(record: dict, value: dict) -> tuple[str, str, str]:
    return (record["attribute"], value["claim_id"], value["text"])


def _merged(cluster_id: str | None, group: list[dict]) -> dict:
    values = {(v["claim_id"], v["text"]): Value(**v) for r in group for v in r["values"]}
    reason = group[0]["reason"] if cluster_id else Counter(r["reason"] for r in group).most_common(1)[0][0]
    return _conflict(cluster_id, group[0]["attribute"], list(values.values()), reason)


def _phrase(text: str, start: int, end: int, words: int = 4) -> str:
    """The mention and the few words after it ("84 people were taken to hospital")."""
    after = re.findall(r"[\w'’-]+", text[end : end + 60])[:words]
    return " ".join([text[start:end].strip(), *after]).strip()


@dataclass
class Facts:
    """The comparable values one claim states (computed once per claim, not per pair)."""

    view: ClaimView
    amounts: list[tuple[str, tuple[str, ...], Value]]  # (kind, what is counted, value)
    day: Value | None
    times: list[tuple[tuple[str, str], Value]]  # ((the word it is the time of, zone), value)
    durations: list[tuple[str, Value]]  # (what it is the length of, value)
    scope: Value | None
    place: Value | None
    negated: bool | None  # None: several negations, of different clauses

    @classmethod
    def of(cls, v: ClaimView) -> Facts:
        return cls(v, amounts(v), event_day(v), _timed(v), durations(v), scope(v), place(v), negated(v))


def _value(
    v: ClaimView, text: str, value: object, low: float | None = None, high: float | None = None
) -> Value:
    return Value(v.claim_id, v.article_id, text, value, low, high, v.publisher)


_PREDICATE = re.compile(
    r"^\s+(?:\w+\s+){0,2}?(?:was|were|are|is|have been|has been|had been)\s+([a-z]+)", re.I
)


def amounts(v: ClaimView) -> list[tuple[str, tuple[str, ...], Value]]:
    """Counts, sums of money and percentages, each with what it counts: its unit word and, when
    a passive verb follows, that verb ("two people were injured" counts people and injured)."""
    out = []
    stated = Counter(q.value for _, q in v.quantities if q.kind == "count")
    for offset, q in v.quantities:
        if q.kind not in ("count", "money", "percent") or _VAGUE.match(q.text.lower()):
            continue  # "tens of thousands" is no figure to contradict
        end = offset + len(q.text)
        words = _phrase(v.text, offset, end)
        if not _a_figure(v.text, offset, end, q.kind == "count"):
            continue
        measured = _measurement(q, v.text[end : end + 30])
        if measured is not None:
            out.append(("measure", measured[0], _value(v, words, *measured[1])))
            continue
        if q.kind == "count" and not q.unit:
            continue
        low, high = _total(q)
        if q.kind == "count" and stated[q.value] > 1:
            high = max(high, q.value * stated[q.value])  # "40 adults and 40 children": 80 in all
        unit = (q.unit or "").lower()
        if q.kind != "count":
            out.append((q.kind, (unit,), _value(v, words, q.value, low, high)))
            continue
        predicate = _PREDICATE.match(v.text[end:])
        noun = "" if unit in _AUXILIARY or _is_verb(unit) else unit
        keys = (noun, predicate.group(1).lower() if predicate else "")
        out.append((q.kind, keys, _value(v, words, q.value, low, high)))
    for m in _ZERO.finditer(v.text):  # "no one was injured": zero injured
        out.append(("count", (_zero_noun(m), m.group(2).lower()), _value(v, m.group(0), 0, 0.0, 0.0)))
    return out


def _a_figure(text: str, offset: int, end: int, count: bool) -> bool:
    """Whether the number at text[offset:end] states how many or how much, not a score ("an
    11-5 record", "an 8-7 win"), a part of a whole ("two of the boosters", for counts) or a rate
    ("70 a share", "$5 per hour", which changes over time)."""
    if _SCORE.match(text[end : end + 4]) or _SCORE_BEFORE.search(text[max(0, offset - 4) : offset]):
        return False
    if count and _PARTITIVE.match(text[end : end + 16]):
        return False
    return not _RATE.match(text[end : end + 16])


_SCORE = re.compile(r"\s?(?:[-–]|for |of )\s?\d")  # "11-5", "8 - 7", "16 for 83 yards", "7 of 16"
_SCORE_BEFORE = re.compile(r"\d\s?[-–]\s?$")
_RATE = re.compile(r"\s*-?\s*(?:a|an|per)[\s-]+[a-z]", re.I)
_PARTITIVE = re.compile(r"\s+(?:\w+\s+)?of\s+(?:the|its|his|her|their|our|these|those)\b", re.I)
_DIMENSIONS = {
    "[length]",
    "[mass]",
    "[length] ** 2",
    "[length] ** 3",
    "[length] / [time]",
    "[mass] * [length] / [time] ** 2",
}


# English words that pint also reads as units, and which news text means otherwise
_NOT_UNITS = {"in", "point", "points", "line", "lines", "hand", "hands", "bar", "bars", "chain", "rod", "cup"}
_NOT_UNITS |= {"cups", "degree", "degrees", "mil", "pica", "rack", "pt", "at", "are", "am", "pm", "min"}


@functools.cache
def _units():
    """pint's unit registry (its definitions are read once, when a measurement first appears)."""
    import pint

    return pint.UnitRegistry()


@functools.cache
def _base_unit(word: str) -> tuple[str, float] | None:
    """The dimension of a unit word and its size in base units ("miles" -> ("[length]", 1609.3));
    None for a word that is no unit of length, mass, area, volume, speed or force."""
    if not word or not word.isalpha() or len(word) < 2 or word.lower() in _NOT_UNITS:
        return None
    registry = _units()
    try:
        quantity = registry.Quantity(1, word)
    except Exception:  # pint raises several kinds for a word that is no unit
        return None
    dimension = str(quantity.dimensionality)
    if dimension not in _DIMENSIONS:
        return None
    return dimension, float(quantity.to_base_units().magnitude)


_UNIT_WORD = re.compile(r"^\s*-?\s*([A-Za-z]+)(?:\s+(?:of\s+)?([a-z]+))?")


def _measurement(q: Quantity, after: str) -> tuple[tuple[str, ...], tuple[float, float, float]] | None:
    """A length, weight, area, volume, speed or force, in base units with rounding slack, keyed
    by its dimension and the word after its unit ("2,300 miles high": length, high). The unit
    may be written into the number ("548km") or follow it ("770 kilometers")."""
    if q.kind != "count":
        return None
    inside = re.search(r"\d\s*-?([A-Za-z]+)$", q.text)  # "548km", "3.7-meters"
    m = _UNIT_WORD.match(after)
    if inside:
        unit, described = inside.group(1), (m.group(1) if m else "")
    elif m:
        unit, described = m.group(1), m.group(2) or ""
    else:
        return None
    found = _base_unit(unit)
    if found is None:
        return None
    dimension, size = found
    low, high = q.low * size, q.high * size
    slack = MEASURE_SLACK * q.value * size
    described = described.lower() if described.lower() not in STOP_WORDS else ""
    return (dimension + ":" + described,), (q.value * size, low - slack, high + slack)


def _total(q: Quantity) -> tuple[float, float]:
    """A count as a total: "157 each" between two sides is 314."""
    return (q.low * 2, q.high * 2) if q.each else (q.low, q.high)


# what a count is the subject of: "84 people were taken to hospital", "27 injured", "two men
# suffered minor injuries"; the words are English grammar, not of any story
_AUXILIARY = {"was", "were", "are", "is", "be", "been", "have", "has", "had", "later", "also", "all"}
_AUXILIARY |= {"reportedly", "allegedly", "initially", "being", "who", "still", "now", "may", "might"}
_AUXILIARY |= {"can", "could", "will", "would", "should", "must"}
_PARTICIPLES = {"taken", "hurt", "held", "shot", "seen", "born", "built", "found", "left", "lost", "given"}
_PARTICIPLES |= {"sent", "brought", "caught", "struck", "hit", "thrown", "stuck", "beaten", "bitten"}
_PARTICIPLES |= {"stolen", "driven", "sold", "kept", "freed", "dead", "missing", "slain", "drowned", "fled"}
_REPORTING = {"said", "told", "reported", "added", "stated", "claimed", "noted", "explained", "announced"}
_REPORTING |= {"confirmed", "asked", "believed", "estimated", "expected", "according", "called", "described"}
_LIGHT = {"suffered", "sustained", "received", "underwent", "needed", "required"}  # "suffered injuries"
_ACTION_STOP = re.compile(
    r"[,.;:!?\"“”()]|\b(?:of|and|or|but|in|on|at|to|for|with|from|by|as|than|before|after|when|while"
    r"|because|since|until|if|that|which|it|he|she|they|we|you|i)\b",
    re.I,
)
_AGE = re.compile(r"^\s?-?\s?(?:(?:year|month|week|day)s?[\s-]old|yo|y/o)\b", re.I)
_COUNT_WORDS = 3  # words of the counted noun phrase before its verb ("two Chinese nationals were")


def action(text: str, end: int) -> tuple[str, str, str]:
    """The verb (or, after "suffered", the noun) a count is the subject of, the noun it counts
    and the names that qualify it, from the words after it: "people were taken" -> (taken,
    people, ""), "27 injured" -> (injured, "", ""), "Russian soldiers were killed" -> (killed,
    soldiers, Russian), "two armed men were arrested" -> (arrested, men, ""); ("", "", "") when no
    verb follows within the clause, the verb is negated ("were not injured"), it says who
    reported it ("two officials said"), or the count is of time ("10 minutes later")."""
    after = text[end : end + 80]
    if _AGE.match(after) or _TIME_UNIT.match(after):
        return "", "", ""  # "29-year-old": an age; "10 minutes later": a time
    clause = _ACTION_STOP.split(after, maxsplit=1)[0]
    words = re.findall(r"[A-Za-z]+(?:[’']t)?", clause)[:8]
    noun, names, auxiliary = "", [], False
    for n, word in enumerate(words):
        w = word.lower()
        if w in _NOT or w.endswith(("n't", "n’t")):
            return "", "", ""
        if w in _AUXILIARY:
            auxiliary = True
            continue
        if w in _REPORTING:
            return "", "", ""
        if w in _LIGHT:
            return _head(" ".join(words[n + 1 :])), noun, " ".join(names)
        following = words[n + 1].lower() if n + 1 < len(words) else ""
        modifier = not auxiliary and following and following not in _AUXILIARY and following not in STOP_WORDS
        if _is_verb(w) and not word[0].isupper() and not modifier:
            return w, noun, " ".join(names)  # "armed" before "men" qualifies them
        if n >= _COUNT_WORDS:
            break
        if not _is_verb(w):
            noun = w
        if word[0].isupper():
            names.append(word)
    return "", "", ""


_NOT = {"not", "never", "no", "cannot"}
_TIME_UNIT = re.compile(r"^\s*-?\s*(?:second|minute|hour|day|week|month|year|decade)s?\b", re.I)


def actions(v: ClaimView) -> list[tuple[tuple[str, str, str], Value]]:
    """The counts of a claim that say how many something happened to, each with its verb, the
    noun it counts and the names that qualify it (``action``: "84 people were taken to
    hospital": (taken, people, ""), 84), and the zeros ("no one was injured")."""
    out = []
    for offset, q in v.quantities:
        if q.kind != "count" or _VAGUE.match(q.text.lower()):
            continue
        end = offset + len(q.text)
        if not _a_figure(v.text, offset, end, True):
            continue
        if re.search(r"\d[A-Za-z]+$", q.text) or _measurement(q, v.text[end : end + 30]):
            continue  # "14yo", "548km", "770 kilometers": an age or a measurement
        word, noun, names = action(v.text, end)
        if word:
            low, high = _total(q)
            out.append(((word, noun, names), _value(v, _phrase(v.text, offset, end), q.value, low, high)))
    for m in _ZERO.finditer(v.text):
        out.append(((m.group(2).lower(), _zero_noun(m), ""), _value(v, m.group(0), 0, 0.0, 0.0)))
    return out


def _zero_noun(m: re.Match) -> str:
    """What a zero counts: "no protesters were" -> protesters; "no one", "nobody" -> ""."""
    words = (m.group(1) or "").split()
    return words[-1].lower() if words else ""


def _is_verb(word: str) -> bool:
    if word in WORD_NUMBERS or word in SCALES:
        return False  # "hundred"
    return (word.endswith("ed") and len(word) > 4) or word in _PARTICIPLES


def event_day(v: ClaimView) -> Value | None:
    """The one calendar day a claim names. Written dates only ("Jan. 5"): a weekday or
    "yesterday" is resolved from each outlet's own publication date and time zone, and two
    outlets a day apart would disagree over nothing."""
    days = {
        w.value: w
        for _, w in v.whens
        if w.kind == "date" and w.precision == "day" and any(ch.isdigit() for ch in w.text)
    }
    if len(days) != 1:
        return None
    ((iso, w),) = days.items()
    return _value(v, w.text, iso)


def _times(v: ClaimView) -> list[tuple[int, Value]]:
    """Times of day, as minutes after midnight ("10:15 a.m.", "11 pm", "21:00"), with their
    offsets in the claim."""
    out = []
    for m in _TIME.finditer(v.text):
        hour, minute, half = (
            int(m.group(1)),
            int(m.group(2) or 0),
            (m.group(3) or "").lower().replace(".", ""),
        )
        if not half and m.group(2) is None:
            continue  # a bare number is not a time
        if not half and not (
            ":" in m.group(0)
            and (_AT.search(v.text[max(0, m.start() - 12) : m.start()]) or _ZONE.match(v.text[m.end() :]))
        ):
            continue  # "the 5.50 update", a video's "1:58": a time needs a.m./p.m., or "at 21:00", "21:00 GMT"
        if hour > 23 or minute > 59 or (half and hour > 12):
            continue
        if half == "pm" and hour < 12:
            hour += 12
        if half == "am" and hour == 12:
            hour = 0
        minutes = hour * 60 + minute
        slack = 30 if _ROUGHLY.search(v.text[max(0, m.start() - 20) : m.start()]) else 0
        value = _value(v, m.group(0).strip(), f"{hour:02d}:{minute:02d}", minutes - slack, minutes + slack)
        out.append((m.start(), value))
    return out


_DURATION = re.compile(
    r"\b(?P<q>nearly|almost|about|around|more than|over|at least|some|roughly|no more than|up to)?\s*"
    r"(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|fifty)"
    r"[\s-](?P<u>second|minute|hour|day|week|month|year)s?\b",
    re.I,
)
_DURATION_UNITS = {
    "second": "S",
    "minute": "MIN",
    "hour": "H",
    "day": "D",
    "week": "W",
    "month": "M",
    "year": "Y",
}
_PHRASE_END = {
    "in",
    "on",
    "at",
    "for",
    "and",
    "or",
    "to",
    "that",
    "with",
    "by",
    "from",
    "as",
    "when",
    "while",
}
_PHRASE_END |= {"was", "were", "is", "are", "had", "has", "have", "which", "who", "but"}
_RELATIONAL = {
    "later",
    "late",
    "earlier",
    "early",
    "ago",
    "after",
    "before",
    "since",
    "until",
    "into",
    "behind",
}
_SMALL = {"a": 1, "an": 1, **WORD_NUMBERS}  # "an hour", "five minutes"


def durations(v: ClaimView) -> list[tuple[str, Value]]:
    """Lengths of time, in seconds, as intervals ("no more than five minutes", "an hour")."""
    out = []
    for m in _DURATION.finditer(v.text):
        n = int(m.group("n")) if m.group("n").isdigit() else _SMALL.get(m.group("n").lower())
        if n is None or re.match(r"[\s-]old\b", v.text[m.end() : m.end() + 5]):
            continue  # "21-year-old" is an age
        unit = _DURATION_UNITS[m.group("u").lower()]
        seconds = n * _UNIT_SECONDS[unit]
        qual = (m.group("q") or "").lower()
        low, high = seconds, seconds
        if qual in ("nearly", "almost"):
            low = seconds * 0.8
        elif qual in ("about", "around", "some", "roughly"):
            low, high = seconds * 0.8, seconds * 1.25
        elif qual in ("more than", "over", "at least"):
            high = seconds * 10
        elif qual in ("no more than", "up to"):
            low = 0
        head = _head(v.text[m.end() : m.end() + 40])
        out.append((head, _value(v, m.group(0).strip(), f"{n} {m.group('u').lower()}", low, high)))
    return out


def _head(after: str) -> str:
    """What a length of time is of: the last word of the noun phrase after it, before any
    punctuation or preposition ("five-year war" -> war, "two days of US-brokered peace talks in"
    -> talks); none when nothing follows ("in five months,") or the words say when, not how long
    ("nine hours later", "five minutes before the bird")."""
    clause = re.split(r"[,.;:!?\"“”()]", after, maxsplit=1)[0]
    words = re.findall(r"[A-Za-z]+", clause)[:6]
    head = ""
    for n, word in enumerate(words):
        w = word.lower()
        if w in _RELATIONAL:
            return head if n else ""
        if n == 0 and w in ("of", "in", "the", "a", "an", "long", "old", "s"):
            continue
        if w in _PHRASE_END or (head and w in ("of", "the", "a", "an")):
            break
        if not word[0].isupper():
            head = w
    return head


_FRACTION_OF = re.compile(  # "a fifth of", "about two-thirds of": the tagger does not always mark them
    r"\b((?:(?:"
    + "|".join(re.escape(q) for q, _ in QUALIFIERS)
    + r")\s+)?(?:"
    + "|".join(re.escape(f) for f in sorted(FRACTIONS, key=len, reverse=True))
    + r"))\s+of\b",
    re.I,
)
_PERIOD_BEFORE = re.compile(  # "the first half of", "the latter half of": a part of a period
    r"\b(?:first|second|third|fourth|last|latter|former|other|final|back|front|opening|closing)[\s-]+$", re.I
)
_SPANS = (  # "a quarter of an hour", "half of the season": a share of a length, not of a thing
    *_DURATION_UNITS,
    *("decade", "century", "mile", "inch", "match", "game", "season", "quarter", "inning", "period", "term"),
)
_PERIOD_AFTER = re.compile(  # "... of an hour", "... of last year", "... of the 2019 season", "... of 2019"
    r"^\s*of\s+(?:(?:an?|the|this|last|next|that|his|her|their|its|our)\s+)?(?:\d{4}\b|(?:\d{4}\s+)?(?:"
    + "|".join(_SPANS)
    + r")(?:s|es)?\b(?![’']s))",
    re.I,
)


def _share_of_a_thing(text: str, start: int, end: int) -> bool:
    """Whether a share at ``text[start:end]`` is "of" something, not a part of a period or a
    length of time ("the first half of the year", "a quarter of an hour", "half of 2019")."""
    if not re.match(r"\s*of\b", text[end:]):
        return False
    return not _PERIOD_BEFORE.search(text[:start]) and not _PERIOD_AFTER.match(text[end:])


def scope(v: ClaimView) -> Value | None:
    """How much of something a claim says: a fraction or share "of" it (the first one), or the
    whole. A share the tagger did not mark as a number is read from the words too; neither is a
    share when it is part of a period or a length of time ("the first half of the year", "a
    quarter of an hour")."""
    found = [(offset, q) for offset, q in v.quantities if q.kind in ("fraction", "percent")]
    taken = [(offset, offset + len(q.text)) for offset, q in v.quantities]
    taken += [(offset, offset + len(w.text)) for offset, w in v.whens]
    for m in _FRACTION_OF.finditer(v.text):
        if not any(start < m.end(1) and m.start(1) < end for start, end in taken):
            found.append((m.start(1), parse_quantity(m.group(1))))
    for offset, q in sorted(found, key=lambda x: x[0]):
        if q is not None and _share_of_a_thing(v.text, offset, offset + len(q.text)):
            return _value(
                v, _phrase(v.text, offset, offset + len(q.text), 3), round(q.value, 3), q.low, q.high
            )
    m = _SCOPE_WHOLE.search(v.text)
    if m:
        return _value(v, _phrase(v.text, m.start(), m.end(), 2), 1.0, 1.0, 1.0)
    return None


def place(v: ClaimView) -> Value | None:
    """Where the claim says something happened: its one named place after "in" or "at"."""
    found: dict[str, str] = {}
    for offset, words, key in v.places:
        if key and _AT_PLACE.search(v.text[max(0, offset - 20) : offset]):
            found.setdefault(key, words)
    if len(found) != 1:
        return None
    ((key, words),) = found.items()
    return _value(v, words, key)


def negated(v: ClaimView) -> bool | None:
    """Whether a claim is negated: one negation is, none is not; with several ("did not try to
    intercept, and there was no damage") the negations are of different clauses, and whether
    the statement is negated is not known (None)."""
    found = len(_NEGATION.findall(v.text))
    return None if found > 1 else found == 1


def _same_place(a: str, b: str) -> bool:
    """One place, one inside the other (a city and its country), or a place the gazetteers do
    not know ("Terrigal Beach" may lie in "Australia"; "York County" may hold "York")."""
    if a == b or a in place_ancestors(b) or b in place_ancestors(a):
        return True
    return not (known_place(a) and known_place(b))


class _Units:
    """Whether two counted words count the same thing: the same stem, or close vectors of the
    words themselves ("troops" and "soldiers"; not "settlers" and "settlements")."""

    def __init__(self) -> None:
        self.cache: dict[str, object] = {}

    def same(self, a: str, b: str) -> bool:
        if a == b:
            return True
        if not a or not b:
            return False
        if stem(a) == stem(b):
            return True
        from builder.group.embed import load_embedder

        for w in (a, b):
            if w not in self.cache:
                self.cache[w] = load_embedder().encode([w])[0]
        return float(self.cache[a] @ self.cache[b]) >= UNIT_SIMILARITY


def _disagree(
    xs: list[tuple[tuple[str, ...], Value]],
    ys: list[tuple[tuple[str, ...], Value]],
    units: _Units,
    same=None,
):
    """Pairs of values of the same thing (``_same_keys``, or ``same(kx, ky)``) that cannot both
    hold: a value counts against the other side only when it is compatible with none of that
    side's values of the same thing ("15.5 and 8 percent" against "8 and 15.5 percent" is
    agreement)."""
    same = same or (lambda kx, ky: _same_keys(kx, ky, units))
    return _lonely([(x, y) for kx, x in xs for ky, y in ys if same(kx, ky)])


def _same_keys(kx: tuple[str, ...], ky: tuple[str, ...], units: _Units) -> bool:
    """Whether two figures are of one thing: their keys (what is counted, and what happened to
    it) agree wherever both sides give one, and both give at least one ("three radar satellites
    were launched" and "one rocket was launched" are not one figure)."""
    given = [(a, b) for a, b in zip(kx, ky, strict=True) if a and b]
    return bool(given) and all(units.same(a, b) for a, b in given)


def _lonely(same: list[tuple[Value, Value]]) -> list[tuple[Value, Value]]:
    """Of pairs of values of the same thing, those whose values agree with none of the other side's."""
    lonely_x = {id(x) for x, _ in same} - {id(x) for x, y in same if _overlaps(x, y)}
    lonely_y = {id(y) for _, y in same} - {id(y) for x, y in same if _overlaps(x, y)}
    return [(x, y) for x, y in same if id(x) in lonely_x and id(y) in lonely_y]


def _same_subject(a: ClaimView, b: ClaimView) -> bool:
    """Whether two claims can be giving two figures for one thing: their sentences are close
    (``AMOUNT_COSINE``) and, when both name people, organisations or places, they share one
    ("Saturn V ... 7.5 million pounds of thrust" is not "Falcon Heavy ... 5 million pounds")."""
    if cosine(a, b) < AMOUNT_COSINE:
        return False
    names_a, names_b = _name_words(a), _name_words(b)
    return not (names_a and names_b) or bool(names_a & names_b)


def _name_words(v: ClaimView) -> set[str]:
    """The words of a claim's names ("Tavon Kaiseen Alleyne" and "Alleyne" share one)."""
    return {w for e in v.entities for w in e.split() if len(w) > 2 and w not in _NAME_FILLER}


_NAME_FILLER = {"the", "and", "of", "on", "in", "for", "inc", "corp", "co", "ltd", "group"}


def _pair_conflicts(cid: str | None, pairs: list[tuple[Facts, Facts, bool]], units: _Units) -> list[dict]:
    """One conflict per attribute of a cluster, listing each disagreeing value once.

    Each pair says whether it is known to state one fact (``confident``: the model linked the
    two, scoring them at the threshold). Values with a head word (counts of the same
    thing, lengths of time of the same thing) are compared in any pair; a day, a time of day or
    a place, which a sentence may give for another event of the story, only in confident pairs.
    """
    found: dict[str, dict[tuple[str, str], Value]] = defaultdict(dict)
    reasons: dict[str, str] = {}

    def add(attribute: str, a: Value, b: Value, reason: str) -> None:
        found[attribute][(a.claim_id, a.text)] = a
        found[attribute][(b.claim_id, b.text)] = b
        reasons.setdefault(attribute, reason)

    for fa, fb, confident in pairs:
        # figures of one article's sentences are of different things (it does not contradict
        # its own numbers), and so are those of two days; across articles, of one thing only
        # when the sentences are about it
        has_figures = (fa.amounts or fa.durations) and (fb.amounts or fb.durations)
        one_subject = fa.view.article_id != fb.view.article_id and not _other_days(fa.view, fb.view)
        if has_figures and one_subject and _same_subject(fa.view, fb.view):
            for kind in ("count", "money", "percent", "measure"):
                xs = [(unit, x) for k, unit, x in fa.amounts if k == kind]
                ys = [(unit, y) for k, unit, y in fb.amounts if k == kind]
                if kind == "measure" and (len(xs) != 1 or len(ys) != 1):
                    continue  # several distances in one sentence: which is which is not known
                for x, y in _disagree(xs, ys, units):
                    add(kind, x, y, f"different {'numbers' if kind == 'count' else kind} for the same thing")
            named = [((h,), x) for h, x in fa.durations if h], [((h,), y) for h, y in fb.durations if h]
            for x, y in _disagree(*named, units):
                add("duration", x, y, "different lengths of time for the same thing")
        if fa.scope and fb.scope and not _overlaps(fa.scope, fb.scope):
            add("scope", fa.scope, fb.scope, "different extent (part against whole)")
        if not confident:
            continue
        if fa.day and fb.day and fa.day.value != fb.day.value and fa.view.article_id != fb.view.article_id:
            add("date", fa.day, fb.day, "different days given for the same event")
        if len(fa.times) == 1 and len(fb.times) == 1:
            (key_a, a), (key_b, b) = fa.times[0], fb.times[0]
            if key_a[1] == key_b[1] and not _overlaps(a, b):  # written in one zone
                add("time", a, b, "different times of day given for the same event")
        if fa.place and fb.place and not _same_place(fa.place.value, fb.place.value):
            add("place", fa.place, fb.place, "different places given for the same event")
    return [_conflict(cid, attr, list(vals.values()), reasons[attr]) for attr, vals in sorted(found.items())]


def cluster_conflicts(clusters: Clusters) -> list[dict]:
    """Members of one cluster, and close pairs of two clusters, that disagree."""
    views = clusters.views
    units = _Units()
    cache: dict[int, Facts] = {}

    def facts(i: int) -> Facts:
        if i not in cache:
            cache[i] = Facts.of(views[i])
        return cache[i]

    out: list[dict] = []
    for c in range(len(clusters.members)):
        group = clusters.all_members(c)[:MAX_COMPARED]
        if len(group) < 2:
            continue
        cid = cluster_id_for(views[clusters.members[c][0]])
        pairs = [
            (facts(i), facts(j), clusters.linked(i, j))  # a day or place: only when linked
            for i, j in combinations(group, 2)
            if views[i].text != views[j].text
        ]
        out.extend(_pair_conflicts(cid, pairs, units))
        out.extend(_negations(cid, pairs))
    # two clusters of one fact the model did not merge: their close pairs, with the score the
    # model gave them when clustering
    for (i, j), s in sorted(clusters.related.items()):
        if s < clusters.threshold * RELATED_FLOOR or views[i].article_id == views[j].article_id:
            continue
        pair = [(facts(i), facts(j), s >= clusters.threshold)]
        out.extend(_pair_conflicts(None, pair, units))
        if s >= NEGATION_FLOOR:
            out.extend(_negations(None, pair))
    return out  # a disagreement found twice is listed once by ``builder.group``


def story_conflicts(
    views: list[ClaimView], story_of: dict[str, str] | None, cluster_of: dict[str, str]
) -> list[dict]:
    """Figures that the articles of one story give differently, however their claims are
    clustered (a cluster's own comparisons need the sentences close; these do not):

    - counts of what happened to whom, however differently the sentences are worded ("no one
      was injured" against "two were injured during the show"; "84 people were taken to
      hospital" against "120 were taken to hospital"): the verb of the count (``action``) and,
      where both give one, the noun it counts make it one figure; within one article, only a
      casualty count of "no one" against some, neither dated away from publication
      (``_of_today``: an article's own figures are otherwise of different things);
    - times of day of one action ("landed at 10:15 a.m." against "will land at 9:45 am"), in
      the same zone as written, in sentences about one thing (``_same_subject``).

    Claims naming different days are of two events, and claims naming people, organisations or
    places must share a name. Per story and verb the ``MAX_COMPARED`` earliest claims are
    compared, and each set of disagreeing values is one record (a cluster's record of the same
    claims is kept instead), so the work and the output grow with the claims, not with their
    pairs. Without stories, a small run is one story (as for candidate pairs)."""
    if story_of is None and len(views) > STORY_MAX:
        return []
    buckets: dict[tuple[str, str, str], dict[str, tuple[ClaimView, list]]] = defaultdict(dict)
    for v in views:
        story = story_key(v, story_of)
        for attribute, found in (("count", actions(v)), ("time", _timed(v))):
            for keys, x in found:
                if not keys[0]:
                    continue
                if attribute == "count":  # by root, with the whole stem to tell verbs apart
                    key, rest = _root(keys[0]), (stem(keys[0]), *keys[1:])
                else:
                    key, rest = stem(keys[0]), keys[1:]
                claim = buckets[(story, attribute, key)].setdefault(v.claim_id, (v, []))
                claim[1].append((rest, x))
    units = _Units()

    def same_count(kx: tuple[str, ...], ky: tuple[str, ...]) -> bool:
        """Keys (verb stem, noun, names) of one bucket's root: one stem the other's start
        (injur / injuri, not transport / transfer), nouns alike, names equal where both give them."""
        (verb_x, noun_x, names_x), (verb_y, noun_y, names_y) = kx, ky
        if not (verb_x.startswith(verb_y) or verb_y.startswith(verb_x)):
            return False
        nouns = not noun_x or not noun_y or units.same(noun_x, noun_y)
        return nouns and (not names_x or not names_y or names_x == names_y)

    out = []
    for (_, attribute, key), claims in sorted(buckets.items()):
        members = sorted(claims.values(), key=lambda c: c[0].order_key)[:MAX_COMPARED]
        harm = attribute == "count" and key in HARM  # counts one article may contradict
        same = operator.eq if attribute == "time" else same_count  # a time's key is its zone
        sets: DisjointSets[tuple[str, str]] = DisjointSets()
        values: dict[tuple[str, str], Value] = {}
        for (a, xs), (b, ys) in combinations(members, 2):
            one_article = a.article_id == b.article_id
            if one_article and not (harm and _of_today(a) and _of_today(b)):
                continue
            if not _story_pair(a, b, same_article_ok=one_article) or (
                attribute == "time" and not _same_subject(a, b)
            ):
                continue
            for x, y in _disagree(xs, ys, units, same):
                if one_article and (x.high == 0) == (y.high == 0):
                    continue  # an article's own figures are of different things
                kx, ky = (x.claim_id, x.text), (y.claim_id, y.text)
                values[kx], values[ky] = x, y
                sets.add(kx)
                sets.add(ky)
                sets.union(kx, ky)
        groups: dict[tuple[str, str], list[Value]] = defaultdict(list)
        for key in sorted(values):
            groups[sets.find(key)].append(values[key])
        reason = (
            "different numbers for what happened to whom in one story"
            if attribute == "count"
            else "different times of day for one action"
        )
        for group in groups.values():
            ids = {x.claim_id for x in group}
            common = {cluster_of.get(i) for i in ids}
            out.append(_conflict(common.pop() if len(common) == 1 else None, attribute, group, reason))
    return out


NEAR_GAP = 0.05  # two figures of a story this close (relative gap), yet different, are one figure misreported
NEAR_MIN = 100  # ...when both are at least this large (small counts of a story are of many things)
NEAR_MAX = 200  # figures of one story and kind compared (earliest first), so the work stays bounded
_CURRENCY = re.compile(
    r"(US\$|C\$|A\$|\$|£|€|¥|₹)|\b(dollars?|euros?|pounds?|sterling|yen|yuan|rupees?|francs?)\b", re.I
)
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
_LABEL_BEFORE = re.compile(
    r"(?:\b([A-Z][\w-]*)|\b(?:No|no|number|Nos?)\.?|#)\s*$"
)  # "Flight 446", "Boeing 737"


def _currency(x: Value) -> str:
    m = _CURRENCY.search(x.text)
    if not m:
        return ""
    word = (m.group(1) or m.group(2)).lower().rstrip("s")
    return {"sterling": "£", "pound": "£", "euro": "€", "dollar": "$", "us$": "$"}.get(word, word)


def _as_written(v: ClaimView, x: Value) -> tuple[float, float] | None:
    """The interval a figure stands for as written: its qualifier's, widened by half a unit of
    its last stated digit ("143 million" is 142.5-143.5 million, "6,000" is 5,500-6,500, "7k" is
    6,500-7,500, "5,995.58" is itself), so rounding covers what it rounds; None for what is no
    quantity of a story: a label ("Flight 446", "Boeing 737", "No. 10") or a year ("in 2017")."""
    at = v.text.find(x.text)
    label = _LABEL_BEFORE.search(v.text[max(0, at - 30) : at]) if at > 0 else None
    if label and not (label.group(1) and label.group(1).lower() in STOP_WORDS):
        return None
    m = _DIGITS.search(x.text)
    if m is None:
        return x.low, x.high
    written = m.group(0).replace(",", "")
    if re.fullmatch(r"1[89]\d\d|20\d\d", written) and float(x.value) == float(written):
        return None
    number = float(written)
    if number <= 0:
        return None
    scale = float(x.value) / number  # "143 million": 1e6; "157 each": the total is the interval's
    if "." in written:
        unit = 10.0 ** -len(written.split(".")[1])
    else:
        unit = 10.0 ** (len(written) - len(written.rstrip("0")))
    slack = unit * scale / 2
    return x.low - slack, x.high + slack


def near_figures(
    views: list[ClaimView], story_of: dict[str, str] | None, cluster_of: dict[str, str]
) -> list[dict]:
    """Figures that articles of one story give almost alike but not alike ("143 million
    consumers" against "145.5 million people"; "$103bn" against "$105bn"): two counts, or two
    sums in one currency, both at least ``NEAR_MIN``, within ``NEAR_GAP`` of each other, that
    neither's rounding or qualifier covers (``_as_written``: "about 145 million" and "145
    million" cover 145.5 million). A story's different quantities are seldom this close, so such
    a pair is most often one quantity reported differently, whatever the sentences' words and
    whatever noun the counts count ("consumers", "people", "Americans"; requiring alike nouns
    halved the labelled conflicts found). Claims of two days, or naming no name in common, are
    not compared (``_story_pair``); without stories, only sentences about one thing
    (``_same_subject``). Figures written alike are one class; each record holds a class and
    the classes above it within the gap that it disagrees with, and no class is in two records,
    so none spans more than ``NEAR_GAP`` (a ladder of prices is not one record); per story and kind
    the ``NEAR_MAX`` earliest figures are compared, so the work is bounded per story."""
    if story_of is None and len(views) > STORY_MAX:
        return []
    stories: dict[str, list[int]] = defaultdict(list)  # one story's figures are held at a time
    for n, v in enumerate(views):
        stories[story_key(v, story_of)].append(n)
    out = []
    for story in sorted(stories):
        out.extend(_near_in_story([views[n] for n in stories[story]], story_of is None, cluster_of))
    return out


def _near_in_story(views: list[ClaimView], no_stories: bool, cluster_of: dict[str, str]) -> list[dict]:
    """``near_figures`` for the claims of one story."""
    buckets: dict[tuple[str, str], list[tuple[ClaimView, Value, float, float, float]]] = defaultdict(list)
    for v in views:
        for kind, _, x in amounts(v):
            middle = (x.low + x.high) / 2  # "157 each": 314, the total
            if kind not in ("count", "money") or middle < NEAR_MIN:
                continue
            interval = _as_written(v, x)
            if interval is not None:
                buckets[(kind, _currency(x) if kind == "money" else "")].append((v, x, middle, *interval))
    out = []
    for (kind, _), found in sorted(buckets.items()):
        figures = sorted(found, key=lambda f: f[0].order_key)[:NEAR_MAX]
        classes: dict[tuple[float, float, float], list[tuple[ClaimView, Value]]] = defaultdict(list)
        for v, x, *written in figures:  # figures written alike are one class ("143 million" x 5)
            classes[tuple(written)].append((v, x))
        ordered = sorted(classes)
        taken: set[int] = set()  # each class is in one record at most, so none chains records
        for n, (middle, low_x, high_x) in enumerate(ordered):
            if n in taken:
                continue
            joined, group = [n], {}
            for m in range(n + 1, len(ordered)):
                other, low_y, high_y = ordered[m]
                if other * (1 - NEAR_GAP) > middle:
                    break
                if m in taken or (low_x <= high_y and low_y <= high_x):
                    continue  # in a record already, or agrees as written
                for (a, x), (b, y) in product(classes[ordered[n]], classes[ordered[m]]):
                    if _story_pair(a, b) and (not no_stories or _same_subject(a, b)):
                        group[(x.claim_id, x.text)], group[(y.claim_id, y.text)] = x, y
                        joined.append(m)
            if not group:
                continue
            taken.update(joined)
            values = [group[k] for k in sorted(group)]
            common = {cluster_of.get(x.claim_id) for x in values}
            reason = "almost the same figure, given differently by articles of one story"
            out.append(_conflict(common.pop() if len(common) == 1 else None, kind, values, reason))
    return out


ROOT_LENGTH = 5  # truncation stemming: a count's verb is bucketed by its stem's first letters
HARM = {"injur", "kill", "hurt", "wound", "die", "dead", "death"}  # roots of casualty counts
RECENT_DAYS = 7  # a day this close to the article's publication is of the event it reports


def _root(word: str) -> str:
    """The word's stem cut to ``ROOT_LENGTH`` letters, so that a verb and its noun share one
    ("were injured" and "suffered injuries": Snowball gives injur / injuri)."""
    return stem(word)[:ROOT_LENGTH]


def _of_today(v: ClaimView) -> bool:
    """Whether a claim names no year, month or day other than the days around its publication:
    two such claims of one article giving a casualty count ("no one was injured" against "two
    people suffered minor injuries") may contradict each other; "In 2019, three workers were
    injured" is background, not today's toll. Other counts of one article ("no one was taken to
    hospital"; "two men were taken into custody") are of different things (``HARM``)."""
    for _, w in v.whens:
        if w.kind != "date":
            continue
        if w.precision != "day" or v.published is None:
            return False
        try:
            if abs((date.fromisoformat(w.value) - v.published).days) > RECENT_DAYS:
                return False
        except ValueError:
            return False
    return True


def _story_pair(a: ClaimView, b: ClaimView, same_article_ok: bool = False) -> bool:
    """Whether two claims of one story are compared by ``story_conflicts``: of two articles
    (or of one, with ``same_article_ok``), not one text, not of two days, and, when both name
    people, organisations or places, sharing one ("arrested in Leeds" is not "in York")."""
    if (a.article_id == b.article_id and not same_article_ok) or a.text == b.text or _other_days(a, b):
        return False
    names_a, names_b = _name_words(a), _name_words(b)
    return not (names_a and names_b) or bool(names_a & names_b)


_TIME_WORDS = {"am", "pm", "local", "time", "around", "about", "approximately", "shortly", "roughly"}


def _timed(v: ClaimView) -> list[tuple[tuple[str, str], Value]]:
    """Its times of day, each keyed by the word it is the time of (the last content word before
    it: "landed in Honolulu at 10:15 a.m." -> landed; "" when none) and the zone written after
    it ("none" when none: "3:15 p.m. GMT" is not compared with "10:15 a.m. local time" or with a
    bare "9:45 am")."""
    out = []
    for start, t in _times(v):
        words = re.findall(r"[A-Za-z]{2,}", v.text[max(0, start - 60) : start])
        zone = _ZONE.match(v.text[start + len(t.text) :])
        word = next(
            (
                w.lower()
                for w in reversed(words)
                if w.lower() not in STOP_WORDS and w.lower() not in _TIME_WORDS and not w[0].isupper()
            ),
            "",
        )
        out.append(((word, zone.group(0).strip().lower() if zone else "none"), t))
    return out


def _other_days(a: ClaimView, b: ClaimView) -> bool:
    """Whether two claims name days and no day in common (two days' tolls of one story)."""
    return bool(a.dates and b.dates and not a.dates & b.dates)


def _negations(cid: str | None, pairs: list[tuple[Facts, Facts, bool]]) -> list[dict]:
    """Pairs alike but for a negation: one negated, the other not, their vectors close (two
    members of one fact can differ by a "not" that is about something else)."""
    out = []
    for fa, fb, _ in pairs:
        if fa.negated is None or fb.negated is None or fa.negated == fb.negated:
            continue
        a, b = fa.view, fb.view
        if not _alike(a, b):
            continue
        values = [_value(a, a.text, not fa.negated), _value(b, b.text, not fb.negated)]
        out.append(_conflict(cid, "negation", values, "one states this, the other its negation"))
    return out


def weekday_conflicts(view: ClaimView, cluster_id: str) -> list[dict]:
    """A weekday next to a date that falls on another weekday ("Thursday, February 6, 2026")."""
    out = []
    for m in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r")\b\W{1,3}", view.text, re.I):
        rest = re.match(r"[^)]*?(\d{4}\b|\d{1,2}\b(?!,? \d{4}))", view.text[m.end() : m.end() + 30])
        w = parse_when(rest.group(0), view.published) if rest else None
        if w is None or w.kind != "date" or w.precision != "day":
            continue
        actual = weekday_of(w.value)
        said = m.group(1).lower()
        if actual and actual != said:
            stated = _value(view, m.group(1), said)
            dated = _value(view, w.text, w.value)
            reason = f"{w.value} is a {actual.capitalize()}, not a {said.capitalize()}"
            out.append(_conflict(cluster_id, "weekday", [stated, dated], reason))
    return out


def _alike(a: ClaimView, b: ClaimView) -> bool:
    return a.vector is not None and b.vector is not None and cosine(a, b) >= NEGATION_COSINE


def negation_conflicts(views: list[ClaimView], cluster_of: dict[str, str], score) -> list[dict]:
    """Two statements of one article, alike but for a negation."""
    by_article: dict[str, list[ClaimView]] = defaultdict(list)
    for v in views:
        by_article[v.article_id].append(v)
    out = []
    for group in by_article.values():
        group.sort(key=lambda v: v.claim_id)
        neg = {v.claim_id: negated(v) for v in group}
        for a, b in combinations(group, 2):
            na, nb = neg[a.claim_id], neg[b.claim_id]
            if na is None or nb is None or na == nb or not _alike(a, b) or score(a, b) < NEGATION_FLOOR:
                continue
            ca, cb = cluster_of[a.claim_id], cluster_of[b.claim_id]
            values = [_value(a, a.text, not na), _value(b, b.text, not nb)]
            out.append(
                _conflict(
                    ca if ca == cb else None,
                    "negation",
                    values,
                    "the same article states this and its negation",
                )
            )
    return out
