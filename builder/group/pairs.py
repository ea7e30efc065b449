"""The pair model: the probability that two claims state the same fact, from a few pair features.

A logistic regression over ``FEATURES`` (computed by ``cluster.pair_features``), fitted by
``bench/eval_group.py --fit`` on hand-labelled same-fact pairs of real multi-outlet news
(``tests/data/group_news/``, events of ../shared/data/news_clusters), never on the example
articles. The shipped weights live in ``shipped/pair_model.json`` with the events they were
fitted on and the threshold: the lowest at which same-fact precision on those events reaches
0.9, so that what grouping joins can be trusted (``claimset group --threshold`` trades that
for recall).
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

SHIPPED = Path(__file__).resolve().parent / "shipped" / "pair_model.json"
SCORE_ROWS = 8192  # pairs scored at a time
FEATURES = (
    "cosine",
    "word_overlap",
    "word_dice",
    "entity_overlap",
    "entity_dice",
    "shared_number",
    "numbers_differ",
    "shared_date",
    "shared_quote",
    "length_ratio",
    "cosine_x_word_overlap",
    "cosine_x_entity_overlap",
    "alignment",
    "alignment_min",
    "alignment_x_word_overlap",
    "later_position",  # log(1 + the later of the two claims' sentence indexes, at most POSITION_CAP)
)


@dataclass(frozen=True)
class PairModel:
    weights: tuple[float, ...]
    bias: float
    threshold: float
    trained_on: tuple[str, ...] = ()  # the labelled events it was fitted on
    C: float = 1.0

    def score_many(self, features: np.ndarray) -> np.ndarray:
        """One probability per row. Rows are scored ``SCORE_ROWS`` at a time: the float64 copy
        of a whole 100,000-claim pair table would cost grouping 1.3 KB of memory a claim."""
        weights = np.asarray(self.weights)
        z = np.empty(len(features))
        for start in range(0, len(features), SCORE_ROWS):
            z[start : start + SCORE_ROWS] = features[start : start + SCORE_ROWS] @ weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def score(self, features: list[float]) -> float:
        return float(self.score_many(np.asarray([features]))[0])

    def to_json(self) -> str:
        out = asdict(self)
        out["features"] = list(FEATURES)
        return json.dumps(out, indent=2) + "\n"


def fit_pair_model(
    features: np.ndarray, labels: np.ndarray, threshold: float, events: tuple[str, ...] = (), C: float = 1.0
) -> PairModel:
    """A logistic regression on labelled pairs (balanced classes, deterministic solver)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="lbfgs")
    lr.fit(features, labels)
    return PairModel(
        tuple(round(float(w), 6) for w in lr.coef_[0]),
        round(float(lr.intercept_[0]), 6),
        threshold,
        events,
        C,
    )


@functools.cache
def load_pair_model(path: Path = SHIPPED) -> PairModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path}: its features {data['features']} are not {list(FEATURES)}")
    return PairModel(
        tuple(data["weights"]),
        data["bias"],
        data["threshold"],
        tuple(data.get("trained_on", ())),
        data.get("C", 1.0),
    )
