"""The configs of a release: declared features, rows, and deterministic parquet files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List, Value

from builder.publish.splits import SPLITS
from builder.records import VERDICT_LABELS, EvidenceSpan, EvidenceUrl, Extractor, Mention, Source
from builder.schema import features, field_names

# The release features of the records' parts, made from their definitions (builder.records).
MENTION = features(Mention)
EVIDENCE_SPAN = features(EvidenceSpan)
EVIDENCE_URL = features(EvidenceUrl)
EXTRACTOR = features(Extractor)
SOURCE = features(Source)  # flattened into columns of the claims and articles configs
# Article fields the articles config leaves out, and why (the card lists them; a test checks that
# every other field of Article is a column)
ARTICLE_FIELDS_LEFT_OUT = {
    "encoding": "the byte encoding the input file was decoded from: a fact about the file, not the text",
    "also_seen_at": "the other input paths the same text was read from: paths on the builder's machine",
    "sentence_counts": "how many sentences extraction kept or passed over, by reason: a build statistic",
}
SOURCE_COLUMNS = field_names(Source)


def verdict_label() -> ClassLabel:
    return ClassLabel(names=list(VERDICT_LABELS))


@dataclass
class Config:
    """One release config: its name, features, and how a record becomes a row."""

    name: str
    description: str
    features: Features
    to_row: Callable[[dict], dict] | None  # None: rows come from claim_table or cluster_table


def claim_features(feature_names: list[str]) -> Features:
    return Features(
        {
            "claim_id": Value("string"),
            "text": Value("string"),
            "article_id": Value("string"),
            "char_start": Value("int32"),
            "char_end": Value("int32"),
            "paragraph_index": Value("int32"),
            "sentence_index": Value("int32"),
            "context_before": Value("string"),
            "context_after": Value("string"),
            "entities": List(MENTION),
            "numbers": List(MENTION),
            "dates": List(MENTION),
            "features": {name: Value("bool") for name in feature_names},
            "checkworthy": Value("float64"),
            "below_floor": Value("bool"),
            **SOURCE,
            "extractor": EXTRACTOR,
            "cluster_id": Value("string"),
            "cluster_size": Value("int32"),
            "conflict_ids": List(Value("string")),
        }
    )


@dataclass
class Lookups:
    """The little a release keeps in memory about its claims to build every config's rows."""

    feature_names: list[str]
    cluster_of: dict[str, tuple[str, int]]  # claim_id -> (cluster_id, cluster size)
    conflicts_of: dict[str, list[str]]  # claim_id -> its conflict ids, sorted
    labelled: dict[str, tuple[str, str]]  # claim_id -> (text, article_id), for labelled claims


def claim_read_schema(feature_names: list[str]) -> pa.Schema:
    """The fields of claims.jsonl the claims config is made of, as Arrow reads them."""
    arrow = claim_features(feature_names).arrow_schema
    return pa.schema(
        [
            *(arrow.field(name) for name in CLAIM_COLUMNS),
            pa.field("source", pa.struct([arrow.field(column) for column in SOURCE_COLUMNS])),
            arrow.field("extractor"),
        ]
    )


CLAIM_COLUMNS = (
    *("claim_id", "text", "article_id", "char_start", "char_end", "paragraph_index", "sentence_index"),
    *("context_before", "context_after", "entities", "numbers", "dates", "features"),
    *("checkworthy", "below_floor"),
)


def claim_table(batch: pa.RecordBatch, lookups: Lookups, schema: pa.Schema) -> pa.Table:
    """Rows of the claims config from a batch read with ``claim_read_schema``: a missing
    feature or ``below_floor`` is false, the source is flattened into columns, and the claim's
    cluster and conflicts are joined in."""
    names = lookups.feature_names
    if names:
        children = batch.column("features").flatten()  # with the parent's nulls
        features = pa.StructArray.from_arrays([pc.fill_null(c, False) for c in children], names=names)
    else:
        features = pa.array([{}] * batch.num_rows, pa.struct([]))
    ids = batch.column("claim_id").to_pylist()
    clusters = [lookups.cluster_of.get(claim_id) for claim_id in ids]
    columns = {
        **{name: batch.column(name) for name in CLAIM_COLUMNS},
        "features": features,
        "below_floor": pc.fill_null(batch.column("below_floor"), False),
        **dict(zip(SOURCE_COLUMNS, batch.column("source").flatten(), strict=True)),
        "extractor": batch.column("extractor"),
        "cluster_id": pa.array([c[0] if c else None for c in clusters], pa.string()),
        "cluster_size": pa.array([c[1] if c else None for c in clusters], pa.int32()),
        "conflict_ids": pa.array(
            [lookups.conflicts_of.get(claim_id, []) for claim_id in ids], pa.list_(pa.string())
        ),
    }
    return pa.Table.from_arrays([columns[name] for name in schema.names], schema=schema)


def cluster_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows of the clusters config from clusters read with the config's schema (less ``size``):
    ``size`` is the number of claims, and a missing list is empty."""
    columns = {name: table.column(name).combine_chunks() for name in table.column_names}
    for name in ("entities", "numbers", "dates", "conflict_ids"):
        column = columns[name]
        nested = column.flatten().field("variants") if name == "entities" else None
        if column.null_count or (nested is not None and nested.null_count):
            rows = column.to_pylist()
            if name == "entities":
                rows = [[{**e, "variants": e["variants"] or []} for e in row or []] for row in rows]
            columns[name] = pa.array([row or [] for row in rows], column.type)
    columns["size"] = pc.list_value_length(columns["claim_ids"]).cast(pa.int32())
    return pa.Table.from_arrays([columns[name] for name in schema.names], schema=schema)


def build_configs(
    lookups: Lookups, verdicts: bool, annotations: bool, clusters: bool, conflicts: bool
) -> list[Config]:
    """The configs a run folder has data for, in release order. The claims config's rows are
    made by ``claim_table`` and the clusters config's by ``cluster_table``, in Arrow; the
    others' by their ``to_row``."""
    claims_by_id = lookups.labelled

    def article_row(article: dict) -> dict:
        source = article["source"]
        return {
            "article_id": article["article_id"],
            "content_hash": article["content_hash"],
            "text": article["text"],
            "format": article["format"],
            **{column: source.get(column) for column in SOURCE_COLUMNS},
            "excluded": [
                {key: span.get(key) for key in ("char_start", "char_end", "reason", "detail")}
                for span in article.get("excluded", [])
            ],
        }

    def verdict_row(verdict: dict) -> dict:
        text, article_id = claims_by_id[verdict["claim_id"]]
        cluster = lookups.cluster_of.get(verdict["claim_id"])
        return {
            "claim_id": verdict["claim_id"],
            "claim": text,
            "article_id": article_id,
            "cluster_id": cluster[0] if cluster else None,
            "verdict": VERDICT_LABELS.index(verdict["verdict"]),
            "method": verdict["method"],
            "n_annotators": verdict["n_annotators"],
            "agreement": verdict["agreement"],
            "evidence_spans": verdict["evidence_spans"],
            "evidence_urls": verdict["evidence_urls"],
            "rationales": verdict["rationales"],
        }

    def annotation_row(annotation: dict) -> dict:
        return {
            "claim_id": annotation["claim_id"],
            "article_id": claims_by_id[annotation["claim_id"]][1],
            **{key: annotation[key] for key in ("annotator", "status")},
            "verdict": VERDICT_LABELS.index(annotation["verdict"]) if annotation.get("verdict") else None,
            "evidence_spans": annotation["evidence_spans"],
            "evidence_urls": annotation["evidence_urls"],
            "rationale": annotation["rationale"],
            "confidence": annotation.get("confidence"),
            "is_review": annotation["is_review"],
            "created_at": annotation["created_at"],
            "updated_at": annotation["updated_at"],
        }

    configs = [
        Config(
            "claims",
            "Every candidate claim with its provenance, signals and check-worthiness score.",
            claim_features(lookups.feature_names),
            None,
        ),
        Config(
            "articles",
            "The source articles, text exactly as read; claim offsets point into `text`.",
            Features(
                {
                    "article_id": Value("string"),
                    "content_hash": Value("string"),
                    "text": Value("string"),
                    "format": Value("string"),
                    **SOURCE,
                    "excluded": List(
                        {
                            "char_start": Value("int32"),
                            "char_end": Value("int32"),
                            "reason": Value("string"),
                            "detail": Value("string"),
                        }
                    ),
                }
            ),
            article_row,
        ),
    ]
    if verdicts:
        configs.append(
            Config(
                "verdicts",
                "One row per labelled claim: the settled verdict, its evidence and how it was reached.",
                Features(
                    {
                        "claim_id": Value("string"),
                        "claim": Value("string"),
                        "article_id": Value("string"),
                        "cluster_id": Value("string"),
                        "verdict": verdict_label(),
                        "method": Value("string"),
                        "n_annotators": Value("int32"),
                        "agreement": Value("float64"),
                        "evidence_spans": List(EVIDENCE_SPAN),
                        "evidence_urls": List(EVIDENCE_URL),
                        "rationales": List(Value("string")),
                    }
                ),
                verdict_row,
            )
        )
    if annotations:
        configs.append(
            Config(
                "annotations",
                "One row per annotator per claim; annotators are pseudonyms.",
                Features(
                    {
                        "claim_id": Value("string"),
                        "article_id": Value("string"),
                        "annotator": Value("string"),
                        "status": Value("string"),
                        "verdict": verdict_label(),
                        "evidence_spans": List(EVIDENCE_SPAN),
                        "evidence_urls": List(EVIDENCE_URL),
                        "rationale": Value("string"),
                        "confidence": Value("int32"),
                        "is_review": Value("bool"),
                        "created_at": Value("string"),
                        "updated_at": Value("string"),
                    }
                ),
                annotation_row,
            )
        )
    if clusters:
        configs.append(
            Config(
                "clusters",
                "Claims that assert the same fact, across articles: members, sources and normalised values.",
                Features(
                    {
                        "cluster_id": Value("string"),
                        "representative_claim_id": Value("string"),
                        "representative": Value("string"),
                        "claim_ids": List(Value("string")),
                        "article_ids": List(Value("string")),
                        "size": Value("int32"),
                        "entities": List({"canonical": Value("string"), "variants": List(Value("string"))}),
                        "numbers": List(Value("string")),
                        "dates": List(Value("string")),
                        "conflict_ids": List(Value("string")),
                    }
                ),
                None,
            )
        )
    if conflicts:
        configs.append(
            Config(
                "conflicts",
                "Statements that cannot all be true: differing values for the same attribute, and why.",
                Features(
                    {
                        "conflict_id": Value("string"),
                        "cluster_id": Value("string"),
                        "claim_ids": List(Value("string")),
                        "attribute": Value("string"),
                        "values": List(
                            {
                                "claim_id": Value("string"),
                                "article_id": Value("string"),
                                "text": Value("string"),
                                "value": Value("string"),
                            }
                        ),
                        "reason": Value("string"),
                    }
                ),
                lambda conflict: {
                    **{
                        key: conflict.get(key)
                        for key in ("conflict_id", "cluster_id", "claim_ids", "attribute")
                    },
                    "values": [
                        {
                            **{key: v.get(key) for key in ("claim_id", "article_id", "text")},
                            "value": None if v.get("value") is None else str(v["value"]),
                        }
                        for v in conflict["values"]
                    ],
                    "reason": conflict.get("reason"),
                },
            )
        )
    return configs


ROW_GROUP_ROWS = 10_000  # rows per parquet row group: what a writer holds per split


class SplitWriter:
    """Writes one config's parquet files, one per split, as its rows come, in row groups of
    ``ROW_GROUP_ROWS`` rows. Cut by row count alone, the same rows and pinned pyarrow give the
    same bytes. Use as a context manager; ``counts`` and ``nbytes`` (the card's `num_bytes`)
    are per split, splits without rows have no file."""

    def __init__(self, folder: Path, features: Features) -> None:
        self.folder, self.schema = folder, features.arrow_schema
        self.pending: dict[str, list[pa.Table]] = {split: [] for split in SPLITS}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts = dict.fromkeys(SPLITS, 0)
        self.nbytes: dict[str, int] = {}

    def __enter__(self) -> SplitWriter:
        return self

    def __exit__(self, *error) -> None:
        try:
            if error[0] is None:
                for split in SPLITS:
                    self._flush(split, final=True)
        finally:
            for writer in self.writers.values():
                writer.close()
        self.counts = {split: n for split, n in self.counts.items() if n}
        self.nbytes = {split: _data_bytes(self.folder / f"{split}.parquet") for split in self.counts}

    def add_rows(self, split: str, rows: list[dict]) -> None:
        self.add(split, pa.Table.from_pylist(rows, schema=self.schema))

    def add(self, split: str, table: pa.Table) -> None:
        if table.num_rows:
            self.pending[split].append(table)
            if sum(t.num_rows for t in self.pending[split]) >= ROW_GROUP_ROWS:
                self._flush(split)

    def add_split(self, table: pa.Table, splits: list[str]) -> None:
        """Add rows that belong to different splits: ``splits`` names each row's."""
        names = pa.array(splits, pa.string())
        for split in SPLITS:
            self.add(split, table.filter(pc.equal(names, split)))

    def _flush(self, split: str, final: bool = False) -> None:
        pending = pa.concat_tables(self.pending[split]) if self.pending[split] else None
        while pending is not None and (pending.num_rows >= ROW_GROUP_ROWS or (final and pending.num_rows)):
            group = pending.slice(0, ROW_GROUP_ROWS).combine_chunks()
            pending = pending.slice(ROW_GROUP_ROWS)
            if split not in self.writers:
                path = self.folder / f"{split}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                self.writers[split] = pq.ParquetWriter(path, self.schema, compression="zstd")
            self.writers[split].write_table(group, row_group_size=ROW_GROUP_ROWS)
            self.counts[split] += group.num_rows
        self.pending[split] = [pending] if pending is not None and pending.num_rows else []


def _data_bytes(path: Path) -> int:
    """A split's size as the card reports it: its parquet data uncompressed, from the file's
    metadata (so it depends on the rows alone, not on how Arrow laid out their buffers)."""
    metadata = pq.ParquetFile(path).metadata
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
