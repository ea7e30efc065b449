"""The records that flow through claimset, one type per stage.

Every record is a frozen-by-convention dataclass with a ``to_dict`` that gives
the exact JSON shape written to disk (and described in ``schemas/``). Field
order is part of the contract: it is the column order in releases.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

VERDICT_LABELS = (
    "supported",
    "refuted",
    "not_enough_evidence",
    "conflicting_evidence",
    "not_a_claim",
)

ID_HEX_CHARS = 16


def content_hash(text: str) -> str:
    """Full sha256 of UTF-8 text, as ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_id(*parts: object) -> str:
    """A stable 16-hex-character id from its parts (joined with NUL)."""
    joined = "\x00".join(str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:ID_HEX_CHARS]


def article_id_for(text: str) -> str:
    """article_id: hash of the article text, so one text is one article."""
    return short_id("article", text)


def claim_id_for(article_id: str, char_start: int, char_end: int) -> str:
    """claim_id: hash of the article and the span; stable across runs."""
    return short_id("claim", article_id, char_start, char_end)


def dumps(record: dict[str, Any]) -> str:
    """The one JSON serialisation used for every JSONL output (deterministic)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Source:
    """Where an article came from."""

    path: str
    line: int | None = None
    url: str | None = None
    publisher: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    published_raw: str | None = None  # the text the date was parsed from
    published_basis: str | None = None  # where the date came from: header, dateline, body, metadata


@dataclass
class Span:
    """A region of the article text kept out of the candidates, and why."""

    char_start: int
    char_end: int
    reason: str  # e.g. "metadata", "boilerplate:faq", "repeated_passage"
    detail: str = ""


@dataclass
class Article:
    article_id: str
    content_hash: str
    text: str
    format: str  # txt | md | html | jsonl
    encoding: str
    source: Source
    also_seen_at: list[str] = field(default_factory=list)
    excluded: list[Span] = field(default_factory=list)
    sentence_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Mention:
    """An entity, number or date found in a claim; offsets into the article."""

    text: str
    label: str
    char_start: int
    char_end: int


@dataclass
class Extractor:
    claimset: str
    spacy: str
    model: str
    model_version: str
    config_hash: str
    checkworthy_model: str = ""  # name@version of the model behind ``Claim.checkworthy``


@dataclass
class Claim:
    claim_id: str
    text: str
    article_id: str
    char_start: int
    char_end: int
    paragraph_index: int
    sentence_index: int
    context_before: str
    context_after: str
    entities: list[Mention]
    numbers: list[Mention]
    dates: list[Mention]
    features: dict[str, bool]
    checkworthy: float  # calibrated probability that the claim is worth fact-checking
    below_floor: bool  # checkworthy < the run's floor: kept, but unlikely to be worth an annotator's time
    source: Source
    extractor: Extractor

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Reject:
    """An input (file or JSONL line) that could not be used, and why."""

    path: str
    line: int | None
    code: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EvidenceSpan:
    """A passage of the claim's own article cited as evidence (code-point offsets)."""

    char_start: int
    char_end: int
    text: str


@dataclass
class EvidenceUrl:
    """An outside source cited as evidence, with the quoted passage."""

    url: str
    quote: str = ""


@dataclass
class Annotation:
    """One annotator's work on one claim, as pulled from Label Studio."""

    claim_id: str
    annotator: str  # salted pseudonym, e.g. "annotator-3f9c2a1b"; never a name, email or user id
    status: str  # "submitted" | "skipped"
    verdict: str | None  # one of VERDICT_LABELS, None when skipped
    evidence_spans: list[EvidenceSpan]
    evidence_urls: list[EvidenceUrl]
    rationale: str
    confidence: int | None  # 1..5
    is_review: bool  # True when this is an adjudicator's decision
    created_at: str  # ISO 8601 UTC
    updated_at: str
    cluster_id: str | None = None  # the fact's task it was given on (push --by cluster); None: the claim's own

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Verdict:
    """The one settled verdict of a claim, and how it was reached."""

    claim_id: str
    verdict: str  # one of VERDICT_LABELS
    method: str  # "single" | "unanimous" | "majority" | "adjudicated"
    n_annotators: int
    agreement: float  # share of annotators who gave this verdict
    evidence_spans: list[EvidenceSpan]
    evidence_urls: list[EvidenceUrl]
    rationales: list[str]
    cluster_id: str | None = None  # set when the verdict was given on its fact's task (push --by cluster)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
