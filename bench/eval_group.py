"""Grouping measured on facts it was not written from: leave-one-event-out on labelled real news.

Labels: ``tests/data/group_news/<event>.facts.jsonl`` give, for every candidate claim of the
labelled events of ../shared/data/news_clusters (several outlets each), the facts it states (a
claim may state several); ``<event>.conflicts.jsonl`` the pairs of claims that disagree. They
hold offsets and fact ids only, never the publishers' text.

The whole corpus (307 articles, 52 events) is extracted once and grouped as one run, as a
newsroom would. For each labelled event E, the pair model is fitted on the pairs of the other
events and its threshold chosen on them (the lowest threshold of a grid at which their pooled
same-fact precision reaches 0.9, the aim's precision; ``--rule f1``: the best F1); the corpus is
then grouped with that model and scored on E only: a same-fact pair is two claims of different
articles sharing a labelled fact; a predicted pair is two claims sharing a cluster (any of a
claim's clusters); every pair of labelled claims counts, those across events included. Conflict
recall is the share of labelled conflicts whose two claims appear together in one conflict
record.

Also printed: the shipped model as it is, per labelling batch (``batches.json``), which is held out
for a batch labelled after the model was fitted; and the same figures for the shipped model on the
example articles (tests/data/group_example_facts.jsonl; never used for fitting).

Usage:
    .venv/bin/python bench/eval_group.py            # leave-one-event-out and examples
    .venv/bin/python bench/eval_group.py --fit      # also refit builder/group/shipped/pair_model.json
                                                    # on all labelled events
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.group import _views, group_claims, read_story_of  # noqa: E402
from builder.group.cluster import cluster_views, link, pair_table  # noqa: E402
from builder.group.normalize import build_entity_index  # noqa: E402
from builder.group.pairs import SHIPPED, fit_pair_model, load_pair_model  # noqa: E402
from builder.run import run_extract  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "news_clusters" / "articles.jsonl"
LABELS = ROOT / "tests" / "data" / "group_news"
EXAMPLE_LABELS = ROOT / "tests" / "data" / "group_example_facts.jsonl"
# two collectors' events that are one story (a launch, and the payload announced for it weeks
# before), labelled apart: which fact of one is which of the other, so that two claims of the
# two events stating one fact are a same-fact pair, not a false one
ACROSS = LABELS / "same_facts_across_events.jsonl"
GRID = [*(round(0.70 + 0.02 * k, 2) for k in range(15)), 0.99]  # 0.70, 0.72, ... 0.98, 0.99
TARGET_PRECISION = 0.9  # the aim: same-fact pairs at this precision, with as much recall as it allows


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_labels(claims: list[dict]) -> tuple[dict[str, tuple[str, frozenset]], list[tuple[str, str, str]]]:
    """claim_id -> (event, facts) for every labelled claim found in the run, and the labelled
    conflicts as (event, claim_id, claim_id, disagreement): the disagreement is the labelled fact
    and the two sentences' words (casefolded, quotes and spaces normalised), so the copies of one
    wire sentence reprinted by several outlets make one disagreement."""
    rows = read_jsonl(CORPUS)
    key_of = {}
    for c in claims:
        news_id = rows[c["source"]["line"] - 1]["id"]
        key_of[(news_id, c["char_start"], c["char_end"])] = c["claim_id"]
    text_of = {c["claim_id"]: c["text"] for c in claims}
    facts: dict[str, tuple[str, frozenset]] = {}
    missing = Counter()
    # a fact of one event that is a fact of another: both claims get the mapping's own token, so
    # they match each other across the events and never two facts of one event with each other
    across: dict[str, set[str]] = defaultdict(set)
    for k, r in enumerate(read_jsonl(ACROSS) if ACROSS.exists() else []):
        across[r["a"]].add(f"across:{k}")
        across[r["b"]].add(f"across:{k}")
    for path in sorted(LABELS.glob("*.facts.jsonl")):
        for r in read_jsonl(path):
            cid = key_of.get((r["article"], r["start"], r["end"]))
            if cid is None:
                missing[r["event"]] += 1
                continue
            own = {f"{r['event']}/{f}" for f in r["facts"]}
            facts[cid] = (r["event"], frozenset(own.union(*(across[f] for f in own))))
    conflicts = []
    for path in sorted(LABELS.glob("*.conflicts.jsonl")):
        for r in read_jsonl(path):
            a = key_of.get((r["a"]["article"], r["a"]["start"], r["a"]["end"]))
            b = key_of.get((r["b"]["article"], r["b"]["start"], r["b"]["end"]))
            if a and b:
                said = sorted(_words(text_of[x]) for x in (a, b))
                conflicts.append((r["event"], a, b, f"{r['event']}/{r.get('fact')}/{said[0]}/{said[1]}"))
    if missing:
        print(
            f"labelled claims no longer candidates (boilerplate dropped, or the extractor changed): {dict(missing)}"
        )
    return facts, conflicts


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold().replace("’", "'")))


def pair_labels(views, pairs, facts) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate pair: 1 same fact, 0 different, -1 unlabelled; and its event ("" when
    unlabelled, "A|B" for a pair of claims of two events)."""
    y = np.full(len(pairs), -1)
    event = np.array([""] * len(pairs), dtype=object)
    for k, (i, j) in enumerate(pairs):
        a, b = views[i].claim_id, views[j].claim_id
        if a in facts and b in facts and views[i].article_id != views[j].article_id:
            (ea, fa), (eb, fb) = facts[a], facts[b]
            y[k] = int(bool(fa & fb))
            event[k] = ea if ea == eb else f"{ea}|{eb}"
    return y, event


def gold_pairs(views, facts) -> dict[str, set[tuple[str, str]]]:
    """Per event, its same-fact pairs of claims of different articles (claim ids, sorted), those
    with a claim of another event that states the same fact (``ACROSS``) in both events' sets."""
    article = {v.claim_id: v.article_id for v in views}
    by_event: dict[str, list[str]] = defaultdict(list)
    for cid, (event, _) in sorted(facts.items()):
        by_event[event].append(cid)
    out: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for event, ids in by_event.items():
        for a, b in combinations(ids, 2):
            if article[a] != article[b] and facts[a][1] & facts[b][1]:
                out[event].add((a, b))
    mapped = [cid for cid, (_, f) in sorted(facts.items()) if any(x.startswith("across:") for x in f)]
    for a, b in combinations(mapped, 2):
        if facts[a][0] != facts[b][0] and facts[a][1] & facts[b][1]:
            out[facts[a][0]].add((a, b))
            out[facts[b][0]].add((a, b))
    return out


def predicted_pairs(views, clusters, facts) -> set[tuple[str, str]]:
    """Pairs of labelled claims of different articles that share a cluster."""
    out: set[tuple[str, str]] = set()
    for c in range(len(clusters.members)):
        ids = sorted({views[i].claim_id for i in clusters.all_members(c) if views[i].claim_id in facts})
        article = {views[i].claim_id: views[i].article_id for i in clusters.all_members(c)}
        out.update((a, b) for a, b in combinations(ids, 2) if article[a] != article[b])
    return out


def score_event(views, clusters, facts, events: set[str], gold=None, predicted=None) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) same-fact pairs touching ``events``; pairs
    with claims of other events are negatives."""
    gold = gold if gold is not None else gold_pairs(views, facts)
    predicted = predicted if predicted is not None else predicted_pairs(views, clusters, facts)
    wanted = set().union(*(gold[e] for e in events)) if events else set()
    touching = {p for p in predicted if facts[p[0]][0] in events or facts[p[1]][0] in events}
    tp = len(touching & wanted)
    return tp, len(touching) - tp, len(wanted) - tp


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def choose_threshold(views, pairs, feats, model, facts, events: set[str], rule: str = "precision") -> float:
    """The threshold chosen on ``events`` (training events only). ``precision``: the lowest grid
    threshold whose pooled same-fact precision reaches ``TARGET_PRECISION`` (the highest, said
    aloud, when none does; joining nothing does not count as precise), so recall is as high as that precision allows; ``f1``: the grid threshold with the best
    pooled F1 (the rule before; it trades precision for recall and moved from fold to fold)."""
    scores = model.score_many(feats)
    gold = gold_pairs(views, facts)
    best = (-1.0, GRID[0])
    for t in GRID:
        clusters = link(views, pairs, scores, t)
        tp, fp, fn = score_event(views, clusters, facts, events, gold)
        p, _, f1 = prf(tp, fp, fn)
        if rule == "precision" and tp + fp and p >= TARGET_PRECISION:
            return t
        best = max(best, (f1, -t))
    if rule == "precision":
        print(f"  (precision {TARGET_PRECISION} not reached on the grid: threshold {GRID[-1]})")
        return GRID[-1]
    return -best[1]


def conflict_precision(
    conflict_records: list[dict], labelled: list[tuple[str, str, str]], facts: dict
) -> tuple[int, int]:
    """(labelled, flagged): of the pairs of labelled claims of one event that a conflict record
    puts together, how many are labelled conflicts (the conflict labels of an event are complete)."""
    wanted = {(min(a, b), max(a, b)) for _, a, b, _ in labelled}
    flagged = set()
    for r in conflict_records:
        for a, b in combinations(sorted(r["claim_ids"]), 2):
            if a in facts and b in facts and facts[a][0] == facts[b][0]:
                flagged.add((a, b))
    return len(flagged & wanted), len(flagged)


def conflicts_found(
    conflict_records: list[dict], labelled: list[tuple[str, str, str, str]]
) -> tuple[dict[str, list[int]], tuple[int, int]]:
    """Per event [found, labelled] conflicting pairs; and (found, labelled) distinct
    disagreements, one found when any pair of its copies is."""
    together = set()
    for r in conflict_records:
        for a, b in combinations(sorted(r["claim_ids"]), 2):
            together.add((a, b))
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    distinct: dict[str, bool] = defaultdict(bool)
    for event, a, b, disagreement in labelled:
        hit = (min(a, b), max(a, b)) in together
        out[event][1] += 1
        out[event][0] += hit
        distinct[disagreement] |= hit
    return out, (sum(distinct.values()), len(distinct))


def batches() -> dict[str, list[str]]:
    """The labelling batches (``batches.json``: name -> events, oldest first), so that the events
    labelled blind, after the code they measure was fixed, are reported on their own."""
    path = LABELS / "batches.json"
    if not path.exists():
        return {}
    return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def run_corpus(work: Path) -> list[dict]:
    out = work / "news_clusters"
    if not (out / "run.json").exists():
        run_extract([CORPUS], out, group=False)
    return read_jsonl(out / "claims.jsonl")


def eval_examples(work: Path) -> tuple[int, int, int]:
    """(tp, fp, fn) same-fact pairs of the shipped model on the example articles."""
    out = work / "examples"
    if not (out / "run.json").exists():
        run_extract([ROOT / "examples" / "articles"], out, group=False)
    claims = read_jsonl(out / "claims.jsonl")
    labels = read_jsonl(EXAMPLE_LABELS)
    present = {c["claim_id"] for c in claims}
    facts = {
        r["claim_id"]: ("examples", frozenset([r["fact"], *(r.get("also") or [])]) - {None})
        for r in labels
        if r["claim_id"] in present and not r["ambiguous"]
    }
    views = _views(claims, build_entity_index(Counter(m["text"] for c in claims for m in c["entities"])))
    return score_event(views, cluster_views(views), facts, {"examples"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the shipped pair model on all events")
    parser.add_argument("--work", type=Path, default=None, help="folder to keep the extracted runs in")
    parser.add_argument(
        "--rule",
        choices=("precision", "f1"),
        default="precision",
        help=f"how each fold's threshold is chosen: precision {TARGET_PRECISION} on the other events (default), or best F1",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        claims = run_corpus(work)
        story_of = read_story_of(work / "news_clusters")
        mentions = Counter(m["text"] for c in claims for m in c["entities"])
        views = _views(claims, build_entity_index(mentions))
        facts, labelled_conflicts = load_labels(claims)
        pairs, feats = pair_table(views, story_of)
        y, pair_event = pair_labels(views, pairs, facts)
        events = sorted({e for e, _ in facts.values()})
        print(
            f"corpus: {len(claims)} claims, {len(pairs)} candidate pairs; labelled: {len(facts)} claims of {len(events)} events, {int((y == 1).sum())} same-fact candidate pairs"
        )
        totals, per_event = [0, 0, 0], {}
        print(f"{'event (held out)':62s} {'pairs':>5s} {'P':>6s} {'R':>6s} {'thr':>5s}")
        for event in events:
            train = (y >= 0) & np.array([event not in e.split("|") for e in pair_event])
            model = fit_pair_model(feats[train], y[train], 0.5)
            others = set(events) - {event}
            t = choose_threshold(views, pairs, feats, model, facts, others, args.rule)
            clusters = link(views, pairs, model.score_many(feats), t)
            tp, fp, fn = score_event(views, clusters, facts, {event})
            per_event[event] = (tp, fp, fn)
            totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
            p, r, _ = prf(tp, fp, fn)
            print(f"{event[:62]:62s} {tp + fn:5d} {p:6.3f} {r:6.3f} {t:5.2f}")
        p, r, f = prf(*totals)
        print(
            f"{'ALL (leave-one-event-out, pooled)':62s} {totals[0] + totals[2]:5d} {p:6.3f} {r:6.3f}  F1 {f:.3f}"
        )
        for batch, members in batches().items():
            tp, fp, fn = (sum(per_event.get(e, (0, 0, 0))[k] for e in members) for k in range(3))
            p, r, _ = prf(tp, fp, fn)
            print(f"  batch: {batch[:52]:52s} {tp + fn:5d} {p:6.3f} {r:6.3f}")
        # the shipped model as it is (no refit): held out for a batch labelled after it was fitted
        shipped = load_pair_model()
        clusters = link(views, pairs, shipped.score_many(feats), shipped.threshold)
        print(f"shipped model as it is (threshold {shipped.threshold}), per batch:")
        for batch, members in batches().items():
            tp, fp, fn = (sum(score_event(views, clusters, facts, {e})[k] for e in members) for k in range(3))
            p, r, _ = prf(tp, fp, fn)
            seen = "fitted on" if set(members) & set(shipped.trained_on) else "held out: fitted before it"
            print(f"  batch: {batch[:52]:52s} {tp + fn:5d} {p:6.3f} {r:6.3f}  ({seen})")
        if args.fit:
            train = y >= 0
            model = fit_pair_model(feats[train], y[train], 0.5, tuple(events))
            t = choose_threshold(views, pairs, feats, model, facts, set(events), args.rule)
            model = fit_pair_model(feats[train], y[train], t, tuple(events))
            SHIPPED.write_text(model.to_json(), encoding="utf-8")
            load_pair_model.cache_clear()
            print(f"wrote {SHIPPED} (threshold {t})")
        # the shipped model on the whole corpus: conflicts, and the examples
        _, conflict_records, _ = group_claims(claims, story_of=story_of)
        found, (distinct_hit, distinct) = conflicts_found(conflict_records, labelled_conflicts)
        hit, total = sum(v[0] for v in found.values()), sum(v[1] for v in found.values())
        print(f"conflicts (shipped model, all labelled events): {hit} of {total} labelled conflicts flagged")
        print(
            f"  distinct disagreements (copies of one statement counted once): {distinct_hit} of {distinct}"
        )
        right, flagged = conflict_precision(conflict_records, labelled_conflicts, facts)
        print(
            f"  precision: {right} of the {flagged} flagged pairs of labelled claims are labelled conflicts; "
            f"{len(conflict_records)} conflict records in the corpus"
        )
        for event, (h, n) in sorted(found.items()):
            print(f"  {event[:60]:60s} {h}/{n}")
        for batch, members in batches().items():
            h, n = (sum(found[e][k] for e in members if e in found) for k in range(2))
            print(f"  batch: {batch[:52]:52s} {h}/{n}")
        tp, fp, fn = eval_examples(work)
        p, r, _ = prf(tp, fp, fn)
        print(f"examples (shipped model, never fitted on): same-fact pairs {tp + fn}, P {p:.3f} R {r:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
