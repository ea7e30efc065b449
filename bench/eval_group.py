"""Precision and recall of grouping on same-fact pairs, on two labelled sets.

1. ``examples``: the five example reports of one event, every claim labelled by hand with the
   fact it asserts (tests/data/group_example_facts.jsonl). Pairs touching a claim labelled
   ambiguous (it asserts two facts) are left out.
2. ``bbc``: articles from ../shared/data/news listed in bbc_duplicates.txt. The listed pairs are
   exact copies, so the second copy is re-worded the way another outlet would (spelling
   variants of names, re-formatted numbers, synonyms, a trailing clause dropped) before
   extraction. The same sentence in both copies is a same-fact pair; any two other claims of
   the pair of articles (same topic, same names) are not.

Usage: .venv/bin/python bench/eval_group.py [--threshold 0.5] [--articles 60]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.group import group_claims  # noqa: E402
from builder.run import run_extract  # noqa: E402

NEWS = ROOT.parent / "shared" / "data" / "news"
LABELS = ROOT / "tests" / "data" / "group_example_facts.jsonl"

REWORDS = {
    "said": "stated",
    "company": "firm",
    "firm": "company",
    "government": "administration",
    "rose": "increased",
    "fell": "declined",
    "bought": "acquired",
    "announced": "unveiled",
    "biggest": "largest",
    "film": "movie",
    "people": "individuals",
    "told": "informed",
}


def _respell(word: str, rng: random.Random) -> str:
    """A spelling variant as outlets produce them: doubled or dropped letters, -y/-iy endings."""
    if re.search(r"(\w)\1", word) and rng.random() < 0.5:
        return re.sub(r"(\w)\1", r"\1", word, count=1)
    if word.endswith("y"):
        return word[:-1] + "iy"
    i = next((k for k in range(len(word) - 2, 1, -1) if word[k] in "tlnsrkf"), None)
    return word[: i + 1] + word[i] + word[i + 1 :] if i else word + "e"


def reword(text: str, seed: str) -> str:
    """Re-word an article the way another outlet would report the same facts."""
    rng = random.Random(seed)
    names = sorted(set(re.findall(r"(?<=[a-z,] )[A-Z][a-z]{4,}", text)))
    for name in names:
        if rng.random() < 0.4:
            text = re.sub(rf"\b{name}\b", _respell(name, rng), text)
    text = re.sub(r"\b(\d{1,3}),(\d{3})\b", r"\1\2", text)
    text = re.sub(r"(\d)%", r"\1 per cent", text)
    for a, b in REWORDS.items():
        if rng.random() < 0.7:
            text = re.sub(rf"\b{a}\b", b, text)

    def drop_clause(m: re.Match) -> str:
        sentence = m.group(0)
        if rng.random() < 0.2 and sentence.count(",") >= 1 and len(sentence) > 120:
            head = sentence[: sentence.rfind(",")]
            return head + "."
        return sentence

    return re.sub(r"[^.!?\n]+[.!?]", drop_clause, text)


def pair_scores(predicted: dict[str, str], gold: dict[str, str], ignore: set[str]) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) pair counts."""
    ids = sorted(i for i in gold if i not in ignore)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_gold = gold[a] is not None and gold[a] == gold[b]
        same_pred = predicted[a] == predicted[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    return tp, fp, fn


def _report(name: str, tp: int, fp: int, fn: int) -> tuple[float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"{name:10s} same-fact pairs {tp + fn:5d}  predicted {tp + fp:5d}  precision {p:.3f}  recall {r:.3f}"
    )
    return p, r


def _extract(folder: Path, out: Path) -> list[dict]:
    run_extract([folder], out, group=False)
    return [json.loads(line) for line in (out / "claims.jsonl").read_text(encoding="utf-8").splitlines()]


def eval_examples(threshold: float, work: Path) -> tuple[int, int, int]:
    claims = _extract(ROOT / "examples" / "articles", work / "examples")
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    gold = {r["claim_id"]: r["fact"] for r in labels}
    missing = [c["claim_id"] for c in claims if c["claim_id"] not in gold]
    if missing:
        print(f"warning: {len(missing)} claims not in the labels (the extractor changed?)")
    ignore = {r["claim_id"] for r in labels if r["ambiguous"]} | {
        i for i in gold if i not in {c["claim_id"] for c in claims}
    }
    _, _, groups = group_claims(claims, threshold)
    predicted = {g["claim_id"]: g["cluster_id"] for g in groups}
    for i in gold:
        predicted.setdefault(i, "missing:" + i)
    return pair_scores(predicted, gold, ignore)


def eval_bbc(threshold: float, work: Path, n_pairs: int) -> tuple[int, int, int]:
    articles = {}
    with open(NEWS / "bbc_articles.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            articles[row["id"]] = row
    pairs = [line.split() for line in (NEWS / "bbc_duplicates.txt").read_text().splitlines() if line.strip()]
    pairs = pairs[:: max(1, len(pairs) // n_pairs)][:n_pairs]
    src = work / "bbc"
    src.mkdir()
    for a, b in pairs:
        for name, text in ((a, articles[a]["text"]), (b, reword(articles[b]["text"], b))):
            (src / f"{name}.txt").write_text(articles[a]["title"] + "\n\n" + text, encoding="utf-8")
    claims = _extract(src, work / "bbc-out")
    # a sentence's place (paragraph, sentence) is the same in both copies: that is the gold fact
    story = {a: a for a, _ in pairs} | {b: a for a, b in pairs}
    gold = {}
    for c in claims:
        name = Path(c["source"]["path"]).stem
        gold[c["claim_id"]] = f"{story[name]}:{c['paragraph_index']}:{c['sentence_index']}"
    _, _, groups = group_claims(claims, threshold)
    predicted = {g["claim_id"]: g["cluster_id"] for g in groups}
    # score within each story (pairs across unrelated stories are trivially apart)
    tp = fp = fn = 0
    by_story: dict[str, list[str]] = {}
    for c in claims:
        by_story.setdefault(story[Path(c["source"]["path"]).stem], []).append(c["claim_id"])
    for ids in by_story.values():
        sub_gold = {i: gold[i] for i in ids}
        t, f, n = pair_scores(predicted, sub_gold, set())
        tp, fp, fn = tp + t, fp + f, fn + n
    cross = (
        sum(
            1
            for a, b in combinations(sorted(predicted), 2)
            if predicted[a] == predicted[b] and gold[a] != gold[b]
        )
        - fp
    )
    print(f"bbc: {len(pairs)} article pairs, {len(claims)} claims; {cross} false pairs across stories")
    return tp, fp + max(cross, 0), fn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--articles", type=int, default=60, help="duplicate pairs of BBC articles to use")
    args = parser.parse_args()
    from builder.group.cluster import DEFAULT_THRESHOLD

    threshold = args.threshold if args.threshold is not None else DEFAULT_THRESHOLD
    print(f"threshold {threshold}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ex = eval_examples(threshold, work)
        bbc = eval_bbc(threshold, work, args.articles) if NEWS.is_dir() else (0, 0, 0)
    _report("examples", *ex)
    if NEWS.is_dir():
        _report("bbc", *bbc)
    p, r = _report("all", *(x + y for x, y in zip(ex, bbc, strict=True)))
    return 0 if p >= 0.9 and r >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
