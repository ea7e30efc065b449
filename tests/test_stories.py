"""Stories, boilerplate a corpus reveals, and splits that keep stories whole.

Every corpus here is made up in the test: invented names (so wordfreq knows none of them)
in ordinary news sentences, several outlets per event.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from pathlib import Path

import jsonschema

from builder.corpus import ACROSS_STORIES, PUBLISHER_REPEATED
from builder.group.stories import StoryArticle, StoryIndex, term_weights
from builder.publish.release import PublishOptions, publish
from builder.publish.splits import plan_splits
from builder.run import run_extract
from tests.conftest import ROOT, read_jsonl

SYLLABLES = ("ka", "vor", "lem", "tis", "bru", "zan", "quo", "rel", "mip", "dax", "sul", "fen")
TEMPLATES = (
    "{person} said on {day} that {n} people had been moved out of {place} after the {thing} collapsed.",
    "Officials of the {org} in {place} confirmed that the {thing} had been closed since {day} morning.",
    "{person}, who leads the {org}, told reporters in {place} that repairs would cost {n} million dollars.",
    "The {org} said {n} workers from {place} were helping {person} with the {thing} on {day}.",
    "Residents of {place} told {org} staff and {person} that the {thing} had shaken for {n} minutes.",
    "{person} promised in {place} that the {org} would publish a report on the {thing} within {n} days.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def word(seed: int, length: int = 4) -> str:
    """An invented word, syllables picked by a hash of ``seed``."""
    digest = hashlib.sha256(str(seed).encode()).digest()
    return "".join(SYLLABLES[b % len(SYLLABLES)] for b in digest[:length])


def story_article(story: int, copy: int) -> tuple[str, str]:
    """(title, text) of one outlet's report of made-up event ``story``."""
    names = {
        "person": f"{word(story * 5 + 1).title()} {word(story * 5 + 2).title()}",
        "place": word(story * 5 + 3).title(),
        "thing": word(story * 5 + 4) + " bridge",
        "org": f"{word(story * 5 + 5).title()} Authority",
    }
    lines = []
    for k in range(4):
        template = TEMPLATES[(copy + k) % len(TEMPLATES)]
        lines.append(template.format(**names, day=DAYS[(copy + k) % 5], n=12 + 7 * copy + 3 * k + story))
    title = f"{names['thing'].title()} in {names['place']}: {names['person']} speaks"
    return title, "\n\n".join(lines)


def write_corpus(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def corpus_rows(sizes: list[int], footer=lambda story, copy: [], rotate: bool = True) -> list[dict]:
    """Made-up reports: ``sizes[k]`` outlets report event k; ``rotate``: outlets take turns
    (the first report of each event is by a different outlet), else outlet k writes each
    event's k-th report."""
    rows = []
    for story, size in enumerate(sizes):
        for copy in range(size):
            title, text = story_article(story, copy)
            extra = footer(story, copy)
            rows.append(
                {
                    "id": f"s{story}-{copy}",
                    "title": title,
                    "text": "\n\n".join([text, *extra]),
                    "publisher": f"outlet{(copy + story) % 7 if rotate else copy}.example",
                    "published": f"2024-03-{1 + story:02d}",
                }
            )
    return rows


def stories_by_label(run: Path, rows: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """article_id -> made-up event, and article_id -> story_id."""
    label = {
        a["article_id"]: rows[a["source"]["line"] - 1]["id"].split("-")[0]
        for a in read_jsonl(run / "articles.jsonl")
    }
    story = {a: s["story_id"] for s in read_jsonl(run / "stories.jsonl") for a in s["article_ids"]}
    return label, story


def test_boilerplate_across_stories_never_becomes_a_claim(tmp_path):
    copyright_line = "Copyright 2024 The Kestrel Wire Service, all rights reserved."
    email_line = "Email us at tips@kestrelwire.example or call 0800 555 0100 with your news."

    def footer(story, copy):
        return [copyright_line, email_line] if copy == 0 else []

    rows = corpus_rows([3, 3, 3, 3], footer)  # the footer in the first report of each of 4 stories
    run = tmp_path / "run"
    run_extract([write_corpus(tmp_path / "news.jsonl", rows)], run, group=False, processes=1)

    claims = read_jsonl(run / "claims.jsonl")
    assert not [c for c in claims if "Kestrel" in c["text"] or "tips@" in c["text"]]
    excluded = Counter()
    for article in read_jsonl(run / "articles.jsonl"):
        for span in article["excluded"]:
            passage = article["text"][span["char_start"] : span["char_end"]]
            if span["reason"] == ACROSS_STORIES:
                assert passage in (copyright_line, email_line)
                assert span["detail"] == "in 4 articles of 4 stories"
                excluded[passage] += 1
    assert excluded == {copyright_line: 4, email_line: 4}
    counts = json.loads((run / "run.json").read_text())["counts"]
    assert counts["claims"] == len(claims)
    assert counts["excluded_spans"][ACROSS_STORIES] == 8
    assert counts["sentences"]["boilerplate"] == 8
    assert counts["sentences"]["candidate"] == len(claims)
    assert counts["stories"] == 4

    label, story = stories_by_label(run, rows)
    assert len(set(story.values())) == 4  # the shared footer does not join the stories
    for a in label:
        for b in label:
            assert (label[a] == label[b]) == (story[a] == story[b])
    schema = json.loads((ROOT / "schemas" / "story.schema.json").read_text())
    for record in read_jsonl(run / "stories.jsonl"):
        jsonschema.validate(record, schema)


def test_a_publishers_repeated_line_is_its_boilerplate(tmp_path):
    line = "Readers of the Daily Quorrel can call 0800 555 0199 for home delivery every Monday."

    def footer(story, copy):
        return [line] if copy == 1 else []  # outlet1 prints it under each of its 3 reports

    rows = corpus_rows([3, 3, 3], footer, rotate=False)
    run = tmp_path / "run"
    run_extract([write_corpus(tmp_path / "news.jsonl", rows)], run, group=False, processes=1)
    assert not [c for c in read_jsonl(run / "claims.jsonl") if "Quorrel" in c["text"]]
    reasons = [
        (span["reason"], span["detail"])
        for article in read_jsonl(run / "articles.jsonl")
        for span in article["excluded"]
        if "Quorrel" in article["text"][span["char_start"] : span["char_end"]]
    ]
    assert reasons == [(PUBLISHER_REPEATED, "in 3 articles of outlet1.example")] * 3


def test_stories_are_stable_when_an_unrelated_article_is_added(tmp_path):
    rows = corpus_rows([4, 3, 3, 2])
    one, two = tmp_path / "one", tmp_path / "two"
    run_extract([write_corpus(tmp_path / "a.jsonl", rows)], one, group=False, processes=1)
    team, rival, player = word(901).title(), word(902).title(), word(903).title()
    text = (
        f"{team} beat {rival} by three goals to one in the league final on Saturday evening.\n\n"
        f"{player} scored twice for {team} before half time, and 41,000 fans watched the match."
    )
    unrelated = {"id": "s9-0", "title": f"{team} win the final", "text": text, "publisher": "sport.example"}
    (tmp_path / "b").mkdir()
    write_corpus(tmp_path / "b" / "a.jsonl", rows)
    write_corpus(tmp_path / "b" / "b.jsonl", [unrelated])
    run_extract([tmp_path / "b"], two, group=False, processes=2, shard_articles=3)
    before = (one / "stories.jsonl").read_text().splitlines()
    after = (two / "stories.jsonl").read_text().splitlines()
    assert len(before) == 4 and len(after) == 5
    assert set(before) <= set(after)  # every story, its id and its members unchanged


def test_splits_keep_stories_whole_and_reach_their_sizes(tmp_path):
    sizes = [9, 7, 6, 5, 4, 4, 3, 3, 3, 2, 2, 2]  # 50 articles, one story of 9
    rows = corpus_rows(sizes)
    run = tmp_path / "run"
    run_extract([write_corpus(tmp_path / "news.jsonl", rows)], run, processes=2)
    label, story = stories_by_label(run, rows)
    assert len(set(story.values())) == len(sizes)
    options = PublishOptions(split_by="group", release_date="2026-01-01")
    release = publish(run, "synthetic", "0.1.0", out=tmp_path / "exports", options=options)
    split_of = release.split_of_article
    for event in set(label.values()):
        assert len({split_of[a] for a, e in label.items() if e == event}) == 1, event
    shares = Counter(split_of.values())
    for split, target in zip(("train", "validation", "test"), (0.8, 0.1, 0.1), strict=True):
        assert abs(shares[split] / len(split_of) - target) <= 0.07, (split, shares)
    assert sum(release.plan.stories_per_split.values()) == len(sizes)
    datasheet = (release.path / "DATASHEET.md").read_text()
    per_split = release.plan.stories_per_split
    assert (
        f"Stories per split: train {per_split['train']}, validation {per_split['validation']}, "
        f"test {per_split['test']}." in datasheet
    )


def test_hash_buckets_alone_would_miss_the_sizes_the_fill_reaches_them():
    # one large story and many small ones: whatever split the large one hashes to, the
    # shares end within one small story of the targets
    story_of, published = {}, {}
    for s, size in enumerate([40, *([3] * 20)]):
        for k in range(size):
            article_id = f"{s:04d}{k:012d}"
            story_of[article_id], published[article_id] = f"story{s}", None
    plan = plan_splits(published, [], {}, "group", (0.8, 0.1, 0.1), story_of)
    shares = Counter(plan.split_of_article.values())
    assert abs(shares["train"] / 100 - 0.8) <= 0.03 and abs(shares["test"] / 100 - 0.1) <= 0.03
    assert (
        plan.stories_per_split["train"]
        + plan.stories_per_split["validation"]
        + plan.stories_per_split["test"]
        == 21
    )
    assert plan.source == "stories.jsonl"
    fallback = plan_splits(published, [], {}, "group")  # no stories.jsonl: each article alone
    assert fallback.source == "clusters" and fallback.stories == 100


def test_stories_do_not_depend_on_the_order_articles_come_in():
    rows = corpus_rows([5, 4, 3, 3, 2])
    articles = [
        StoryArticle(
            hashlib.sha256(r["id"].encode()).hexdigest()[:16],
            r["published"],
            r["title"],
            r["publisher"],
            term_weights(r["title"], r["text"]),
        )
        for r in rows
    ]
    results = []
    for seed in range(4):
        random.Random(seed).shuffle(articles)
        index = StoryIndex()
        for article in articles:
            index.add(article)
        results.append([story.to_dict() for story in index.stories()])
    assert all(result == results[0] for result in results)
    assert sorted(story["size"] for story in results[0]) == [2, 3, 3, 4, 5]
