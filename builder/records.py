"""The records that flow through claimset, one type per stage.

Every record is a frozen-by-convention dataclass with a ``to_dict`` that gives
the exact JSON shape written to disk (and described in ``schemas/``). Field
order is part of the contract: it is the column order in releases.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, ClassVar, Literal, get_args

from builder.schema import Count, Id, Ids, Meta, Sha256, Text

VerdictLabel = Literal["supported", "refuted", "not_enough_evidence", "conflicting_evidence", "not_a_claim"]
VERDICT_LABELS: tuple[str, ...] = get_args(VerdictLabel)

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

    path: Text
    line: Annotated[int, Meta(minimum=1)] | None = None
    url: str | None = None
    publisher: str | None = None
    title: str | None = None
    author: str | None = None
    published: Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}")] | None = None  # ISO 8601 date or datetime
    published_raw: str | None = None  # the text the date was parsed from
    published_basis: str | None = None  # where the date came from: header, dateline, body, metadata


@dataclass
class Span:
    """A region of the article text kept out of the candidates, and why."""

    char_start: Count
    char_end: Count
    reason: str  # e.g. "metadata", "boilerplate:faq", "repeated_passage"
    detail: str = ""


@dataclass
class Article:
    """One article as read: text kept exactly, metadata, and the passages kept out of the candidates."""

    article_id: Id
    content_hash: Sha256
    text: Text
    format: str  # txt | md | html | jsonl | csv | parquet | warc
    encoding: str
    source: Source
    also_seen_at: list[str] = field(default_factory=list)
    excluded: list[Span] = field(default_factory=list)
    sentence_counts: dict[str, Count] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Mention:
    """An entity, number or date found in a claim; offsets into the article."""

    text: Text
    label: str
    char_start: Count
    char_end: Count


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
    """A candidate claim: one sentence of an article, with provenance, features and a check-worthiness score."""

    open_record: ClassVar[bool] = True  # readers take fields added later
    claim_id: Id
    text: Text
    article_id: Id
    char_start: Count
    char_end: Count
    paragraph_index: Count
    sentence_index: Count
    context_before: str
    context_after: str
    entities: list[Mention]
    numbers: list[Mention]
    dates: list[Mention]
    features: dict[str, bool]
    checkworthy: Annotated[
        float, Meta(minimum=0, maximum=1)
    ]  # calibrated probability that the claim is worth fact-checking
    below_floor: bool  # checkworthy < the run's floor: kept, but unlikely to be worth an annotator's time
    source: Source
    extractor: Extractor

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Reject:
    """An input (file or JSONL line) that could not be used, and why."""

    path: str
    line: Annotated[int, Meta(minimum=1)] | None
    code: Annotated[str, Meta(pattern="^E[0-9]{3}$")]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EvidenceSpan:
    """A passage of the claim's own article cited as evidence (code-point offsets)."""

    char_start: Count
    char_end: Count
    text: str


@dataclass
class EvidenceUrl:
    """An outside source cited as evidence, with the quoted passage."""

    url: Text
    quote: str = ""


@dataclass
class Annotation:
    """One annotator's work on one claim, as pulled from Label Studio."""

    claim_id: Id
    annotator: str  # salted pseudonym, e.g. "annotator-3f9c2a1b"; never a name, email or user id
    status: Literal["submitted", "skipped"]
    verdict: VerdictLabel | None  # None when skipped
    evidence_spans: list[EvidenceSpan]
    evidence_urls: list[EvidenceUrl]
    rationale: str
    confidence: Annotated[int, Meta(minimum=1, maximum=5)] | None
    is_review: bool  # True when this is an adjudicator's decision
    created_at: str  # ISO 8601 UTC
    updated_at: str
    cluster_id: Id | None = None  # the fact's task it was given on (push --by cluster); None: the claim's own

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Verdict:
    """The one settled verdict of a claim, and how it was reached."""

    claim_id: Id
    verdict: VerdictLabel
    method: Literal["single", "unanimous", "majority", "adjudicated"]
    n_annotators: Annotated[int, Meta(minimum=1)]
    agreement: Annotated[float, Meta(minimum=0, maximum=1)]  # share of annotators who gave this verdict
    evidence_spans: list[EvidenceSpan]
    evidence_urls: list[EvidenceUrl]
    rationales: list[str]
    cluster_id: Id | None = None  # set when the verdict was given on its fact's task (push --by cluster)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Records written by grouping, and the JSON files of a run, a release and Label Studio ----
# Grouping builds these as dicts; the classes are their definitions: the JSON Schemas, the
# release features and the checks of a file read back are made from them (builder.schema).


@dataclass
class Story:
    """One event: the articles that report it (stories.jsonl)."""

    story_id: Annotated[Id, Meta("Hash of the story's earliest member (publication date, then article_id).")]
    article_ids: Annotated[Ids, Meta("The story's articles, sorted.")]
    size: Annotated[int, Meta("Number of articles.", minimum=1)]
    title: Annotated[
        str | None, Meta("A representative title: that of the member most similar to the others.")
    ]
    publishers: Annotated[
        list[str], Meta("The distinct publishers of its articles (publisher, else the URL's host), sorted.")
    ]
    related: Annotated[
        list[Id],
        Meta(
            "Other stories holding an article this close to one of its own (cosine >= 0.15) that the "
            "merge left apart; publish keeps related stories in one split."
        ),
    ] = field(default_factory=list)


@dataclass
class ClusterEntity:
    canonical: str
    variants: list[str] = field(default_factory=list)


@dataclass
class Agreed:
    entities: list[str]
    numbers: list[str]
    dates: list[str]


@dataclass(kw_only=True)
class Cluster:
    """Claims that state the same fact, across articles (clusters.jsonl)."""

    cluster_id: Annotated[Id, Meta("Hash of the earliest member (publication date, then claim_id).")]
    representative_claim_id: Id
    representative: Text
    claim_ids: Annotated[
        Ids,
        Meta(
            "every candidate claim that states this fact (a claim may state several facts, so it may be in several clusters)"
        ),
    ]
    also_stated_by: Annotated[
        list[Id],
        Meta(
            "the members whose main fact is another cluster's: they state this fact too (a sentence packing several facts)"
        ),
    ] = field(default_factory=list)
    article_ids: Ids
    size: Annotated[int, Meta(minimum=1)]
    entities: list[ClusterEntity] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    agreed: Annotated[
        Agreed | None,
        Meta("the attribute values more than half of the members stating any agree on: what the fact says"),
    ] = None
    conflict_ids: list[Id] = field(default_factory=list)


@dataclass
class ConflictValue:
    claim_id: Id
    article_id: Id
    text: Text
    value: Annotated[
        Any, Meta("the normalised value: ISO date or month, ISO 8601 duration, number or boolean")
    ]
    low: float | None = None
    high: float | None = None
    outlet: Annotated[str, Meta("the publisher of the claim's article")] = ""


@dataclass
class Conflict:
    """Statements that disagree on one attribute (conflicts.jsonl)."""

    conflict_id: Id
    cluster_id: Annotated[
        Id | None,
        Meta(
            "the cluster whose members disagree (close claims of other clusters sharing a statement with "
            "its record are listed in it too); null when the statements belong to different clusters and "
            "none of them has a record of this attribute"
        ),
    ]
    claim_ids: Ids
    attribute: Annotated[
        str,
        Meta(pattern="^(count|money|percent|measure|date|time|duration|scope|place|weekday|negation)(:.+)?$"),
    ]
    values: Annotated[list[ConflictValue], Meta(min_items=2)]
    reason: Text
    summary: Annotated[
        Text,
        Meta(
            "in plain words, what each outlet states: 'bbc.co.uk: 84 taken to hospital; theguardian.com: 120 taken to hospital'"
        ),
    ] = ""


@dataclass
class ClaimGroup:
    """The clusters of one claim (claim_groups.jsonl): its main one and all of them."""

    schema_name: ClassVar[str] = "claim_group"
    claim_id: Id
    cluster_id: Id | None
    cluster_ids: list[Id]
    entities: list[str] = field(default_factory=list)
    quantities: list[dict[str, Any]] = field(default_factory=list)
    dates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunInput:
    path: str
    sha256: Sha256 | None
    bytes: Count


@dataclass
class RunCounts:
    open_record: ClassVar[bool] = True
    read: Count
    accepted: Count
    rejected: Count
    duplicates: Count
    articles: Count
    claims: Annotated[Count, Meta("Candidate claims written, after the run's boilerplate was dropped.")]
    stories: Annotated[Count, Meta("Stories in stories.jsonl.")] = 0


@dataclass
class Run:
    """What an extract run read, with which versions and configuration, and what it wrote (run.json)."""

    open_record: ClassVar[bool] = True
    claimset: str
    extractor: Extractor
    config: dict[str, Any]
    inputs: list[RunInput]
    counts: RunCounts
    outputs: dict[str, Sha256]


@dataclass
class ReleaseOptions:
    split_by: Literal["group", "time"]
    ratios: list[float]
    release_date: str
    datasheet: str | None


@dataclass
class ExtractRecord:
    """The extract run a release was made from, as rebuild re-runs it."""

    open_record: ClassVar[bool] = True
    inputs: list[RunInput]
    config: dict[str, Any]
    options: dict[str, Any]


@dataclass
class Manifest:
    """What a release was made from and the hash of every file in it (manifest.json); `claimset rebuild` reads it."""

    name: str
    version: Annotated[str, Meta(pattern=r"^\d+\.\d+\.\d+$")]
    claimset: str
    options: ReleaseOptions
    previous_version: str | None
    run_folder: str
    inputs: dict[str, Sha256]
    datasheet_sha256: Sha256 | None
    extract: ExtractRecord
    packages: dict[str, str]
    outputs: dict[str, Sha256]


@dataclass
class AgreementReport:
    """Inter-annotator agreement of a run folder's annotations (agreement.json)."""

    schema_name: ClassVar[str] = "agreement"
    open_record: ClassVar[bool] = True
    claims_rated: Count
    claims_with_two_or_more: Count
    annotators: Count
    ratings: Count
    overall: dict[str, Any]
    per_label: dict[str, dict[str, Any]] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StudioCredentials:
    """The local Label Studio's admin login (.studio/credentials.json)."""

    schema_name: ClassVar[str] = "studio_credentials"
    username: str
    password: str
    api_key: str


@dataclass
class StudioServer:
    """The local Label Studio that `claimset studio up` started (.studio/server.json)."""

    schema_name: ClassVar[str] = "studio_server"
    open_record: ClassVar[bool] = True
    url: Text


@dataclass
class PushedProject:
    tasks: dict[Id, list[Any]]


@dataclass
class PullState:
    """Where the last complete pull of a folder stopped (studio-pull.json)."""

    schema_name: ClassVar[str] = "studio_pull"
    open_record: ClassVar[bool] = True
    url: str | None = None
    project: str | None = None
    watermarks: dict[str, Any] = field(default_factory=dict)


# Every record with a file in schemas/, and its title there.
SCHEMAS: tuple[tuple[type, str], ...] = (
    (Article, "Article"),
    (Claim, "Claim"),
    (Reject, "Reject"),
    (Story, "Story"),
    (Cluster, "Cluster"),
    (Conflict, "Conflict"),
    (ClaimGroup, "Claim group"),
    (Annotation, "Annotation"),
    (Verdict, "Verdict"),
    (Run, "Extract run"),
    (Manifest, "Manifest"),
    (AgreementReport, "Agreement"),
    (StudioCredentials, "Label Studio credentials"),
    (StudioServer, "Label Studio server"),
    (PullState, "Label Studio pull state"),
)
