"""Quality of a check-worthiness model on labelled sentences: F1, precision, recall, calibration."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from builder.checkworthy.data import Labelled
from builder.checkworthy.model import CheckworthyModel

BINS = 10


@dataclass
class Report:
    n: int
    positives: int
    threshold: float
    f1: float
    precision: float
    recall: float
    accuracy: float
    brier: float  # mean squared error of the probabilities (0 is perfect)
    ece: float  # expected calibration error over equal-width bins
    reliability: list[dict[str, float]]  # per bin: range, count, mean predicted, observed positive rate

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def evaluate(model: CheckworthyModel, rows: list[Labelled], threshold: float | None = None) -> Report:
    """Score ``rows`` with ``model`` and measure it (at the model's own threshold unless given)."""
    probs = model.predict_proba([r.text for r in rows])
    labels = np.array([r.label for r in rows])
    return measure(probs, labels, model.threshold if threshold is None else threshold)


def measure(probs: np.ndarray, labels: np.ndarray, threshold: float) -> Report:
    predicted = probs >= threshold
    tp = int(np.sum(predicted & (labels == 1)))
    fp = int(np.sum(predicted & (labels == 0)))
    fn = int(np.sum(~predicted & (labels == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    reliability, ece = _reliability(probs, labels)
    return Report(
        n=len(labels),
        positives=int(labels.sum()),
        threshold=round(threshold, 4),
        f1=round(f1, 4),
        precision=round(precision, 4),
        recall=round(recall, 4),
        accuracy=round(float(np.mean(predicted == (labels == 1))), 4),
        brier=round(float(np.mean((probs - labels) ** 2)), 4),
        ece=round(ece, 4),
        reliability=reliability,
    )


def best_threshold(probs: np.ndarray, labels: np.ndarray) -> float:
    """The threshold (0.05..0.95, step 0.01) that maximises F1; ties go to the lowest."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [measure(probs, labels, float(t)).f1 for t in grid]
    return float(grid[int(np.argmax(scores))])


def _reliability(probs: np.ndarray, labels: np.ndarray) -> tuple[list[dict[str, float]], float]:
    edges = np.linspace(0.0, 1.0, BINS + 1)
    index = np.clip(np.digitize(probs, edges[1:-1]), 0, BINS - 1)
    table, ece = [], 0.0
    for b in range(BINS):
        mask = index == b
        count = int(mask.sum())
        if not count:
            continue
        predicted, observed = float(probs[mask].mean()), float(labels[mask].mean())
        ece += count / len(probs) * abs(predicted - observed)
        table.append(
            {
                "from": round(float(edges[b]), 2),
                "to": round(float(edges[b + 1]), 2),
                "count": count,
                "mean_predicted": round(predicted, 4),
                "observed": round(observed, 4),
            }
        )
    return table, ece


def format_report(report: Report, path: str, model_label: str) -> str:
    """The human-readable summary `claimset eval-checkworthy` prints."""
    lines = [
        f"{path}: {report.n} sentences, {report.positives} check-worthy; model {model_label}",
        f"F1 (positive class) {report.f1:.4f}  precision {report.precision:.4f}  "
        f"recall {report.recall:.4f}  accuracy {report.accuracy:.4f}  (threshold {report.threshold:g})",
        f"calibration: Brier {report.brier:.4f}  ECE {report.ece:.4f}",
        "  predicted     count  mean predicted  observed",
    ]
    for row in report.reliability:
        lines.append(
            f"  {row['from']:.1f}-{row['to']:.1f}  {row['count']:>10}  {row['mean_predicted']:>14.3f}"
            f"  {row['observed']:>8.3f}"
        )
    return "\n".join(lines)
