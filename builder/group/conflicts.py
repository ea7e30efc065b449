"""Conflicts: members of a cluster that state different values for the same attribute, and
statements inside one article that cannot both be true.

Attributes compared (each value normalised first, so "314" and "157 each" or "five months" and
"last September" agree):

- ``count``: numbers counting the same thing (prisoners, soldiers...), compared as intervals;
- ``since``: when the previous occurrence was ("first since October 2", "first in five months");
- ``date``: the one day an event happened, when both claims name exactly one;
- ``duration``: how long the same thing lasted ("23-month conflict", "nearly four years");
- ``scope``: how much of something is demanded or held ("a fifth of" against "the entire");
- ``place``: where an event happened, when both claims name exactly one place after "in";
- ``place``: places inside one another agree (Abu Dhabi and the United Arab Emirates);

Close claims left in different clusters (two facts of one event) are also compared on
``date``, ``since``, ``duration`` and ``scope``, and a story's articles (those sharing a
cluster) on the length of the war or other durations; such conflicts have ``cluster_id`` null.

- ``weekday`` (within one claim): a weekday that does not match the date it names;
- ``negation`` (within one article): a statement and its negation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from builder.group.cluster import ClaimView, Clusters, cluster_id_for, similarity
from builder.group.normalize import WEEKDAYS, Quantity, months_before, parse_when, place_ancestors, weekday_of
from builder.records import short_id

RELATED_FLOOR = 0.25  # claims of two clusters this similar may be about one event
RELATED_DAY_FLOOR = 0.3  # ...and this similar to compare the day it happened
PAIR_FLOOR = 0.3  # members compared for conflicts must be at least this similar to each other
NEGATION_SIMILARITY = 0.75
_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|denied|denies|refused|without)\b|n[’']t\b", re.I)
_SINCE = re.compile(r"\b(since|last\b[^.]{0,40}\b(?:on|in))\s+$", re.I)
_FIRST_IN = re.compile(r"\bfirst\b[^.]{0,60}\bin\s+$", re.I)
_SCOPE_WHOLE = re.compile(r"\b(the entire|the whole|all of|the rest of)\b", re.I)
_DEMAND = re.compile(r"\b(demand\w*|cede\w*|withdraw\w*|hand over|give up|surrender\w*|insist\w*)\b", re.I)
_PLACE_LABELS = ("GPE", "LOC", "FAC")
DURATION_HEADS = {
    "war": "war",
    "conflict": "war",
    "fighting": "war",
    "invasion": "war",
    "occupation": "occupation",
    "captivity": "captivity",
    "captive": "captivity",
    "ceasefire": "ceasefire",
    "talks": "talks",
    "sentence": "sentence",
    "contract": "contract",
    "deal": "deal",
}


@dataclass(frozen=True)
class Value:
    claim_id: str
    article_id: str
    text: str  # the words of the claim that state the value
    value: object  # the normalised value
    low: float | None = None
    high: float | None = None

    def to_dict(self) -> dict:
        out = {
            "claim_id": self.claim_id,
            "article_id": self.article_id,
            "text": self.text,
            "value": self.value,
        }
        if self.low is not None:
            out["low"], out["high"] = self.low, self.high
        return out


def _total(q: Quantity) -> tuple[float, float]:
    """A count as a total: "157 each" between two sides is 314."""
    return (q.low * 2, q.high * 2) if q.each else (q.low, q.high)


def counts(v: ClaimView) -> dict[str, list[Value]]:
    out: dict[str, list[Value]] = defaultdict(list)
    for _, q in v.quantities:
        if q.kind == "count" and q.unit:
            low, high = _total(q)
            shown = f"{q.value:g} each" if q.each else f"{q.value:g}"
            out[q.unit].append(Value(v.claim_id, v.article_id, q.text, shown, low, high))
    return out


def since(v: ClaimView) -> list[Value]:
    """When the previous occurrence was, as a month: "since October 2, 2025", "first in five months"."""
    out = []
    for offset, w in v.whens:
        before = v.text[max(0, offset - 80) : offset]
        if w.kind == "date" and _SINCE.search(before):
            out.append(Value(v.claim_id, v.article_id, w.text, w.value[:7]))
        elif w.kind == "duration" and w.precision == "M" and v.published and _FIRST_IN.search(before):
            months = int(w.value[1:-1])
            out.append(Value(v.claim_id, v.article_id, w.text, months_before(v.published, months)))
    return out


def event_day(v: ClaimView) -> Value | None:
    days = {w.value: w for _, w in v.whens if w.kind == "date" and w.precision == "day"}
    if len(days) != 1 or since(v):
        return None
    ((iso, w),) = days.items()
    return Value(v.claim_id, v.article_id, w.text, iso)


def durations(v: ClaimView) -> dict[str, list[Value]]:
    out: dict[str, list[Value]] = defaultdict(list)
    for offset, w in v.whens:
        if w.kind != "duration":
            continue
        after = v.text[offset + len(w.text) : offset + len(w.text) + 40].lower()
        words = re.findall(r"[a-z]+", after)[:5]
        head = next((DURATION_HEADS[x] for x in words if x in DURATION_HEADS), None)
        if head is None:
            continue
        n, unit = int(w.value[1:-1]), w.value[-1]
        months = n * {"Y": 12, "M": 1, "W": 0.25, "D": 1 / 30}[unit]
        low, high = months, months
        if w.qualifier == "approx_below":
            low = months * 0.85
        elif w.qualifier == "approx":
            low, high = months * 0.85, months * 1.15
        out[head].append(Value(v.claim_id, v.article_id, w.text, w.value, low, high))
    return out


def scope(v: ClaimView) -> Value | None:
    if not _DEMAND.search(v.text):
        return None
    for _, q in v.quantities:
        if q.kind in ("fraction", "percent"):
            return Value(v.claim_id, v.article_id, q.text, round(q.value, 3), q.low, q.high)
    m = _SCOPE_WHOLE.search(v.text)
    if m:
        return Value(v.claim_id, v.article_id, m.group(0), 1.0, 1.0, 1.0)
    return None


_AT_PLACE = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$", re.I)


def place(v: ClaimView) -> Value | None:
    """Where the claim says something happened: its one named place after "in" or "at"."""
    found: dict[str, str] = {}
    for offset, words, key in v.places:
        if key and _AT_PLACE.search(v.text[max(0, offset - 20) : offset]):
            found.setdefault(key, words)
    if len(found) != 1:
        return None
    ((key, words),) = found.items()
    return Value(v.claim_id, v.article_id, words, key)


def _same_place(a: str, b: str) -> bool:
    """One place, or one inside the other (Abu Dhabi and the United Arab Emirates)."""
    return a == b or a in place_ancestors(b) or b in place_ancestors(a)


def _overlaps(a: Value, b: Value) -> bool:
    return a.low <= b.high and b.low <= a.high


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
    }


@dataclass
class Facts:
    """The comparable values one claim states (computed once per claim, not per pair)."""

    view: ClaimView
    counts: dict[str, list[Value]]
    since: list[Value]
    day: Value | None
    durations: dict[str, list[Value]]
    scope: Value | None
    place: Value | None

    @classmethod
    def of(cls, v: ClaimView) -> Facts:
        return cls(v, counts(v), since(v), event_day(v), durations(v), scope(v), place(v))

    def any(self) -> bool:
        return bool(self.counts or self.since or self.day or self.durations or self.scope or self.place)


MAX_COMPARED = 60  # members of a cluster compared pairwise for conflicts (earliest first)


def cluster_conflicts(clusters: Clusters) -> list[dict]:
    """Members of one cluster, from the same or different articles, that disagree."""
    views = clusters.views
    found: list[dict] = []
    for group in clusters.members:
        if len(group) < 2:
            continue
        cid = cluster_id_for(views[group[0]])
        facts = [f for f in (Facts.of(views[i]) for i in group[:MAX_COMPARED]) if f.any()]
        pairs = [
            (a, b)
            for a, b in combinations(facts, 2)
            if a.view.text != b.view.text and similarity(a.view, b.view) >= PAIR_FLOOR
        ]
        found.extend(_pair_conflicts(cid, pairs))
    found.extend(_merge_overlapping(_related_conflicts(clusters) + _story_conflicts(clusters)))
    return found


def _merge_overlapping(records: list[dict]) -> list[dict]:
    """Conflicts on one attribute that share a claim become one (each value listed once)."""
    out: list[dict] = []
    by_attr: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_attr[r["attribute"]].append(r)
    for attribute in sorted(by_attr):
        groups: list[tuple[set[str], dict[tuple[str, str], dict], str]] = []
        for r in by_attr[attribute]:
            ids = set(r["claim_ids"])
            values = {(v["claim_id"], v["text"]): v for v in r["values"]}
            touching = [g for g in groups if g[0] & ids]
            for g in touching:
                groups.remove(g)
                ids |= g[0]
                values.update(g[1])
            groups.append((ids, values, r["reason"]))
        for _, values, reason in groups:
            merged = [
                Value(v["claim_id"], v["article_id"], v["text"], v["value"], v.get("low"), v.get("high"))
                for v in values.values()
            ]
            out.append(_conflict(None, attribute, merged, reason))
    return out


def _story_conflicts(clusters: Clusters) -> list[dict]:
    """Background facts of one story that its articles give differently: how long the war has
    lasted ("the 23-month conflict" against "the nearly four-year conflict"). Articles are of
    one story when they report a fact in common (share a cluster); their claims naming the
    length of the same thing are compared, whichever cluster they are in (``cluster_id`` null).
    """
    views = clusters.views
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for group in clusters.members:
        articles = sorted({views[i].article_id for i in group[:MAX_COMPARED]})
        for other in articles[1:]:
            ra, rb = find(articles[0]), find(other)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    cluster_of = {i: n for n, group in enumerate(clusters.members) for i in group}
    index_of = {v.claim_id: i for i, v in enumerate(views)}
    by_story: dict[str, list[Facts]] = defaultdict(list)
    for v in sorted(views, key=lambda v: v.claim_id):
        if v.article_id in parent and any(w.kind == "duration" for _, w in v.whens):
            f = Facts.of(v)
            if f.durations:
                by_story[find(v.article_id)].append(f)
    out = []
    for story in sorted(by_story):
        members = by_story[story][:MAX_COMPARED]
        pairs = [
            (a, b)
            for a, b in combinations(members, 2)
            if a.view.article_id != b.view.article_id
            # members of one cluster are compared with their cluster already
            and cluster_of[index_of[a.view.claim_id]] != cluster_of[index_of[b.view.claim_id]]
        ]
        out.extend(_pair_conflicts(None, pairs, ("duration",)))
    return out


RELATED_ATTRIBUTES = ("date", "since", "duration", "scope")


def _related_conflicts(clusters: Clusters) -> list[dict]:
    """Close claims of different articles left in different clusters (two facts of one event:
    "the talks ended on February 6" and "the swap followed the talks on Thursday, February 5")
    that disagree on when, or on how long: such values are about the shared event, not about
    what tells the two facts apart. Their conflicts have no cluster (``cluster_id`` null)."""
    views = clusters.views
    cluster_of = {i: n for n, group in enumerate(clusters.members) for i in group}
    cache: dict[int, Facts] = {}

    def facts(i: int) -> Facts:
        if i not in cache:
            cache[i] = Facts.of(views[i])
        return cache[i]

    by_pair: dict[tuple[int, int], list[tuple[Facts, Facts]]] = defaultdict(list)
    for (i, j), s in sorted(clusters.related.items()):
        if s < RELATED_FLOOR or views[i].article_id == views[j].article_id:
            continue
        a, b = facts(i), facts(j)
        if a.any() and b.any():
            # the day needs closer claims: two days of one event are often told apart
            close = s >= RELATED_DAY_FLOOR
            key = (*sorted((cluster_of[i], cluster_of[j])), close)
            by_pair[key].append((a, b))
    out = []
    for key in sorted(by_pair):
        attributes = RELATED_ATTRIBUTES if key[-1] else tuple(a for a in RELATED_ATTRIBUTES if a != "date")
        out.extend(_pair_conflicts(None, by_pair[key], attributes))
    return out


def _pair_conflicts(
    cid: str | None, pairs: list[tuple[Facts, Facts]], attributes: tuple[str, ...] | None = None
) -> list[dict]:
    """One conflict per attribute of a cluster, listing each disagreeing value once."""
    by_attr: dict[tuple[str, str], dict[tuple[str, str], Value]] = defaultdict(dict)
    reasons: dict[tuple[str, str], str] = {}

    def add(key: tuple[str, str], a: Value, b: Value, reason: str) -> None:
        if attributes is not None and key[0] not in attributes:
            return
        by_attr[key][(a.claim_id, a.text)] = a
        by_attr[key][(b.claim_id, b.text)] = b
        reasons.setdefault(key, reason)

    for fa, fb in pairs:
        a, b = fa.view, fb.view
        ca, cb = fa.counts, fb.counts
        for unit in sorted(set(ca) & set(cb)):
            for x in ca[unit]:
                for y in cb[unit]:
                    if not _overlaps(x, y):
                        add(("count", unit), x, y, f"different numbers of {unit}s for the same event")
        for x in fa.since:
            for y in fb.since:
                if x.value != y.value:
                    add(
                        ("since", ""), x, y, "different dates for the previous occurrence (compared by month)"
                    )
        ea, eb = fa.day, fb.day
        if ea and eb and ea.value != eb.value and a.article_id != b.article_id:
            add(("date", ""), ea, eb, "different days given for the same event")
        da, db = fa.durations, fb.durations
        for head in sorted(set(da) & set(db)):
            for x in da[head]:
                for y in db[head]:
                    if not _overlaps(x, y):
                        add(("duration", head), x, y, f"different lengths given for the {head}")
        sa, sb = fa.scope, fb.scope
        if sa and sb and not _overlaps(sa, sb):
            add(("scope", ""), sa, sb, "different extent of what is demanded or held")
        pa, pb = fa.place, fb.place
        if pa and pb and not _same_place(pa.value, pb.value):
            add(("place", ""), pa, pb, "different places given for the same event")
    return [
        _conflict(cid, attr if not sub else f"{attr}:{sub}", list(vals.values()), reasons[(attr, sub)])
        for (attr, sub), vals in sorted(by_attr.items())
    ]


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
            stated = Value(view.claim_id, view.article_id, m.group(1), said)
            dated = Value(view.claim_id, view.article_id, w.text, w.value)
            out.append(
                _conflict(
                    cluster_id,
                    "weekday",
                    [stated, dated],
                    f"{w.value} is a {actual.capitalize()}, not a {said.capitalize()}",
                )
            )
    return out


def negation_conflicts(views: list[ClaimView], cluster_of: dict[str, str]) -> list[dict]:
    """Two statements of one article, alike but for a negation."""
    by_article: dict[str, list[ClaimView]] = defaultdict(list)
    for v in views:
        by_article[v.article_id].append(v)
    out = []
    for group in by_article.values():
        group.sort(key=lambda v: v.claim_id)
        negated = {v.claim_id: len(_NEGATION.findall(v.text)) % 2 for v in group}
        for a, b in combinations(group, 2):
            if negated[a.claim_id] == negated[b.claim_id]:
                continue
            if similarity(a, b) < NEGATION_SIMILARITY:
                continue
            ca, cb = cluster_of[a.claim_id], cluster_of[b.claim_id]
            values = [Value(a.claim_id, a.article_id, a.text, negated[a.claim_id] == 0)]
            values.append(Value(b.claim_id, b.article_id, b.text, negated[b.claim_id] == 0))
            out.append(
                _conflict(
                    ca if ca == cb else None,
                    "negation",
                    values,
                    "the same article states this and its negation",
                )
            )
    return out
