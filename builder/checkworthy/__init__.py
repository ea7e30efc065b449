"""Check-worthiness: a calibrated probability that a sentence is worth fact-checking.

``load_model()`` loads the model shipped inside the package once per process;
``train`` reproduces it from the CheckThat! 2024 data; ``evaluate`` measures any model
on a JSONL file of ``{"text", "label"}``.
"""

from builder.checkworthy.data import Labelled, read_labelled, read_verdicts
from builder.checkworthy.evaluate import Report, evaluate, format_report
from builder.checkworthy.model import SHIPPED_DIR, CheckworthyModel, load_model
from builder.checkworthy.train import TrainConfig, TrainResult, train

__all__ = [
    "SHIPPED_DIR",
    "CheckworthyModel",
    "Labelled",
    "Report",
    "TrainConfig",
    "TrainResult",
    "evaluate",
    "describe",
    "format_report",
    "load_model",
    "read_labelled",
    "read_verdicts",
    "train",
]


def describe(model_dir: str | None = None) -> dict[str, object]:
    """Name, approach, training data and measured quality of a model, for datasheets and cards."""
    import json
    from pathlib import Path

    model = load_model(model_dir)
    metrics_file = Path(model_dir or SHIPPED_DIR) / "metrics.json"
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.exists() else {}
    keep = ("n", "positives", "f1", "precision", "recall", "brier", "ece")
    facts: dict[str, object] = {
        "model": model.label,
        "approach": model.info.get("approach", ""),
        "threshold": model.threshold,
        "train": metrics.get("train"),
    }
    for key in ("cross_validation", "held_out", "dev", "dev_test", "news"):
        facts[key] = {k: metrics[key][k] for k in keep} if key in metrics else None
    return facts
