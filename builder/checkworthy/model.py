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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

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
        self._index = {term: i for i, term in enumerate(self.terms)}
        self._ngrams = _char_wb_ngrams if self.analyzer == "char_wb" else _word_ngrams

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """TF-IDF rows (1 + log tf, times idf, L2-normalised), n-grams as scikit-learn's analyzers make them."""
        index, lo, hi = self._index, *self.ngram_range
        indptr, cols, counts = [0], [], []
        for text in texts:
            for gram, count in Counter(self._ngrams(text.lower(), lo, hi)).items():
                col = index.get(gram)
                if col is not None:
                    cols.append(col)
                    counts.append(count)
            indptr.append(len(cols))
        cols_array = np.asarray(cols, dtype=np.int64)
        values = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * self.idf[cols_array]
        matrix = sparse.csr_matrix((values, cols_array, indptr), shape=(len(texts), len(self.terms)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ matrix

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
_TOKEN = re.compile(TOKEN_PATTERN)


def _word_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Word n-grams exactly as scikit-learn's ``analyzer="word"`` with TOKEN_PATTERN makes them."""
    tokens = _TOKEN.findall(text)
    return [" ".join(tokens[i : i + n]) for n in range(lo, hi + 1) for i in range(len(tokens) - n + 1)]


def _char_wb_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams inside space-padded words, exactly as scikit-learn's ``analyzer="char_wb"``."""
    grams = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(lo, hi + 1):
            if size <= n:  # a word shorter than n counts once, whole
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


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
