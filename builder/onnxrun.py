"""Sentence encoders run by ONNX Runtime on the CPU, one sentence per network call.

The check-worthiness model and grouping's sentence encoder both run this way: no padding and no
batch-wide quantisation scale, so a sentence's output depends on its token ids alone, whatever
else is run with it, in whatever batch or process. Distinct sentences are shared out over
``WORKERS`` threads (ONNX Runtime releases the GIL); each is still computed alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

THREADS = 1  # ONNX Runtime threads per network call: fixed, so outputs do not depend on the machine's cores
WORKERS = min(2, os.cpu_count() or 1)  # sentences run at once (threads), each on its own

Ids = tuple[int, ...]
T = TypeVar("T")


class SentenceRunner:
    """An ONNX graph taking ``input_ids`` and ``attention_mask``, run one sentence at a time."""

    def __init__(self, model: bytes | Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        source = model if isinstance(model, bytes) else str(model)
        self._session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])

    def run(self, ids: Ids) -> np.ndarray:
        """The graph's first output for one sentence (its row of the batch of one)."""
        return self.run_all(ids)[0]

    def run_all(self, ids: Ids) -> list[np.ndarray]:
        """Every output of the graph for one sentence (each its row of the batch of one)."""
        array = np.asarray([ids], dtype=np.int64)
        outputs = self._session.run(None, {"input_ids": array, "attention_mask": np.ones_like(array)})
        return [out[0] for out in outputs]

    def run_distinct(self, keys: list[Ids]) -> dict[Ids, np.ndarray]:
        """The first output of each distinct sentence of ``keys``, over ``WORKERS`` threads."""
        return self._distinct(self.run, keys)

    def run_distinct_all(self, keys: list[Ids]) -> dict[Ids, list[np.ndarray]]:
        """Every output of each distinct sentence of ``keys``, over ``WORKERS`` threads."""
        return self._distinct(self.run_all, keys)

    @staticmethod
    def _distinct(one: Callable[[Ids], T], keys: list[Ids]) -> dict[Ids, T]:
        distinct = list(dict.fromkeys(keys))
        if WORKERS == 1 or len(distinct) < 2 * WORKERS:
            outputs = [one(k) for k in distinct]
        else:
            with ThreadPoolExecutor(WORKERS) as pool:
                outputs = list(pool.map(one, distinct, chunksize=16))
        return dict(zip(distinct, outputs, strict=True))
