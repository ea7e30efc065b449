"""The configs of a release: declared features, rows, and deterministic parquet files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import ClassLabel, Features, List, Value

from builder.records import VERDICT_LABELS

MENTION = {
    "text": Value("string"),
    "label": Value("string"),
    "char_start": Value("int32"),
    "char_end": Value("int32"),
}
EVIDENCE_SPAN = {"char_start": Value("int32"), "char_end": Value("int32"), "text": Value("string")}
EVIDENCE_URL = {"url": Value("string"), "quote": Value("string")}
EXTRACTOR = {
    "claimset": Value("string"),
    "spacy": Value("string"),
    "model": Value("string"),
    "model_version": Value("string"),
    "config_hash": Value("string"),
}
SOURCE_COLUMNS = ("path", "url", "publisher", "title", "author", "published")


def verdict_label() -> ClassLabel:
    return ClassLabel(names=list(VERDICT_LABELS))


@dataclass
class Config:
    """One release config: its name, features, and how a record becomes a row."""

    name: str
    description: str
    features: Features
    to_row: Callable[[dict], dict]


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
            **{column: Value("string") for column in SOURCE_COLUMNS},
            "extractor": EXTRACTOR,
            "cluster_id": Value("string"),
            "cluster_size": Value("int32"),
            "conflict_ids": List(Value("string")),
        }
    )


def build_configs(folder, cluster_of: dict[str, dict], conflicts_of: dict[str, list[str]]) -> list[Config]:
    """The configs this run folder has data for, in release order."""
    feature_names = sorted({name for claim in folder.claims for name in claim.get("features", {})})
    claims_by_id = {c["claim_id"]: c for c in folder.claims}

    def claim_row(claim: dict) -> dict:
        cluster = cluster_of.get(claim["claim_id"])
        source = claim["source"]
        return {
            **{key: claim[key] for key in ("claim_id", "text", "article_id", "char_start", "char_end")},
            **{key: claim[key] for key in ("paragraph_index", "sentence_index")},
            "context_before": claim["context_before"],
            "context_after": claim["context_after"],
            "entities": claim["entities"],
            "numbers": claim["numbers"],
            "dates": claim["dates"],
            "features": {name: bool(claim.get("features", {}).get(name, False)) for name in feature_names},
            "checkworthy": claim["checkworthy"],
            "below_floor": bool(claim.get("below_floor", False)),
            **{column: source.get(column) for column in SOURCE_COLUMNS},
            "extractor": claim["extractor"],
            "cluster_id": cluster["cluster_id"] if cluster else None,
            "cluster_size": len(cluster["claim_ids"]) if cluster else None,
            "conflict_ids": conflicts_of.get(claim["claim_id"], []),
        }

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
        claim = claims_by_id[verdict["claim_id"]]
        cluster = cluster_of.get(verdict["claim_id"])
        return {
            "claim_id": verdict["claim_id"],
            "claim": claim["text"],
            "article_id": claim["article_id"],
            "cluster_id": cluster["cluster_id"] if cluster else None,
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
            "article_id": claims_by_id[annotation["claim_id"]]["article_id"],
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
            claim_features(feature_names),
            claim_row,
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
                    **{column: Value("string") for column in SOURCE_COLUMNS},
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
    if folder.verdicts:
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
    if folder.annotations:
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
    if folder.clusters:
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
                lambda cluster: {
                    **{
                        key: cluster.get(key)
                        for key in ("cluster_id", "representative_claim_id", "representative")
                    },
                    "claim_ids": cluster["claim_ids"],
                    "article_ids": cluster["article_ids"],
                    "size": len(cluster["claim_ids"]),
                    "entities": [
                        {"canonical": e["canonical"], "variants": e.get("variants", [])}
                        for e in cluster.get("entities", [])
                    ],
                    "numbers": [str(n) for n in cluster.get("numbers", [])],
                    "dates": [str(d) for d in cluster.get("dates", [])],
                    "conflict_ids": cluster.get("conflict_ids", []),
                },
            )
        )
    if folder.conflicts:
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


def write_parquet(path: Path, rows: list[dict], features: Features) -> int:
    """Write rows with the declared schema; same rows and pinned pyarrow give the same bytes.

    Returns the table's size in memory (the `num_bytes` of the card's split info)."""
    table = pa.Table.from_pylist(rows, schema=features.arrow_schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd", row_group_size=100_000)
    return table.nbytes
