"""Inter-annotator agreement on verdicts, and how a claim's verdict is settled.

Agreement is computed on submitted verdicts of annotators (reviews and skips left out):
Krippendorff's alpha (nominal, the ``krippendorff`` package; any number of annotators per
claim, missing values allowed), Fleiss' kappa (generalised to a varying number of raters per
claim), Cohen's kappa per pair of annotators (on the claims both labelled), and per label the
same figures on "this label or not".
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import krippendorff
import numpy as np

from builder.errors import ClaimsetError, Errors
from builder.records import VERDICT_LABELS, Annotation, EvidenceSpan, EvidenceUrl, Verdict
from builder.runfiles import write_json
from builder.studio.files import read_annotations

Ratings = dict[str, dict[str, str]]  # claim_id -> annotator -> verdict


def ratings_of(annotations: Iterable[Annotation]) -> Ratings:
    """Submitted, non-review verdicts per claim and annotator."""
    ratings: Ratings = defaultdict(dict)
    for a in annotations:
        if a.status == "submitted" and not a.is_review and a.verdict:
            ratings[a.claim_id][a.annotator] = a.verdict
    return dict(ratings)


def _round(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def krippendorff_alpha(ratings: Ratings, labels: Sequence[str] = VERDICT_LABELS) -> float | None:
    """Nominal alpha; None when undefined (fewer than two values, or no claim with two ratings)."""
    units = [r for r in ratings.values() if len(r) >= 2]
    values = {v for r in units for v in r.values()}
    if not units or len(values) < 2:
        return None
    annotators = sorted({a for r in units for a in r})
    code = {label: i for i, label in enumerate(labels)}
    data = np.full((len(annotators), len(units)), np.nan)
    for j, unit in enumerate(units):
        for i, annotator in enumerate(annotators):
            if annotator in unit:
                data[i, j] = code[unit[annotator]]
    return _round(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def fleiss_kappa(ratings: Ratings) -> float | None:
    """Fleiss' kappa over claims with at least two ratings (raters per claim may vary)."""
    units = [Counter(r.values()) for r in ratings.values() if len(r) >= 2]
    if not units:
        return None
    observed = [(sum(c * c for c in u.values()) - n) / (n * (n - 1)) for u in units if (n := sum(u.values()))]
    totals: Counter[str] = Counter()
    for u in units:
        totals.update(u)
    n_all = sum(totals.values())
    expected = sum((c / n_all) ** 2 for c in totals.values())
    p_bar = sum(observed) / len(observed)
    if expected == 1:
        return None
    return _round((p_bar - expected) / (1 - expected))


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long label sequences; None when chance agreement is total."""
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    c1, c2 = Counter(first), Counter(second)
    expected = sum(c1[k] * c2[k] for k in c1) / (n * n)
    if expected == 1:
        return None
    return _round((observed - expected) / (1 - expected))


def _binary(ratings: Ratings, label: str) -> Ratings:
    return {c: {a: ("yes" if v == label else "no") for a, v in r.items()} for c, r in ratings.items()}


def agreement_report(annotations: Iterable[Annotation]) -> dict:
    """Overall, per-label and per-pair agreement, as written to agreement.json."""
    ratings = ratings_of(annotations)
    multi = {c: r for c, r in ratings.items() if len(r) >= 2}
    annotators = sorted({a for r in ratings.values() for a in r})
    pairs = []
    for a, b in itertools.combinations(annotators, 2):
        shared = sorted(c for c, r in ratings.items() if a in r and b in r)
        first = [ratings[c][a] for c in shared]
        second = [ratings[c][b] for c in shared]
        pairs.append(
            {
                "annotators": [a, b],
                "claims": len(shared),
                "percent_agreement": _round(
                    sum(x == y for x, y in zip(first, second, strict=True)) / len(shared)
                )
                if shared
                else None,
                "cohen_kappa": cohen_kappa(first, second),
            }
        )
    per_label = {}
    counts = Counter(v for r in ratings.values() for v in r.values())
    for label in VERDICT_LABELS:
        binary = _binary(multi, label)
        per_label[label] = {
            "ratings": counts.get(label, 0),
            "krippendorff_alpha": krippendorff_alpha(binary, labels=("yes", "no")),
            "fleiss_kappa": fleiss_kappa(binary),
        }
    full_agreement = sum(len(set(r.values())) == 1 for r in multi.values())
    return {
        "claims_rated": len(ratings),
        "claims_with_two_or_more": len(multi),
        "annotators": len(annotators),
        "ratings": sum(len(r) for r in ratings.values()),
        "overall": {
            "percent_agreement": _round(full_agreement / len(multi)) if multi else None,
            "krippendorff_alpha": krippendorff_alpha(multi),
            "fleiss_kappa": fleiss_kappa(multi),
        },
        "per_label": per_label,
        "pairs": pairs,
    }


@dataclass
class Settlement:
    """Verdicts reached, claims waiting for adjudication, claims waiting for more annotators."""

    verdicts: list[Verdict] = field(default_factory=list)
    disputed: dict[str, dict[str, str]] = field(default_factory=dict)  # claim_id -> annotator -> verdict
    pending: list[str] = field(default_factory=list)


def settle(annotations: Iterable[Annotation], required: int = 1) -> Settlement:
    """Each claim's verdict: a reviewer's decision wins; else a strict majority of at least
    ``required`` submitted verdicts; a tie goes to the adjudication queue."""
    by_claim: dict[str, list[Annotation]] = defaultdict(list)
    for a in annotations:
        by_claim[a.claim_id].append(a)
    result = Settlement()
    for claim_id in sorted(by_claim):
        rows = by_claim[claim_id]
        votes = [a for a in rows if a.status == "submitted" and not a.is_review and a.verdict]
        reviews = sorted(
            (a for a in rows if a.status == "submitted" and a.is_review and a.verdict),
            key=lambda a: a.updated_at,
        )
        counts = Counter(a.verdict for a in votes)
        n = len(votes)
        if reviews:
            label, method, backing = reviews[-1].verdict, "adjudicated", [reviews[-1]]
        elif n < max(required, 1):
            result.pending.append(claim_id)
            continue
        else:
            (label, top), *rest = counts.most_common()
            if rest and rest[0][1] == top:
                result.disputed[claim_id] = {a.annotator: a.verdict for a in votes}
                continue
            method = "single" if n == 1 else "unanimous" if top == n else "majority"
            backing = []
        backing += [a for a in votes if a.verdict == label]
        result.verdicts.append(
            Verdict(
                claim_id=claim_id,
                verdict=label,
                method=method,
                n_annotators=n,
                agreement=round(counts[label] / n, 4) if n else 0.0,
                evidence_spans=_unique_spans(backing),
                evidence_urls=_unique_urls(backing),
                rationales=[a.rationale for a in backing if a.rationale],
                # given on its fact's task (push --by cluster): said so, with the fact's id
                cluster_id=next((a.cluster_id for a in votes if a.cluster_id), None),
            )
        )
    return result


def _unique_spans(rows: list[Annotation]) -> list[EvidenceSpan]:
    seen = {(s.char_start, s.char_end): s for a in rows for s in a.evidence_spans}
    return [seen[k] for k in sorted(seen)]


def _unique_urls(rows: list[Annotation]) -> list[EvidenceUrl]:
    seen = {(u.url, u.quote): u for a in rows for u in a.evidence_urls}
    return [seen[k] for k in sorted(seen)]


def format_table(report: dict) -> str:
    """agreement.json as a plain-text table: overall, per label, per annotator pair."""

    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    o = report["overall"]
    lines = [
        f"{report['claims_rated']} claims rated ({report['claims_with_two_or_more']} by two or more), "
        f"{report['annotators']} annotators, {report['ratings']} verdicts",
        "",
        f"{'':24}{'ratings':>9}{'agree %':>9}{'alpha':>9}{'fleiss':>9}",
        f"{'overall':24}{report['ratings']:>9}{num(o['percent_agreement']):>9}"
        f"{num(o['krippendorff_alpha']):>9}{num(o['fleiss_kappa']):>9}",
    ]
    for label, row in report["per_label"].items():
        lines.append(
            f"{label:24}{row['ratings']:>9}{'':>9}{num(row['krippendorff_alpha']):>9}{num(row['fleiss_kappa']):>9}"
        )
    if report["pairs"]:
        lines += ["", f"{'annotator pair':48}{'claims':>8}{'agree %':>9}{'cohen':>9}"]
        for pair in report["pairs"]:
            names = " / ".join(pair["annotators"])
            lines.append(
                f"{names:48}{pair['claims']:>8}{num(pair['percent_agreement']):>9}{num(pair['cohen_kappa']):>9}"
            )
    return "\n".join(lines) + "\n"


def agreement_for_folder(folder: Path) -> dict:
    """Recompute agreement from ``folder``/annotations.jsonl and write ``folder``/agreement.json."""
    path = Path(folder) / "annotations.jsonl"
    if not path.exists():
        raise ClaimsetError(Errors.E313, path=path)
    report = agreement_report(read_annotations(path))
    write_json(Path(folder) / "agreement.json", report)
    return report
