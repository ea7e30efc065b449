"""The shipped ONNX models compute the same integers on every CPU (builder/onnxrun.py)."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from builder.checkworthy import load_model
from builder.checkworthy.model import SHIPPED_DIR
from builder.group.embed import SHIPPED as ENCODER_DIR
from builder.group.embed import load_embedder
from builder.onnxrun import SentenceRunner, exact_matmuls

SENTENCES = [
    "Unemployment fell to 3.9 percent in March, the lowest rate since 2000, the Labor Department said.",
    "Thanks so much for having me, it's great to be here tonight.",
    "The company said 143 million customers' names, birth dates and Social Security numbers were taken.",
]


def _exact_twin(model: onnx.ModelProto) -> bytes:
    """``model`` with every MatMulInteger replaced by the same sums in float64 (exact for these
    sizes), cast back to int32: what the quantised graph means, whatever the CPU's kernels do."""
    graph = model.graph
    nodes = []
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            nodes.append(node)
            continue
        a, b, za, zb = node.input
        t = node.name or node.output[0]
        nodes += [
            helper.make_node("Cast", [a], [f"{t}/a"], to=TensorProto.DOUBLE),
            helper.make_node("Cast", [za], [f"{t}/za"], to=TensorProto.DOUBLE),
            helper.make_node("Sub", [f"{t}/a", f"{t}/za"], [f"{t}/a0"]),
            helper.make_node("Cast", [b], [f"{t}/b"], to=TensorProto.DOUBLE),
            helper.make_node("Cast", [zb], [f"{t}/zb"], to=TensorProto.DOUBLE),
            helper.make_node("Sub", [f"{t}/b", f"{t}/zb"], [f"{t}/b0"]),
            helper.make_node("MatMul", [f"{t}/a0", f"{t}/b0"], [f"{t}/ab"]),
            helper.make_node("Cast", [f"{t}/ab"], list(node.output), to=TensorProto.INT32),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    return model.SerializeToString()


def _session(model: bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def test_an_integer_matmul_is_exact_where_int8_kernels_saturate():
    """uint8 x int8 products summed in pairs overflow 16 bits on CPUs without VNNI (255 * 127 * 2
    > 32767); after ``exact_matmuls`` the graph gives the true integer sums on any CPU."""
    rng = np.random.default_rng(0)
    weights = rng.integers(-128, 128, size=(64, 32), dtype=np.int8)
    weights[:, 0] = 127  # a column whose pair sums saturate
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "w", "za", "zw"], ["y"])],
        "matmul",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [None, 64])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [None, 32])],
        [
            numpy_helper.from_array(weights, "w"),
            numpy_helper.from_array(np.array(0, dtype=np.uint8), "za"),
            numpy_helper.from_array(np.array(0, dtype=np.int8), "zw"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    a = np.full((3, 64), 255, dtype=np.uint8)
    a[1] = rng.integers(0, 256, size=64, dtype=np.uint8)
    (y,) = _session(exact_matmuls(model.SerializeToString())).run(None, {"a": a})
    assert np.array_equal(y, a.astype(np.int64) @ weights.astype(np.int64))


def test_the_shipped_models_score_the_exact_integer_arithmetic():
    """A check-worthiness score and a sentence vector are what the quantised graph means, bit for
    bit, so the same sentence scores the same on every machine (and the README's figures hold)."""
    checkworthy = load_model()
    embedder = load_embedder()
    cases = [
        (SHIPPED_DIR / "model.onnx", checkworthy._tokenizer, SentenceRunner(checkworthy.onnx_bytes)),
        (ENCODER_DIR / "encoder.onnx", embedder.tokenizer, SentenceRunner(ENCODER_DIR / "encoder.onnx")),
    ]
    for path, tokenizer, runner in cases:
        twin = _session(_exact_twin(onnx.load(str(path))))
        for text in SENTENCES:
            ids = np.asarray([tokenizer.encode(text).ids], dtype=np.int64)
            (want, *_) = twin.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            got = runner.run(tuple(ids[0]))
            assert np.array_equal(got, want[0]), (path.name, text)
