"""Normalisation of what claims mention: entities, numbers and quantities, dates and durations.

Everything here is a pure function of the claim (and, for entities, of the set of names seen in
the run), so grouping stays deterministic whatever the input order.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import lru_cache

from rapidfuzz import fuzz

from builder.group.places import alias, fold, place_ancestors  # noqa: F401 (place_ancestors is re-exported)
from builder.unionfind import DisjointSets

# ---------------------------------------------------------------- entities

_ARTICLES = re.compile(r"^(the|a|an)\s+", re.I)
_POSSESSIVE = re.compile(r"[’']s$")
_TITLES = re.compile(r"^(mr|mrs|ms|dr|president|prime minister|minister|gen|col|sir)\.?\s+", re.I)


def entity_key(text: str) -> str:
    """A spelling-insensitive key: accents, case, punctuation, titles and 'the' removed."""
    folded = _POSSESSIVE.sub("", text.strip())
    return alias(fold(_TITLES.sub("", _ARTICLES.sub("", folded))))


def skeleton(key: str) -> str:
    """A transliteration-insensitive form: -iy/-yy endings, doubled letters, kh/k, ph/f."""
    s = re.sub(r"(iy|yy|ij|ii|yi)\b", "y", key)
    s = s.replace("ph", "f").replace("ck", "k").replace("kh", "k").replace("dz", "z")
    return re.sub(r"(\w)\1+", r"\1", s)


@dataclass(frozen=True)
class EntityIndex:
    """Canonical form of every entity key seen in a run, with the variants kept."""

    canonical: dict[str, str]  # key -> canonical key
    variants: dict[str, list[str]]  # canonical key -> sorted surface forms

    def canon(self, text: str) -> str:
        key = entity_key(text)
        return self.canonical.get(key, key)


def build_entity_index(surface_forms: Counter[str]) -> EntityIndex:
    """Resolve spelling variants (fuzzy, within blocks sharing a skeleton prefix) to one canonical key.

    Person names also resolve a lone surname to the full name when exactly one full name ends in it.
    The canonical form is the most frequent key of the group (ties: longest, then alphabetical), so
    it depends only on the multiset of names, never on input order.
    """
    key_counts: Counter[str] = Counter()
    surfaces: dict[str, set[str]] = defaultdict(set)
    for text, n in surface_forms.items():
        key = entity_key(text)
        if key:
            key_counts[key] += n
            surfaces[key].add(text)
    sets = DisjointSets(key_counts)
    find, union = sets.find, sets.union

    blocks: dict[str, list[str]] = defaultdict(list)
    for key in sorted(key_counts):
        sk = skeleton(key)
        blocks[sk[:2]].append(key)
    for keys in blocks.values():
        for i, a in enumerate(keys):
            sa = skeleton(a)
            for b in keys[i + 1 :]:
                sb = skeleton(b)
                if sa == sb or (min(len(sa), len(sb)) >= 5 and fuzz.ratio(sa, sb) >= 88):
                    union(a, b)
    # a surname alone joins the one multi-word name ending with it
    last_word: dict[str, set[str]] = defaultdict(set)
    for key in key_counts:
        words = key.split()
        if len(words) >= 2:
            last_word[skeleton(words[-1])].add(find(key))
    for key in sorted(key_counts):
        if " " not in key and len(key) >= 4:
            owners = last_word.get(skeleton(key), set())
            if len({find(o) for o in owners}) == 1:
                union(key, next(iter(owners)))
    groups = sets.groups()
    canonical: dict[str, str] = {}
    variants: dict[str, list[str]] = {}
    for members in groups.values():
        best = sorted(members, key=lambda k: (-key_counts[k] * (1 + k.count(" ")), -len(k), k))[0]
        for k in members:
            canonical[k] = best
        variants[best] = sorted({s for k in members for s in surfaces[k]})
    return EntityIndex(canonical, variants)


# ---------------------------------------------------------------- numbers

WORD_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "dozen": 12,
    "a dozen": 12,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
FRACTIONS = {
    "half": 0.5,
    "a half": 0.5,
    "one half": 0.5,
    "a third": 1 / 3,
    "one third": 1 / 3,
    "two thirds": 2 / 3,
    "two-thirds": 2 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "three quarters": 0.75,
    "a fifth": 0.2,
    "one fifth": 0.2,
    "a tenth": 0.1,
    "one tenth": 0.1,
}
SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
QUALIFIERS = [
    ("more than", "gt"),
    ("over", "gt"),
    ("above", "gt"),
    ("in excess of", "gt"),
    ("at least", "ge"),
    ("no fewer than", "ge"),
    ("fewer than", "lt"),
    ("less than", "lt"),
    ("under", "lt"),
    ("below", "lt"),
    ("at most", "le"),
    ("up to", "le"),
    ("no more than", "le"),
    ("nearly", "approx_below"),
    ("almost", "approx_below"),
    ("just under", "approx_below"),
    ("about", "approx"),
    ("approximately", "approx"),
    ("around", "approx"),
    ("roughly", "approx"),
    ("some", "approx"),
    ("an estimated", "approx"),
    ("estimated", "approx"),
    ("exactly", "eq"),
    ("only", "eq"),
]
_QUAL_RE = re.compile(r"^(" + "|".join(re.escape(q) for q, _ in QUALIFIERS) + r")\s+", re.I)
_NUM_RE = re.compile(r"(?P<cur>[$£€])?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>[a-z]+)?", re.I)
_EACH_RE = re.compile(r"^\W*(\w+\W+){0,4}?(each|apiece|from each side|on each side|per side)\b", re.I)
_UNIT_STOP = {"of", "the", "a", "an", "and", "from", "in", "on", "to", "each", "who", "which", "that"}


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as stated: value, how it is qualified, and what it counts."""

    text: str
    kind: str  # count | percent | fraction | ordinal | money | range
    value: float
    qualifier: str  # eq | gt | ge | lt | le | approx | approx_below
    low: float
    high: float
    unit: str  # the counted word, singular ("prisoner"), or "" when unknown
    each: bool  # "157 each": per party, not in total

    def to_dict(self) -> dict:
        return asdict(self)


def _bounds(value: float, qualifier: str, kind: str = "count") -> tuple[float, float]:
    slack = 0.03 if kind in ("fraction", "percent") else max(abs(value) * 0.1, 1.0)
    return {
        "gt": (value, value * 10 + 10),
        "ge": (value, value * 10 + 10),
        "lt": (0.0, value),
        "le": (0.0, value),
        "approx": (value - slack, value + slack),
        "approx_below": (value - slack, value),
    }.get(qualifier, (value, value))


def parse_quantity(text: str, after: str = "") -> Quantity | None:
    """Parse a number mention ("more than 300", "55,000", "a fifth", "20%", "157" + " each")."""
    raw = text.strip()
    s = raw.lower().replace("\u2013", "-").replace("\u2014", "-")
    s = re.sub(r"^([a-z]+)-([a-z]+) ", r"\1 \2 ", s)  # "more-than 11 million"
    qualifier = "eq"
    m = _QUAL_RE.match(s)
    if m:
        qualifier = dict(QUALIFIERS)[m.group(1).lower()]
        s = s[m.end() :]
    s = s.strip()
    kind = "count"
    value: float | None = None
    low = high = None
    if s in FRACTIONS or s.removeprefix("about ") in FRACTIONS:
        kind, value = "fraction", FRACTIONS[s.removeprefix("about ")]
    elif s in ORDINALS or re.fullmatch(r"\d+(st|nd|rd|th)", s):
        kind = "ordinal"
        value = float(ORDINALS.get(s) or re.match(r"\d+", s).group())
    elif m := re.fullmatch(r"(tens|hundreds|thousands|millions|billions)( of (thousands|millions))?", s):
        unit = {"tens": 10, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
        base = unit[m.group(1)] * (unit[m.group(3)] if m.group(3) else 1)
        value, low, high, qualifier = base, base, base * 10 - 1, "approx"
    else:
        nm = _NUM_RE.search(s)
        if nm:
            value = float(nm.group("num").replace(",", ""))
            scale = (nm.group("scale") or "").lower()
            if scale in SCALES:
                value *= SCALES[scale]
            if nm.group("cur"):
                kind = "money"
            if "%" in s[nm.end() :] or "per cent" in s or "percent" in s:
                kind, value = "percent", value / 100
        else:
            words = s.split()
            if words and (words[0] in WORD_NUMBERS or " ".join(words[:2]) in WORD_NUMBERS):
                value = float(WORD_NUMBERS.get(" ".join(words[:2]), WORD_NUMBERS.get(words[0], 0)))
                if len(words) > 1 and words[1] in SCALES:
                    value *= SCALES[words[1]]
    if value is None:
        return None
    if low is None:
        low, high = _bounds(value, qualifier, kind)
    each = bool(_EACH_RE.match(after))
    return Quantity(raw, kind, value, qualifier, low, high, counted_noun(after), each)


def counted_noun(after: str) -> str:
    """The word a number counts: the first content word after it ("314 prisoners of war")."""
    for word in re.findall(r"[A-Za-z][A-Za-z-]*", after)[:4]:
        w = word.lower()
        if w in _UNIT_STOP or w in ("more", "new", "other", "people", "persons") or alias(w) != w:
            continue  # "40 Chilean miners" counts miners; "84 people taken" counts the taken
        return w[:-1] if w.endswith("s") and len(w) > 3 and not w.endswith("ss") else w
    return ""


# ---------------------------------------------------------------- dates and durations

WEEKDAYS = [d.lower() for d in calendar.day_name]
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "Y"}


@dataclass(frozen=True, slots=True)
class When:
    """A date resolved to ISO with its precision, or a duration in ISO 8601 (P5M)."""

    text: str
    kind: str  # date | duration
    value: str  # "2025-09" / "2026-02-05" / "P5M"
    precision: str  # day | month | year (dates); D W M Y (durations)
    qualifier: str  # eq | approx | approx_below | gt | ...
    weekday: str | None = None  # the weekday the text names, if any

    def to_dict(self) -> dict:
        return asdict(self)


def _word_or_int(s: str) -> int | None:
    s = s.lower().strip()
    if s.isdigit():
        return int(s)
    if s in ("a", "an", "one"):
        return 1
    return WORD_NUMBERS.get(s)


_DURATION_RE = re.compile(
    r"^(?:(?P<q>nearly|almost|about|around|more than|over|at least|some|roughly|just under)\s+)?"
    r"(?P<n>\d+|a|an|[a-z]+)[\s-](?P<u>day|week|month|year|decade)s?(?:[\s-]long|[\s-]old)?$",
    re.I,
)


def parse_when(text: str, published: date | None) -> When | None:
    """Resolve a date or duration mention against the article's publication date."""
    raw = text.strip()
    s = re.sub(r"^(the|on|in|since|by)\s+", "", raw.lower()).strip(" .,")
    weekday = next((w for w in WEEKDAYS if re.search(rf"\b{w}\b", s)), None)
    m = _DURATION_RE.match(s)
    if m and (n := _word_or_int(m.group("n"))) is not None:
        unit = m.group("u").lower()
        n = n * 10 if unit == "decade" else n
        qual = dict(QUALIFIERS).get((m.group("q") or "").lower(), "eq")
        return When(raw, "duration", f"P{n}{UNITS[unit]}", UNITS[unit], qual)
    if published is None:
        return _absolute(raw, s, None, weekday)
    if s in ("today", "this day"):
        return When(raw, "date", published.isoformat(), "day", "eq", weekday)
    if s == "yesterday":
        return When(raw, "date", (published - timedelta(days=1)).isoformat(), "day", "eq", weekday)
    if s in WEEKDAYS:
        back = (published.weekday() - WEEKDAYS.index(s)) % 7
        return When(raw, "date", (published - timedelta(days=back)).isoformat(), "day", "eq", weekday)
    m = re.fullmatch(r"(last|this|next) (\w+)", s)
    if m and m.group(2) in MONTHS:
        month = MONTHS[m.group(2)]
        year = published.year
        if m.group(1) == "last" and month >= published.month:
            year -= 1
        if m.group(1) == "next" and month <= published.month:
            year += 1
        return When(raw, "date", f"{year:04d}-{month:02d}", "month", "eq", weekday)
    m = re.fullmatch(r"last (year|month|week)", s)
    if m:
        if m.group(1) == "year":
            return When(raw, "date", f"{published.year - 1:04d}", "year", "eq")
        if m.group(1) == "month":
            prev = published.replace(day=1) - timedelta(days=1)
            return When(raw, "date", f"{prev.year:04d}-{prev.month:02d}", "month", "eq")
    return _absolute(raw, s, published, weekday)


_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_ABS_PATTERNS = [
    (
        re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<m>{_MONTH_ALT})\.?,? (?P<y>\d{{4}})\b"),
        "day",
    ),
    (re.compile(rf"\b(?P<m>{_MONTH_ALT})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})\b"), "day"),
    (re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<m>{_MONTH_ALT})\b\.?"), "day"),
    (re.compile(rf"\b(?P<m>{_MONTH_ALT})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"), "day"),
    (re.compile(rf"\b(?P<m>{_MONTH_ALT})\.?,? (?P<y>\d{{4}})\b"), "month"),
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"), "day"),
    (re.compile(r"^(?:in )?(?P<y>(?:19|20)\d{2})$"), "year"),
]


def _absolute(raw: str, s: str, published: date | None, weekday: str | None) -> When | None:
    for pattern, precision in _ABS_PATTERNS:
        m = pattern.search(s)
        if not m:
            continue
        parts = m.groupdict()
        month = parts.get("m")
        month_n = int(month) if month and month.isdigit() else MONTHS.get(month or "", 0)
        year = int(parts["y"]) if parts.get("y") else None
        if year is None:
            if published is None:
                return None
            year = published.year
            # "December 28" in an article of 3 January is last year's
            if month_n - published.month > 6:
                year -= 1
        if precision == "year":
            return When(raw, "date", f"{year:04d}", "year", "eq", weekday)
        if precision == "month":
            return When(raw, "date", f"{year:04d}-{month_n:02d}", "month", "eq", weekday)
        try:
            day = date(year, month_n, int(parts["d"]))
        except ValueError:
            return None
        return When(raw, "date", day.isoformat(), "day", "eq", weekday)
    return None


def weekday_of(iso: str) -> str | None:
    """The weekday of a day-precision ISO date."""
    try:
        return WEEKDAYS[date.fromisoformat(iso).weekday()] if len(iso) == 10 else None
    except ValueError:
        return None


def months_before(published: date, months: int) -> str:
    """The month (YYYY-MM) that lies ``months`` before the publication date."""
    total = published.year * 12 + published.month - 1 - months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


@lru_cache(maxsize=4096)
def parse_published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
