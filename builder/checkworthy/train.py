"""Train the check-worthiness model deterministically and save it with its config and metrics."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from builder.checkworthy.data import read_labelled
from builder.checkworthy.evaluate import best_threshold, evaluate, measure
from builder.checkworthy.model import TOKEN_PATTERN, CheckworthyModel, NgramFeatures, normalise
from builder.errors import ClaimsetError, Errors

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "checkworthy"  # ../shared/data from the project root


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the trained weights; saved as config.json beside the model."""

    seed: int = 13
    word_ngrams: tuple[int, int] = (1, 2)
    word_min_df: int = 2
    char_ngrams: tuple[int, int] = (2, 5)
    char_min_df: int = 3
    C: float = 1.0  # inverse L2 regularisation strength of the logistic regression
    class_weight: str | None = "balanced"
    folds: int = 5  # out-of-fold predictions for calibration and the threshold


@dataclass
class TrainResult:
    model: CheckworthyModel
    metrics: dict[str, object]
    out_dir: Path | None


def train(
    train_path: Path,
    dev_path: Path | None = None,
    out_dir: Path | None = None,
    config: TrainConfig | None = None,
) -> TrainResult:
    """Fit on ``train_path``; calibrate and pick the threshold out of fold; measure on ``dev_path``.

    With ``out_dir`` the model, ``config.json`` and ``metrics.json`` are written there.
    """
    import sklearn  # imported here: scoring never needs scikit-learn, and it is slow to import
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    config = config or TrainConfig()
    started = time.perf_counter()
    rows = read_labelled(train_path)
    labels = np.array([r.label for r in rows])
    minority = int(np.bincount(labels, minlength=2).min())
    if minority < 2:
        raise ClaimsetError(Errors.E606, path=train_path, detail=f"{minority} sentence(s) of the rarer label")
    texts = [normalise(r.text) for r in rows]
    try:
        blocks = _fit_blocks(texts, config)
    except ValueError as exc:  # no n-gram reaches min_df
        raise ClaimsetError(Errors.E606, path=train_path, detail=str(exc).rstrip(".")) from exc
    features = sparse.hstack([b.transform(texts) for b in blocks]).tocsr()

    # Out-of-fold decision values: honest inputs for Platt scaling and the F1 threshold.
    folds = min(config.folds, minority)
    oof = np.zeros(len(rows))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    for fit_idx, held_idx in splitter.split(features, labels):
        clf = _classifier(config).fit(features[fit_idx], labels[fit_idx])
        oof[held_idx] = clf.decision_function(features[held_idx])
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(oof.reshape(-1, 1), labels)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    oof_probs = 1.0 / (1.0 + np.exp(-(a * oof + b)))
    threshold = best_threshold(oof_probs, labels)

    final = _classifier(config).fit(features, labels)
    model = CheckworthyModel(
        blocks=blocks,
        coef=final.coef_[0],
        intercept=float(final.intercept_[0]),
        platt=(a, b),
        threshold=threshold,
        info={
            "approach": "tfidf word+char n-grams, logistic regression, Platt scaling",
            "config": _config(config),
        },
    )
    metrics: dict[str, object] = {
        "model": model.label,
        "train": {"path": _shown(train_path), "n": len(rows), "positives": int(labels.sum())},
        "cross_validation": measure(oof_probs, labels, threshold).to_dict(),
    }
    if dev_path is not None:
        dev_rows = read_labelled(dev_path)
        metrics["dev"] = {"path": _shown(dev_path), **evaluate(model, dev_rows).to_dict()}
    metrics["train_seconds"] = round(time.perf_counter() - started, 1)
    metrics["versions"] = {"scikit-learn": sklearn.__version__, "numpy": np.__version__}
    if out_dir is not None:
        _save(model, config, metrics, Path(out_dir))
    return TrainResult(model, metrics, out_dir)


def _fit_blocks(texts: list[str], config: TrainConfig) -> list[NgramFeatures]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    specs = [
        ("word", config.word_ngrams, config.word_min_df, {"token_pattern": TOKEN_PATTERN}),
        ("char_wb", config.char_ngrams, config.char_min_df, {}),
    ]
    blocks = []
    for analyzer, ngrams, min_df, extra in specs:
        vec = TfidfVectorizer(
            analyzer=analyzer, ngram_range=ngrams, min_df=min_df, sublinear_tf=True, lowercase=True, **extra
        )
        vec.fit(texts)
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        blocks.append(NgramFeatures(analyzer, ngrams, terms, vec.idf_.copy()))
    return blocks


def _classifier(config: TrainConfig):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=config.C, class_weight=config.class_weight, max_iter=3000, random_state=config.seed, solver="lbfgs"
    )


def _config(config: TrainConfig) -> dict[str, object]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()}


def _save(model: CheckworthyModel, config: TrainConfig, metrics: dict[str, object], out_dir: Path) -> None:
    model.save(out_dir)
    (out_dir / "config.json").write_text(json.dumps(_config(config), indent=2) + "\n", encoding="utf-8")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")


def _shown(path: Path) -> str:
    """A data path as recorded in metrics.json: relative to the project root when possible."""
    resolved = Path(path).resolve()
    for base, prefix in ((ROOT, ""), (ROOT.parent, "../")):
        if resolved.is_relative_to(base):
            return prefix + resolved.relative_to(base).as_posix()
    return str(path)
