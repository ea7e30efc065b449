"""Metadata that scraped plain-text articles carry in their first lines.

Real files put the title first, sometimes behind a timestamp ("Thu Feb 05 13:43:22 UTC
2026: ### Title"), then any of: a byline ("By Jane Roe | Editor", or "By" on its own
line), the author's name and role repeated, a date line ("Published 4 February 2026"),
a reading time; the body may open with a wire dateline ("LIMA, March 3 (Reuters) –").
Every header line found is excluded from the candidates as ``metadata``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import dateparser

from builder.records import Span

HEADER_WINDOW = 12  # non-empty lines looked at for a header
DATE_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month"]}
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
FULL_DATE = re.compile(
    rf"\b(?:{MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d\d|\d{{1,2}} {MONTH},? (?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d)\b"
)
TIMESTAMP_TITLE = re.compile(r"^(?P<date>[^:]{0,12}\d[^#]{4,40}?\d{4})\s*:\s*(?P<title>.+)$")
BYLINE = re.compile(r"^by\s+(?P<name>[^|,–—]+?)\s*(?:[|,–—]\s*(?P<role>.+))?$", re.IGNORECASE)
DATE_LINE = re.compile(
    r"^(?:(?:published|updated|posted|date)\s*(?:on)?\s*:?\s*)?(?P<date>.{4,50})$", re.IGNORECASE
)
READ_TIME = re.compile(r"^\d+\s*min(?:ute)?s?\s+read$", re.IGNORECASE)
DATELINE = re.compile(
    rf"(?P<place>[A-Z][A-Z .'/&-]{{1,60}}),\s+(?P<date>{MONTH} \d{{1,2}}(?:,? \d{{4}})?)\s+"
    r"\((?P<agency>[A-Za-z .&]{2,40})\)\s*[–—-]\s*"
)
NAME = re.compile(r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,4}$")


@dataclass
class Header:
    """What the first lines said, and where they are."""

    title: str | None = None
    author: str | None = None
    role: str | None = None
    publisher: str | None = None
    published: str | None = None  # ISO date when the year is known
    published_raw: str | None = None
    published_basis: str | None = None  # header | dateline | body
    month_day: tuple[int, int] | None = None  # a date seen without its year
    spans: list[Span] = field(default_factory=list)
    body_start: int = 0


def lines_with_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line ending; any of \\n, \\r\\n, \\r."""
    return [
        (m.start(), m.start() + len(m.group(1))) for m in re.finditer(r"([^\r\n]*)(?:\r\n|\r|\n|$)", text)
    ][:-1] or [(0, len(text))]


def parse_date(raw: str) -> tuple[str | None, tuple[int, int] | None]:
    """(ISO date, None) when the text names a full date; (None, (month, day)) when it lacks the year."""
    raw = raw.strip()
    if not raw or not re.search(r"\d", raw):
        return None, None
    parsed = dateparser.parse(raw, languages=["en"], settings=DATE_SETTINGS)
    if parsed is None:
        return None, None
    if YEAR.search(raw):
        return parsed.date().isoformat(), None
    return None, (parsed.month, parsed.day)


def resolve_year(month_day: tuple[int, int], reference: date) -> str:
    """The latest date on or before ``reference`` (plus a day of slack) with this month and day."""
    month, day = month_day
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if (candidate - reference).days <= 1:
            return candidate.isoformat()
    return date(reference.year - 1, month, min(day, 28)).isoformat()


def parse_header(text: str) -> Header:
    """Read title, byline, date and dateline from the first lines of a plain-text article."""
    header = Header()
    lines = [(s, e) for s, e in lines_with_offsets(text) if text[s:e].strip()][:HEADER_WINDOW]
    if not lines:
        return header
    if not _read_title(text, lines[0], header):
        return header
    body_index = _read_byline_and_date(text, lines, header)
    if body_index < len(lines):
        header.body_start = lines[body_index][0]
        _read_dateline(text, lines[body_index:], header)
    if header.published is None and header.month_day is None:
        match = FULL_DATE.search(text, header.body_start, header.body_start + 3000)
        if match:
            header.published, _ = parse_date(match.group(0))
            header.published_raw, header.published_basis = match.group(0), "body"
    return header


def _mark(header: Header, start: int, end: int, detail: str) -> None:
    header.spans.append(Span(start, end, "metadata", detail))


def _take_date(header: Header, raw: str, basis: str) -> bool:
    if header.published or header.month_day:
        return False
    iso, month_day = parse_date(raw)
    if iso is None and month_day is None:
        return False
    header.published, header.month_day = iso, month_day
    header.published_raw, header.published_basis = raw.strip(), basis
    return True


def _read_title(text: str, line: tuple[int, int], header: Header) -> bool:
    """Take the first line as the title, unless it reads as a sentence (ends with a full stop)."""
    start, end = line
    title = text[start:end].strip()
    if re.search(r"\.[\"'”’)]*$", title):
        return False
    stamped = TIMESTAMP_TITLE.match(title)
    if stamped and _take_date(header, stamped.group("date"), "header"):
        title = stamped.group("title")
    header.title = title.lstrip("#").strip() or None
    _mark(header, start, end, "title")
    return True


def _read_byline_and_date(text: str, lines: list[tuple[int, int]], header: Header) -> int:
    """Mark header lines after the title; return the index of the first body line."""
    contents = [text[s:e].strip() for s, e in lines]
    for i, content in enumerate(contents[1:], start=1):
        byline = BYLINE.match(content)
        if byline and len(byline.group("name").split()) <= 5:
            header.author = byline.group("name").strip()
            header.role = (byline.group("role") or "").strip() or None
        elif content.lower() == "by" and i + 1 < len(contents) and NAME.match(contents[i + 1]):
            header.author = contents[i + 1]
    index = 1
    while index < len(contents):
        content = contents[index]
        start, end = lines[index]
        previous = contents[index - 1]
        if BYLINE.match(content) or content.lower() == "by":
            _mark(header, start, end, "byline")
        elif header.author and content == header.author:
            _mark(header, start, end, "author")
        elif header.author and previous == header.author and _is_role(content):
            header.role = header.role or content
            _mark(header, start, end, "author_role")
        elif READ_TIME.match(content):
            _mark(header, start, end, "reading_time")
        elif (date_line := DATE_LINE.match(content)) and _take_date(
            header, date_line.group("date"), "header"
        ):
            _mark(header, start, end, "date")
        elif index == 1 and header.author is None and NAME.match(content) and len(content.split()) <= 4:
            # an author's name standing alone before the byline ("Anand Kumar" / "By" / "Anand Kumar")
            if index + 1 < len(contents) and contents[index + 1].lower() == "by":
                _mark(header, start, end, "author")
            else:
                break
        else:
            break
        index += 1
    return index


def _is_role(content: str) -> bool:
    words = content.split()
    return 1 <= len(words) <= 5 and not re.search(r"[\d.!?]", content) and all(w[0].isupper() for w in words)


def _read_dateline(text: str, lines: list[tuple[int, int]], header: Header) -> None:
    for start, end in lines[:5]:
        match = DATELINE.match(text, start, end)
        if match:
            _take_date(header, match.group("date"), "dateline")
            header.publisher = match.group("agency").strip()
            _mark(header, start, match.end(), "dateline")
            return
