"""The hand labels that grouping is measured on (``tests/data/group_news``) are usable and ours.

They point into ../shared/data/news_clusters by article id and character offsets, and may not
republish the publishers' text: the facts' legends and notes are in the labellers' own words."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "group_news"
CORPUS = ROOT.parent / "shared" / "data" / "news_clusters" / "articles.jsonl"
COPIED_WORDS = 8  # a run of this many words of an article in a label file counts as copied


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_every_label_points_at_a_sentence_of_its_event_and_every_conflict_at_labelled_claims():
    articles = {r["id"]: r for r in _jsonl(CORPUS)}
    events = Counter()
    for path in sorted(LABELS.glob("*.facts.jsonl")):
        event = path.name.removesuffix(".facts.jsonl")
        rows = _jsonl(path)
        legend = set(re.findall(r"^- `([^`]+)`", (LABELS / f"{event}.facts.md").read_text(), re.M))
        spans = set()
        for n, r in enumerate(rows, 1):
            article = articles[r["article"]]
            assert article["event"] == r["event"] == event, f"{path.name}:{n}"
            assert 0 <= r["start"] < r["end"] <= len(article["text"]), f"{path.name}:{n}"
            assert set(r["facts"]) <= legend, f"{path.name}:{n}: a fact missing from the legend"
            spans.add((r["article"], r["start"], r["end"]))
        events[event] = len(rows)
        for n, c in enumerate(_jsonl(LABELS / f"{event}.conflicts.jsonl"), 1):
            for side in (c["a"], c["b"]):
                assert (side["article"], side["start"], side["end"]) in spans, f"{event}.conflicts.jsonl:{n}"
    assert len(events) >= 30 and sum(events.values()) >= 2000  # what the README's figures count


def test_label_files_copy_no_run_of_the_publishers_text():
    articles = _jsonl(CORPUS)
    runs = set()
    for r in articles:
        words = _words(r["text"])
        runs.update(tuple(words[i : i + COPIED_WORDS]) for i in range(len(words) - COPIED_WORDS + 1))
    names = sorted({r["event"] for r in articles}, key=len, reverse=True)  # every label line names its event
    copied = []
    for path in sorted(LABELS.iterdir()):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in names:
                line = line.replace(name, " ")
            words = _words(line)
            if any(tuple(words[i : i + COPIED_WORDS]) in runs for i in range(len(words) - COPIED_WORDS + 1)):
                copied.append(f"{path.name}:{n}")
    assert not copied, copied


def test_every_labelled_event_is_in_exactly_one_labelling_batch():
    """``eval_group`` reports each batch on its own (the blind one above all), so none may be lost."""
    batches = json.loads((LABELS / "batches.json").read_text(encoding="utf-8"))
    listed = Counter(e for name, events in batches.items() if not name.startswith("_") for e in events)
    labelled = {p.name.removesuffix(".facts.jsonl") for p in LABELS.glob("*.facts.jsonl")}
    assert set(listed) == labelled and set(listed.values()) == {1}


def test_facts_mapped_across_events_are_in_both_legends():
    """Two collectors' events that are one story were labelled apart; the mapping that says which
    fact of one is which of the other must name facts the legends have."""
    legend = {}
    for path in LABELS.glob("*.facts.md"):
        event = path.name.removesuffix(".facts.md")
        legend.update({f"{event}/{f}": event for f in re.findall(r"^- `([^`]+)`", path.read_text(), re.M)})
    rows = _jsonl(LABELS / "same_facts_across_events.jsonl")
    assert rows
    for n, r in enumerate(rows, 1):
        assert r["a"] in legend and r["b"] in legend, f"same_facts_across_events.jsonl:{n}"
        assert legend[r["a"]] != legend[r["b"]], f"same_facts_across_events.jsonl:{n}: one event"
