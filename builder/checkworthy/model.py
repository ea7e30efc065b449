"""The check-worthiness model: TF-IDF word and character n-grams, logistic regression, Platt calibration.

The artefact is one gzipped JSON file (vocabularies, idf weights, coefficients,
calibration, threshold), so it loads without pickle, is byte-identical when retrained
with the same seed, and does not depend on the scikit-learn version that trained it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from builder.errors import ClaimsetError, Errors

FORMAT = 1
ARTEFACT = "model.json.gz"
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold typographic variants (curly quotes, dashes, NFKC) so news text looks like the training text."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip()


@dataclass
class NgramFeatures:
    """One TF-IDF block: a fixed vocabulary with idf weights, sublinear tf, L2-normalised rows."""

    analyzer: str  # "word" | "char_wb"
    ngram_range: tuple[int, int]
    terms: list[str]
    idf: np.ndarray

    def __post_init__(self) -> None:
        self._counter = CountVectorizer(
            analyzer=self.analyzer,
            ngram_range=tuple(self.ngram_range),
            lowercase=True,
            vocabulary=self.terms,
            dtype=np.float64,
            **({"token_pattern": TOKEN_PATTERN} if self.analyzer == "word" else {}),
        )

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        counts = self._counter.transform(texts).tocsr()
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
        weighted = counts @ sparse.diags(self.idf)
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ weighted

    def to_dict(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "ngram_range": list(self.ngram_range),
            "terms": self.terms,
            "idf": [_round(x) for x in self.idf],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NgramFeatures:
        return cls(data["analyzer"], tuple(data["ngram_range"]), data["terms"], np.asarray(data["idf"]))


# Words, numbers with their separators (2.5, 1,000) and %/$ as tokens of their own.
TOKEN_PATTERN = r"(?u)\b\w[\w.,]*\w\b|\b\w\b|[%$€£]"


@dataclass
class CheckworthyModel:
    """Scores sentences with a calibrated probability that they are worth fact-checking."""

    blocks: list[NgramFeatures]
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float]  # calibrated p = sigmoid(a * z + b), z the raw decision value
    threshold: float  # the decision threshold that maximised F1 on out-of-fold training predictions
    name: str = "claimset-checkworthy"
    info: dict[str, Any] = field(default_factory=dict)

    def decision(self, texts: list[str]) -> np.ndarray:
        """Raw (uncalibrated) decision values."""
        clean = [normalise(t) for t in texts]
        features = sparse.hstack([block.transform(clean) for block in self.blocks]).tocsr()
        return features @ self.coef + self.intercept

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities in [0, 1], one per text, in one vectorised pass."""
        if not texts:
            return np.zeros(0)
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * self.decision(list(texts)) + b)))

    def score(self, texts: list[str]) -> list[float]:
        """Probabilities rounded to 4 decimals, as written into claims."""
        return [round(float(p), 4) for p in self.predict_proba(texts)]

    @property
    def version(self) -> str:
        """Content hash of the weights: changes whenever the model does."""
        return hashlib.sha256(self._payload_bytes()).hexdigest()[:12]

    @property
    def label(self) -> str:
        """``name@version``, stamped on every claim's extractor info."""
        return f"{self.name}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "threshold": _round(self.threshold),
            "platt": [_round(x) for x in self.platt],
            "intercept": _round(self.intercept),
            "coef": [_round(x) for x in self.coef],
            "blocks": [block.to_dict() for block in self.blocks],
            "info": self.info,
        }

    def _payload_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def save(self, out_dir: Path) -> Path:
        """Write ``out_dir/model.json.gz`` (deterministic bytes: gzip mtime 0)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / ARTEFACT
        tmp = path.with_name(f".{ARTEFACT}.tmp")
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
            gz.write(self._payload_bytes())
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, model_dir: Path) -> CheckworthyModel:
        path = Path(model_dir) / ARTEFACT
        try:
            with gzip.open(path, "rb") as handle:
                data = json.loads(handle.read())
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            return cls(
                blocks=[NgramFeatures.from_dict(b) for b in data["blocks"]],
                coef=np.asarray(data["coef"]),
                intercept=float(data["intercept"]),
                platt=(float(data["platt"][0]), float(data["platt"][1])),
                threshold=float(data["threshold"]),
                name=data["name"],
                info=data.get("info", {}),
            )
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise ClaimsetError(Errors.E605, path=path, detail=_short(exc)) from exc


@functools.lru_cache(maxsize=4)
def load_model(model_dir: str | None = None) -> CheckworthyModel:
    """Load a model once per process (the shipped one by default)."""
    return CheckworthyModel.load(Path(model_dir) if model_dir else SHIPPED_DIR)


def _round(x: float) -> float:
    # 7 significant digits: far below any effect on a score, and absorbs float noise between BLAS builds
    return float(f"{float(x):.7g}")


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
