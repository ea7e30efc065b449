"""Check-worthiness: a calibrated probability that a sentence is worth fact-checking.

``load_model()`` loads the model shipped inside the package once per process;
``train`` reproduces it from the CheckThat! 2024 data; ``evaluate`` measures any model
on a JSONL file of ``{"text", "label"}``.
"""

from builder.checkworthy.data import Labelled, read_labelled
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
    "format_report",
    "load_model",
    "read_labelled",
    "train",
]
