"""Sentence encoders run by ONNX Runtime on the CPU, one sentence per network call.

The check-worthiness model and grouping's sentence encoder both run this way: no padding and no
batch-wide quantisation scale, so a sentence's output depends on its token ids alone, whatever
else is run with it, in whatever batch or process. Distinct sentences are shared out over
``WORKERS`` threads (ONNX Runtime releases the GIL); each is still computed alone.

Both graphs are dynamically quantised (``quantize_dynamic``, int8 weights): each ``MatMulInteger``
multiplies uint8 activations by int8 weights. ONNX Runtime's kernel for that pairing on x86 CPUs
without VNNI (AVX2) adds pairs of products in 16 bits, which saturate, while VNNI CPUs add them
exactly, so the same model scored the same sentence differently on two machines (by up to 0.35 in
a logit). Before a session starts, every such weight and its zero point are shifted by 128 to
uint8 (``exact_matmuls``): the same products and the same sums, computed by the uint8 x uint8
kernels, which are exact on every x86 CPU, so an output is the same wherever it is computed.
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


def exact_matmuls(model: bytes | Path) -> bytes:
    """``model`` with each int8 ``MatMulInteger`` weight (and its zero point) as uint8, plus 128.

    ``(w + 128) - (z + 128) == w - z``: the graph computes the same integers, by kernels that do
    not saturate (see the module's docstring). Graphs without such weights come back unchanged.
    """
    import onnx
    from onnx import numpy_helper

    graph = onnx.load_from_string(model) if isinstance(model, bytes) else onnx.load(str(model))
    initializers = {t.name: t for t in graph.graph.initializer}
    readers: dict[str, int] = {}
    for node in graph.graph.node:
        for name in node.input:
            readers[name] = readers.get(name, 0) + 1
    shifted: set[str] = set()
    for node in graph.graph.node:
        if node.op_type != "MatMulInteger" or len(node.input) < 4:
            continue
        weight, zero = node.input[1], node.input[3]
        tensors = [initializers.get(weight), initializers.get(zero)]
        if any(t is None or t.data_type != onnx.TensorProto.INT8 for t in tensors):
            continue
        if any(readers[name] > 1 for name in (weight, zero)):
            raise ValueError(f"MatMulInteger {node.name}: its weight is read by other nodes too")
        for tensor in tensors:
            if tensor.name not in shifted:
                values = numpy_helper.to_array(tensor).astype(np.int16) + 128
                tensor.CopyFrom(numpy_helper.from_array(values.astype(np.uint8), tensor.name))
                shifted.add(tensor.name)
    return graph.SerializeToString()


class SentenceRunner:
    """An ONNX graph taking ``input_ids`` and ``attention_mask``, run one sentence at a time."""

    def __init__(self, model: bytes | Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            exact_matmuls(model), options, providers=["CPUExecutionProvider"]
        )

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
