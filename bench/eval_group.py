"""Precision and recall of grouping on same-fact pairs, on two labelled sets.

1. ``examples``: the five example reports of one event, every claim labelled by hand with the
   fact it asserts (tests/data/group_example_facts.jsonl). A claim that also asserts a second
   fact lists it in ``also``: grouping it with either fact is right, so its pairs with claims of
   the second fact count neither way. Pairs touching a claim labelled ambiguous (its fact is
   unclear) are left out.
2. ``bbc``: articles from ../shared/data/news listed in bbc_duplicates.txt. The listed pairs are
   exact copies, so the second copy is re-worded the way another outlet would (spelling
   variants of names, re-formatted numbers, synonyms, a trailing clause dropped) before
   extraction. The same sentence in both copies is a same-fact pair (see ``bbc_gold``); any two
   other claims (same topic, same names) are not, within a story and across stories.

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

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.group import group_claims  # noqa: E402
from builder.run import run_extract  # noqa: E402

NEWS = ROOT.parent / "shared" / "data" / "news"
LABELS = ROOT / "tests" / "data" / "group_example_facts.jsonl"
SAME_FACTS = ROOT / "tests" / "data" / "group_bbc_same_facts.jsonl"

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


def pair_scores(
    predicted: dict[str, str], gold: dict[str, str], ignore: set[str], also: dict[str, set[str]] | None = None
) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) pair counts.

    ``also``: second facts a claim asserts; a pair linked only through one counts neither way.
    """
    ids = sorted(i for i in gold if i not in ignore)
    also = also or {}
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_gold = gold[a] is not None and gold[a] == gold[b]
        facts_a, facts_b = {gold[a]} | also.get(a, set()), {gold[b]} | also.get(b, set())
        if not same_gold and (facts_a & facts_b) - {None}:
            continue
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
    also = {r["claim_id"]: set(r.get("also") or ()) for r in labels}
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
    return pair_scores(predicted, gold, ignore, also)


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
    gold = bbc_gold(claims, pairs)
    _, _, groups = group_claims(claims, threshold)
    predicted = {g["claim_id"]: g["cluster_id"] for g in groups}
    stories = {key.split(":")[0] for key in gold.values()}
    print(f"bbc: {len(pairs)} article pairs, {len(claims)} claims, {len(stories)} stories")
    return pair_scores(predicted, gold, set())


def _folded(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _aligned(copy: str, original: str) -> float:
    whole = fuzz.ratio(copy, original)
    if len(copy) < len(original) and len(copy) >= 20:
        return max(whole, fuzz.ratio(copy, original[: len(copy)]) - 5)
    return whole


def bbc_gold(claims: list[dict], pairs: list[list[str]]) -> dict[str, str | None]:
    """The fact each claim of the BBC set states, as the place of its sentence in the original.

    A sentence of the re-worded copy states the fact of the original sentence it was made from,
    found by aligning the texts (re-wording can move sentence boundaries, so the place alone is
    not enough); sentences an article repeats word for word are one fact; and the few same
    facts that two different articles state (hand-checked, tests/data/group_bbc_same_facts.jsonl)
    are one fact too. Every other pair of sentences is a different fact.
    """
    originals: dict[str, dict[str, str]] = {}  # story -> folded text -> fact
    by_file: dict[str, list[dict]] = {}
    for c in claims:
        by_file.setdefault(Path(c["source"]["path"]).stem, []).append(c)
    gold: dict[str, str | None] = {}
    for a, _ in pairs:
        seen = originals.setdefault(a, {})
        for c in sorted(by_file.get(a, []), key=lambda c: c["char_start"]):
            key = seen.setdefault(_folded(c["text"]), f"{a}:{c['paragraph_index']}:{c['sentence_index']}")
            gold[c["claim_id"]] = key
    for a, b in pairs:
        seen = originals.get(a, {})
        for c in by_file.get(b, []):
            folded = _folded(c["text"])
            # the copy of a sentence whose trailing clause was dropped matches its beginning
            best = max(seen, key=lambda t: (_aligned(folded, t), t), default=None)
            if best is not None and _aligned(folded, best) >= 80:
                gold[c["claim_id"]] = seen[best]
            else:
                gold[c["claim_id"]] = f"{a}:copy:{c['paragraph_index']}:{c['sentence_index']}"
    same = {}
    if SAME_FACTS.is_file():
        for line in SAME_FACTS.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            same[row["b"]] = row["a"]
    for cid, key in gold.items():
        while key in same:
            key = same[key]
        gold[cid] = key
    return gold


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
