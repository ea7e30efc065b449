"""Stories and corpus boilerplate against the collectors' event labels of news_clusters.

Extracts ../shared/data/news_clusters/articles.jsonl (307 articles, 52 events; or reads a
finished run folder of it with --run) and compares stories.jsonl with the `event` labels:

- pairwise: of the article pairs of one event, how many share a story (recall); of the pairs
  sharing a story, how many are of one event (precision);
- events split: events whose articles are in more than one story (what makes an event cross
  splits), and stories holding several events;
- boilerplate: claims dropped as repeated across stories or by one publisher, and how many of
  the dropped sentences occur only within one event (what a wrong drop looks like; some are
  still boilerplate, a site's footer in articles of one event).

The check-worthiness model plays no part in stories or boilerplate, so the run uses the
heuristic score (faster). The texts are the publishers' copyright: nothing is written into
the repository.

With --scale, instead: the time per article of stories alone (vectors, then linkage) on the
BBC articles of ../shared/data/news, 1 and 5 copies (each copy a new article), and the largest
stories of one copy.

Usage: .venv/bin/python bench/eval_stories.py [--run DIR] [--keep DIR] [--processes 2] [--show]
       .venv/bin/python bench/eval_stories.py --scale [--copies 1 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.corpus import REASONS, sentence_key  # noqa: E402
from builder.extract import ExtractConfig  # noqa: E402
from builder.group.stories import StoryArticle, StoryIndex, term_weights  # noqa: E402
from builder.run import run_extract  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "news_clusters" / "articles.jsonl"
BBC = ROOT.parent / "shared" / "data" / "news" / "bbc_articles.jsonl"


def scale(copies: list[int]) -> None:
    rows = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line]
    for count in copies:
        start = time.process_time()
        index = StoryIndex()
        for copy in range(count):
            for row in rows:
                text = row["text"] + f"\n\nClosing line {copy} of this copy."
                article = StoryArticle(
                    f"{copy:04d}{row['id']}", None, row["title"], None, term_weights(row["title"], text)
                )
                index.add(article)
        vectors = time.process_time() - start
        stories = index.stories()
        total = time.process_time() - start
        sizes = sorted((len(s.article_ids) for s in stories), reverse=True)
        print(
            f"{len(index)} articles: {total / len(index) * 1000:.2f} ms CPU per article "
            f"({vectors / len(index) * 1000:.2f} for the vectors), {len(stories)} stories, largest {sizes[:5]}"
        )


def extract(out: Path, processes: int | None = None) -> Path:
    run_extract([CORPUS], out, ExtractConfig(checkworthy_model="heuristic"), group=False, processes=processes)
    return out


def events_of(run: Path) -> dict[str, str]:
    """article_id -> the collectors' event, through the article's line in the corpus file."""
    events = [json.loads(line)["event"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    articles = [
        json.loads(line) for line in (run / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return {a["article_id"]: events[a["source"]["line"] - 1] for a in articles}


def story_figures(run: Path, event_of: dict[str, str]) -> dict:
    stories = [json.loads(line) for line in (run / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    story_of = {a: s["story_id"] for s in stories for a in s["article_ids"]}
    ids = sorted(event_of)
    same_story = same_event = both = 0
    for a, b in combinations(ids, 2):
        story, event = story_of[a] == story_of[b], event_of[a] == event_of[b]
        same_story += story
        same_event += event
        both += story and event
    stories_of_event: dict[str, set[str]] = defaultdict(set)
    events_of_story: dict[str, set[str]] = defaultdict(set)
    for article_id in ids:
        stories_of_event[event_of[article_id]].add(story_of[article_id])
        events_of_story[story_of[article_id]].add(event_of[article_id])
    split = sorted(e for e, s in stories_of_event.items() if len(s) > 1)
    return {
        "articles": len(ids),
        "events": len(stories_of_event),
        "stories": len(stories),
        "largest_story": max(s["size"] for s in stories),
        "pair_precision": round(both / same_story, 3) if same_story else None,
        "pair_recall": round(both / same_event, 3) if same_event else None,
        "events_split": len(split),
        "split_events": split,
        "stories_with_several_events": sum(len(e) > 1 for e in events_of_story.values()),
    }


def boilerplate_figures(run: Path, event_of: dict[str, str]) -> dict:
    articles = [
        json.loads(line) for line in (run / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    reasons: Counter[str] = Counter()
    events_of_sentence: dict[int, set[str]] = defaultdict(set)
    for article in articles:
        for span in article["excluded"]:
            if span["reason"] in REASONS:
                reasons[span["reason"]] += 1
                sentence = article["text"][span["char_start"] : span["char_end"]]
                events_of_sentence[sentence_key(sentence)].add(event_of[article["article_id"]])
    run_counts = json.loads((run / "run.json").read_text(encoding="utf-8"))["counts"]
    return {
        "claims_kept": run_counts["claims"],
        "claims_dropped": sum(reasons.values()),
        "by_reason": dict(sorted(reasons.items())),
        "distinct_sentences": len(events_of_sentence),
        "sentences_within_one_event": sum(len(e) == 1 for e in events_of_sentence.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, help="a finished extract run of news_clusters")
    parser.add_argument("--keep", type=Path, help="extract into this folder and keep it")
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--show", action="store_true", help="list the events split across stories")
    parser.add_argument("--scale", action="store_true", help="time stories alone on BBC articles")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()
    if args.scale:
        scale(args.copies)
        return
    if not CORPUS.is_file():
        sys.exit(f"{CORPUS} not found")
    with tempfile.TemporaryDirectory() as scratch:
        run = args.run or extract(args.keep or Path(scratch) / "run", args.processes)
        event_of = events_of(run)
        stories = story_figures(run, event_of)
        boilerplate = boilerplate_figures(run, event_of)
    print(
        f"stories: {stories['stories']} stories for {stories['events']} events, {stories['articles']} articles "
        f"(largest story {stories['largest_story']} articles)"
    )
    print(
        f"same-event article pairs: precision {stories['pair_precision']}, recall {stories['pair_recall']}; "
        f"events split across stories: {stories['events_split']} of {stories['events']}; "
        f"stories holding several events: {stories['stories_with_several_events']}"
    )
    if args.show:
        for event in stories["split_events"]:
            print(f"  split: {event}")
    print(
        f"boilerplate: {boilerplate['claims_dropped']} claims dropped "
        f"({', '.join(f'{k}: {v}' for k, v in boilerplate['by_reason'].items()) or 'none'}), "
        f"{boilerplate['claims_kept']} kept; {boilerplate['distinct_sentences']} distinct sentences, "
        f"{boilerplate['sentences_within_one_event']} of them only within one event"
    )


if __name__ == "__main__":
    main()
