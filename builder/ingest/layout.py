"""An article's layout: blocks (paragraphs, list items, headings), boilerplate and repeats.

Blocks are what spaCy segments into sentences, so sentences never cross a paragraph,
list item or heading. Boilerplate blocks (FAQ, tips, share and comment prompts, author
bios, wire credits) and blocks repeated verbatim earlier in the article are excluded,
each with its reason, and never become candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.ingest.metadata import Header, lines_with_offsets
from builder.records import Span

LIST_MARKER = re.compile(r"^(?:[-*•·–]|\d{1,2}[.)])(?:\s+|$)")
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
HEADING_MAX_WORDS = 14
REPEAT_MIN_CHARS = 20

# Whole-block patterns, matched case-insensitively against the stripped block text.
BOILERPLATE = [
    ("share", r"share(?: this)?(?: article| post| story)?:?|follow(?: us)?:?|#image_title|advertisement"),
    ("comments", r"leave a (?:comment|reply)|this post has \d+ comments?|no comments yet.*|\d+ comments?"),
    ("comments", r"your email address will not be published.*|required fields are marked.*"),
    ("newsletter", r".*\b(?:sign up|subscribe)\b.*\b(?:newsletter|updates|inbox)\b.*"),
    (
        "related",
        r"(?:you may|you might) also like.*|also read\b.*|related(?: articles| stories)?:.*|read more:?.*",
    ),
    ("related", r"want to (?:learn|read|know) more\b.*|explore our other articles.*|click here.*"),
    ("credits", r"\(?(?:reporting|writing|editing|additional reporting|compiled) by\b.*"),
    ("reading_time", r"\d+\s*min(?:ute)?s? read"),
    ("tip", r"did you (?:understand|know)\?.*"),
]
BOILERPLATE_RE = [(reason, re.compile(rf"(?:{pattern})", re.IGNORECASE)) for reason, pattern in BOILERPLATE]
FAQ_HEADING = re.compile(r"(?:faqs?|frequently asked questions)\s*:?", re.IGNORECASE)
FAQ_LINE = re.compile(r"^(?:q|a|question|answer)\s*[:.]", re.IGNORECASE)
TIP_HEADING = re.compile(r"(?:pro |quick |top )?tips?\s*:?", re.IGNORECASE)


@dataclass
class Block:
    start: int
    end: int
    kind: str  # paragraph | list_item | heading
    index: int  # paragraph index within the article


def segment(text: str, body_start: int = 0) -> list[Block]:
    """Split the text into blocks: one per line, hard-wrapped lines joined, list markers left out."""
    blocks: list[Block] = []
    pending: tuple[int, int] | None = None
    for start, end in lines_with_offsets(text):
        content = text[start:end]
        stripped = content.strip()
        if not stripped:
            if pending:
                blocks.append(_block(text, *pending, len(blocks)))
                pending = None
            continue
        start += len(content) - len(content.lstrip())
        end = start + len(stripped)
        if pending and _continues(text[pending[0] : pending[1]], stripped):
            pending = (pending[0], end)
            continue
        if pending:
            blocks.append(_block(text, *pending, len(blocks)))
        pending = (start, end)
    if pending:
        blocks.append(_block(text, *pending, len(blocks)))
    return blocks


def _continues(previous: str, line: str) -> bool:
    """Whether a line continues a hard-wrapped paragraph rather than starting a new block."""
    return (
        len(previous) >= 50
        and not SENTENCE_END.search(previous)
        and not previous.endswith(":")
        and not LIST_MARKER.match(line)
        and line[:1].islower()
    )


def _block(text: str, start: int, end: int, index: int) -> Block:
    content = text[start:end]
    marker = LIST_MARKER.match(content)
    if marker:
        return Block(start + marker.end(), end, "list_item", index)
    words = content.split()
    is_heading = content.startswith("#") or (
        len(words) <= HEADING_MAX_WORDS and not SENTENCE_END.search(content) and not content.endswith(",")
    )
    return Block(start, end, "heading" if is_heading else "paragraph", index)


def find_excluded(text: str, blocks: list[Block], header: Header) -> list[Span]:
    """Spans to keep out of the candidates: header metadata, boilerplate and repeated passages."""
    spans = list(header.spans)
    in_faq = False
    after_tip_heading = False
    seen: dict[str, int] = {}
    for block in blocks:
        content = text[block.start : block.end].strip()
        if _covered(block, header.spans):
            continue
        reason = _boilerplate_reason(content, block, header)
        if FAQ_HEADING.fullmatch(content):
            in_faq, reason = True, "faq"
        elif in_faq and (FAQ_LINE.match(content) or block.kind == "heading" and content.endswith("?")):
            reason = "faq"
        else:
            in_faq = False
        if reason is None and after_tip_heading and block.kind == "paragraph":
            reason = "tip"
        after_tip_heading = bool(TIP_HEADING.fullmatch(content))
        if after_tip_heading:
            reason = "tip"
        if reason:
            spans.append(Span(block.start, block.end, f"boilerplate:{reason}"))
            continue
        key = " ".join(content.lower().split())
        if len(key) >= REPEAT_MIN_CHARS and key in seen:
            spans.append(Span(block.start, block.end, "repeated_passage", f"repeats paragraph {seen[key]}"))
        else:
            seen.setdefault(key, block.index)
    return _merge_repeats(sorted(spans, key=lambda s: (s.char_start, s.char_end)), text)


def _covered(block: Block, spans: list[Span]) -> bool:
    return any(s.char_start <= block.start and block.end <= s.char_end for s in spans)


def _boilerplate_reason(content: str, block: Block, header: Header) -> str | None:
    for reason, pattern in BOILERPLATE_RE:
        if pattern.fullmatch(content):
            return reason
    if header.author:
        if content in (header.author, header.role):
            return "author_bio"
        if re.match(rf"{re.escape(header.author)} (?:is|was|has|covers|writes|reports)\b", content):
            return "author_bio"
    return None


def _merge_repeats(spans: list[Span], text: str) -> list[Span]:
    """Join consecutive repeated blocks into one passage, so a body pasted twice is one span."""
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if (
            last is not None
            and span.reason == last.reason == "repeated_passage"
            and not text[last.char_end : span.char_start].strip()
        ):
            first_detail = last.detail.split(" to ")[0]
            last.char_end = span.char_end
            last.detail = f"{first_detail} to {span.detail.rsplit(' ', 1)[-1]}"
        else:
            merged.append(span)
    return merged
