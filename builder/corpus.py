"""What only the whole run reveals: its stories, and the sentences that recur across them.

Extraction sees the corpus a shard at a time, so two things wait until every shard is
finished, and are found in one more pass over the shard files (claims, then articles) before
the merge writes the outputs:

- **Boilerplate a corpus reveals.** A candidate sentence that recurs (casefolded, digits
  masked, whitespace collapsed) in articles of different stories is a wire copyright line, a
  contact or newsletter prompt, a photo credit, a site's footer: never a fact of one story.
  So is one that recurs in ``PUBLISHER_ARTICLES`` or more articles of one publisher (those
  articles' copies only; another outlet quoting the same words keeps its claim). Such claims
  are dropped from claims.jsonl and their spans become excluded passages of their articles
  (``boilerplate:repeated_across_stories``, ``boilerplate:publisher_repeated``), counted as
  ``boilerplate`` sentences rather than candidates.
- **Stories** (``builder.group.stories``): the articles of one event, written to
  stories.jsonl. An article's story vector leaves out its excluded passages and the lines of
  its publisher-repeated sentences (a site's footer must not make its articles one story).

Memory is a few numbers per claim and a bounded vector per article; the sentence keys are
8-byte hashes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from builder.group.stories import Story, StoryArticle, StoryIndex, term_weights
from builder.ingest import IngestStream
from builder.records import Span, claim_id_for, dumps
from builder.shards import ShardStore

PUBLISHER_ARTICLES = 3  # articles of one publisher a sentence must recur in to be its boilerplate
ACROSS_STORIES = "boilerplate:repeated_across_stories"
PUBLISHER_REPEATED = "boilerplate:publisher_repeated"
REASONS = (ACROSS_STORIES, PUBLISHER_REPEATED)
DIGIT = re.compile(r"\d")


def sentence_key(text: str) -> int:
    """The 8-byte hash of a sentence's normalised form (casefolded, digits masked, whitespace
    collapsed), as a signed integer."""
    normalised = " ".join(DIGIT.sub("0", text.casefold()).split())
    return int.from_bytes(
        hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


def publisher_of(source: dict) -> str | None:
    """The publisher an article's boilerplate belongs to: its stated publisher, else the
    host of its URL; None when neither is known (articles without one share nothing)."""
    if source.get("publisher"):
        return source["publisher"]
    url = source.get("url") or ""
    return url.split("/")[2] if "//" in url else None


@dataclass
class CorpusPlan:
    """What the merge applies: claims to drop, passages to add, and the stories."""

    stories: list[Story] = field(default_factory=list)
    spans: dict[str, list[Span]] = field(default_factory=dict)  # article_id -> boilerplate spans
    dropped: set[str] = field(default_factory=set)  # claim ids

    def excluded_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for spans in self.spans.values():
            for span in spans:
                counts[span.reason] += 1
        return dict(counts)

    def story_lines(self) -> Iterator[str]:
        for story in self.stories:
            yield dumps(story.to_dict()) + "\n"

    def article_line(self, line: str) -> str:
        """An article line with its boilerplate passages added (sorted with the others) and its
        sentence counts moved from candidate to boilerplate."""
        added = self.spans.get(_article_id(line))
        if not added:
            return line
        record = json.loads(line)
        spans = record["excluded"] + [span.__dict__ for span in added]
        record["excluded"] = sorted(spans, key=lambda s: (s["char_start"], s["char_end"], s["reason"]))
        counts = record["sentence_counts"]
        counts["candidate"] = counts.get("candidate", 0) - len(added)
        if not counts["candidate"]:
            del counts["candidate"]
        counts["boilerplate"] = counts.get("boilerplate", 0) + len(added)
        record["sentence_counts"] = dict(sorted(counts.items()))
        return dumps(record) + "\n"

    def keeps(self, line: str) -> bool:
        """Whether a claim line stays in claims.jsonl."""
        return not self.dropped or _claim_id(line) not in self.dropped


def plan_corpus(store: ShardStore, keys: list[str], stream: IngestStream) -> CorpusPlan:
    """Read the finished shards once (claims, then articles) and plan the merge."""
    article_index: dict[str, int] = {}
    article_ids: list[str] = []
    publishers: list[str | None] = []
    sentence_keys, owners, starts, ends = (np.zeros(0, np.int64) for _ in range(4))
    columns: list[list[int]] = [[], [], [], []]
    for key in keys:
        for line in store.lines(f"{key}.claims.jsonl"):
            claim = json.loads(line)
            article_id = claim["article_id"]
            index = article_index.get(article_id)
            if index is None:
                index = article_index[article_id] = len(article_ids)
                article_ids.append(article_id)
                publishers.append(publisher_of(claim["source"]))
            for column, value in zip(
                columns,
                (sentence_key(claim["text"]), index, claim["char_start"], claim["char_end"]),
                strict=True,
            ):
                column.append(value)
        if len(columns[0]) >= 1 << 16:  # into compact arrays as we go
            sentence_keys, owners, starts, ends = _extend((sentence_keys, owners, starts, ends), columns)
    sentence_keys, owners, starts, ends = _extend((sentence_keys, owners, starts, ends), columns)

    repeated = _repeated_groups(sentence_keys, owners)
    marked: dict[int, tuple[str, str]] = {}  # claim row -> (reason, detail)
    skip: dict[str, list[tuple[int, int]]] = defaultdict(list)  # article_id -> spans its vector leaves out
    for rows in repeated:
        by_publisher: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            publisher = publishers[owners[row]]
            if publisher is not None:
                by_publisher[publisher].add(int(owners[row]))
        for publisher, articles in by_publisher.items():
            if len(articles) >= PUBLISHER_ARTICLES:
                detail = f"in {len(articles)} articles of {publisher}"
                for row in rows:
                    if publishers[owners[row]] == publisher:
                        marked[row] = (PUBLISHER_REPEATED, detail)
                        skip[article_ids[owners[row]]].append((int(starts[row]), int(ends[row])))

    index = StoryIndex()
    for key in keys:
        for line in store.lines(f"{key}.articles.jsonl"):
            article = json.loads(line)
            article_id, source = article["article_id"], article["source"]
            if stream.needs_completion(article_id):  # the year of a date printed without one
                stream.complete(article_id, source)
            text = article["text"]
            spans = [(s["char_start"], s["char_end"]) for s in article["excluded"]]
            spans += [_line_around(text, start, end) for start, end in skip.get(article_id, ())]
            index.add(
                StoryArticle(
                    article_id=article_id,
                    published=source.get("published"),
                    title=source.get("title"),
                    publisher=publisher_of(source),
                    terms=term_weights(source.get("title"), text, spans),
                )
            )
    stories = index.stories()
    story_of = {article_id: story.story_id for story in stories for article_id in story.article_ids}

    for rows in repeated:
        across = {story_of[article_ids[owners[row]]] for row in rows}
        if len(across) < 2:
            continue
        articles = {int(owners[row]) for row in rows}
        detail = f"in {len(articles)} articles of {len(across)} stories"
        for row in rows:
            marked.setdefault(row, (ACROSS_STORIES, detail))

    plan = CorpusPlan(stories=stories)
    for row, (reason, detail) in sorted(marked.items()):
        article_id = article_ids[owners[row]]
        start, end = int(starts[row]), int(ends[row])
        plan.spans.setdefault(article_id, []).append(Span(start, end, reason, detail))
        plan.dropped.add(claim_id_for(article_id, start, end))
    for spans in plan.spans.values():
        spans.sort(key=lambda s: (s.char_start, s.char_end))
    return plan


def _extend(arrays: tuple, columns: list[list[int]]) -> tuple:
    extended = tuple(
        np.concatenate([a, np.asarray(c, np.int64)]) for a, c in zip(arrays, columns, strict=True)
    )
    for column in columns:
        column.clear()
    return extended


def _repeated_groups(sentence_keys: np.ndarray, owners: np.ndarray) -> list[list[int]]:
    """Rows (claims) grouped by sentence key, for keys found in two or more articles; in
    order of key, rows in order."""
    if not len(sentence_keys):
        return []
    order = np.argsort(sentence_keys, kind="stable")
    ordered = sentence_keys[order]
    bounds = np.flatnonzero(np.diff(ordered)) + 1
    groups = []
    for rows in np.split(order, bounds):
        if len(rows) > 1 and len(set(owners[rows].tolist())) > 1:
            groups.append(sorted(rows.tolist()))
    return groups


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The line (paragraph) holding a span: a footer's other sentences go with it."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


def _claim_id(line: str) -> str:
    return json.loads(line)["claim_id"] if not line.startswith('{"claim_id":"') else line[13:29]


def _article_id(line: str) -> str:
    return json.loads(line)["article_id"] if not line.startswith('{"article_id":"') else line[15:31]
