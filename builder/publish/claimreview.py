"""claimreview.jsonl: each verdict as a schema.org ClaimReview (https://schema.org/ClaimReview)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from builder.publish.changelog import config_batches, read_config
from builder.publish.tables import SOURCE_COLUMNS
from builder.records import VERDICT_LABELS

# A 1-5 scale for readers that want a number; not_a_claim has no rating value.
RATING = {"refuted": 1, "conflicting_evidence": 2, "not_enough_evidence": 3, "supported": 5}
ALTERNATE_NAME = {
    "supported": "True",
    "refuted": "False",
    "not_enough_evidence": "Unproven",
    "conflicting_evidence": "Mixed",
    "not_a_claim": "Not a claim",
}


def review(verdict_row: dict, claim: dict, release) -> dict:
    label = VERDICT_LABELS[verdict_row["verdict"]]
    appearance = {"@type": "NewsArticle", "headline": claim["title"]}
    if claim.get("url"):
        appearance["url"] = claim["url"]
    if claim.get("publisher"):
        appearance["publisher"] = {"@type": "Organization", "name": claim["publisher"]}
    if claim.get("published"):
        appearance["datePublished"] = claim["published"]
    if claim.get("author"):
        appearance["author"] = {"@type": "Person", "name": claim["author"]}
    rating = {
        "@type": "Rating",
        "alternateName": ALTERNATE_NAME[label],
        "bestRating": 5,
        "worstRating": 1,
    }
    if label in RATING:
        rating["ratingValue"] = RATING[label]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": verdict_row["claim_id"],
        "claimReviewed": verdict_row["claim"],
        "datePublished": release.options.release_date,
        "author": {"@type": "Organization", "name": release.texts["pretty_name"]},
        "reviewRating": rating,
        "itemReviewed": {"@type": "Claim", "appearance": [appearance]},
        "reviewBody": " ".join(verdict_row["rationales"]),
        "citation": [url["url"] for url in verdict_row["evidence_urls"]],
        "additionalProperty": [
            {"@type": "PropertyValue", "name": "verdict", "value": label},
            {"@type": "PropertyValue", "name": "method", "value": verdict_row["method"]},
            {"@type": "PropertyValue", "name": "n_annotators", "value": verdict_row["n_annotators"]},
        ],
    }


def render(release, stage: Path) -> str:
    """One ClaimReview per verdict of the release written in ``stage``, by claim_id."""
    verdicts = sorted(read_config(stage, "verdicts").values(), key=lambda r: r["claim_id"])
    wanted = {v["claim_id"] for v in verdicts}
    if not verdicts:
        return ""
    wanted_ids = pa.array(sorted(wanted), pa.string())
    claims = {
        row["claim_id"]: row
        for _, batch in config_batches(stage, "claims", ["claim_id", *SOURCE_COLUMNS])
        for row in batch.filter(pc.is_in(batch.column("claim_id"), value_set=wanted_ids)).to_pylist()
    }
    return "".join(
        json.dumps(review(v, claims[v["claim_id"]], release), ensure_ascii=False, sort_keys=True) + "\n"
        for v in verdicts
    )
