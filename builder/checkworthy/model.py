"""The check-worthiness model: a fine-tuned sentence encoder run by ONNX Runtime on the CPU.

A model folder holds ``model.onnx`` (the encoder with its classification head, weights
quantised to int8), ``tokenizer.json`` (read by the ``tokenizers`` package) and
``model.json`` (name, maximum length, Platt calibration, decision threshold, provenance).
Loading needs neither PyTorch nor transformers, nothing is downloaded, and no pickle is read.

Every sentence is run on its own (no padding, no batch-wide quantisation scale), so its score
depends on its text alone: the same sentence gets the same score whatever else is scored
with it, in whatever batch or process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from builder.errors import ClaimsetError, Errors
from builder.onnxrun import SentenceRunner

FORMAT = 2
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "model.json"
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold typographic variants (curly quotes, dashes, NFKC) so news text looks like the training text."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip()


@dataclass
class CheckworthyModel:
    """Scores sentences with a calibrated probability that they are worth fact-checking."""

    onnx_bytes: bytes
    tokenizer_json: str
    max_length: int
    platt: tuple[float, float]  # calibrated p = sigmoid(a * z + b), z the network's logit
    threshold: float  # the decision threshold that maximised F1 on held-out training sentences
    name: str = "claimset-checkworthy"
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from tokenizers import Tokenizer

        self._runner = SentenceRunner(self.onnx_bytes)
        self._tokenizer = Tokenizer.from_str(self.tokenizer_json)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_length)

    def logits(self, texts: list[str]) -> np.ndarray:
        """Raw (uncalibrated) logits, one sentence per network call.

        Distinct sentences are shared out over threads (``builder.onnxrun``); each is still
        computed alone, so the result does not depend on the worker count.
        """
        encodings = self._tokenizer.encode_batch([normalise(t) for t in texts])
        keys = [tuple(enc.ids) for enc in encodings]
        found = self._runner.run_distinct(keys)
        return np.asarray([float(found[k].reshape(-1)[0]) for k in keys], dtype=np.float64)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities in [0, 1], one per text."""
        if not texts:
            return np.zeros(0)
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * self.logits(list(texts)) + b)))

    def score(self, texts: list[str]) -> list[float]:
        """Probabilities rounded to 4 decimals, as written into claims."""
        return [round(float(p), 4) for p in self.predict_proba(texts)]

    @property
    def version(self) -> str:
        """Content hash of the network, tokenizer and calibration: changes whenever the model does."""
        digest = hashlib.sha256()
        for part in (self.onnx_bytes, self.tokenizer_json.encode(), self._meta_bytes()):
            digest.update(hashlib.sha256(part).digest())
        return digest.hexdigest()[:12]

    @property
    def label(self) -> str:
        """``name@version``, stamped on every claim's extractor info."""
        return f"{self.name}@{self.version}"

    def meta(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "max_length": self.max_length,
            "threshold": _round(self.threshold),
            "platt": [_round(x) for x in self.platt],
            "info": self.info,
        }

    def _meta_bytes(self) -> bytes:
        return json.dumps(self.meta(), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def save(self, out_dir: Path) -> Path:
        """Write ``model.onnx``, ``tokenizer.json`` and ``model.json`` into ``out_dir``."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        _write(out_dir / ONNX_FILE, self.onnx_bytes)
        _write(out_dir / TOKENIZER_FILE, self.tokenizer_json.encode())
        _write(out_dir / META_FILE, json.dumps(self.meta(), indent=2, sort_keys=True).encode() + b"\n")
        return out_dir / ONNX_FILE

    @classmethod
    def load(cls, model_dir: Path) -> CheckworthyModel:
        model_dir = Path(model_dir)
        path = model_dir / META_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
            path = model_dir / ONNX_FILE
            onnx_bytes = path.read_bytes()
            path = model_dir / TOKENIZER_FILE
            tokenizer_json = path.read_text(encoding="utf-8")
            return cls(
                onnx_bytes=onnx_bytes,
                tokenizer_json=tokenizer_json,
                max_length=int(data["max_length"]),
                platt=(float(data["platt"][0]), float(data["platt"][1])),
                threshold=float(data["threshold"]),
                name=data["name"],
                info=data.get("info", {}),
            )
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise ClaimsetError(Errors.E605, path=path, detail=_short(exc)) from exc
        except Exception as exc:  # onnxruntime or tokenizers refusing a damaged file
            raise ClaimsetError(Errors.E605, path=path, detail=_short(exc)) from exc


@functools.lru_cache(maxsize=4)
def load_model(model_dir: str | None = None) -> CheckworthyModel:
    """Load a model once per process (the shipped one by default)."""
    return CheckworthyModel.load(Path(model_dir) if model_dir else SHIPPED_DIR)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _round(x: float) -> float:
    return float(f"{float(x):.7g}")


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
