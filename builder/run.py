"""The extract run: inputs -> DIR/articles.jsonl, claims.jsonl, rejects.jsonl, run.json.

Outputs are deterministic (same inputs and config give the same bytes, whatever the
order the paths were given in, the number of processes or the engine), each file is
written atomically, and ``run.json`` is written last, so a folder without it is an
unfinished run. The run streams: articles are read one at a time, extracted shard by
shard (``builder.shards``) and merged from disk, so memory does not grow with the corpus
(but for one set of article ids, and grouping, which holds the claims). Finished shards
stay in ``DIR/.shards`` until run.json is written: a run started again after a crash
extracts only the shards it had not finished.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder import __version__
from builder.corpus import CorpusPlan, plan_corpus
from builder.errors import ClaimsetError, Errors
from builder.extract import ExtractConfig, extractor_info, load_model
from builder.ingest import IngestStream
from builder.ingest.fetch import ARCHIVE_NAME, FetchOptions, FetchSummary, fetch_urls, read_url_list
from builder.ingest.readers import DEFAULT_MAX_BYTES
from builder.ingest.tables import check_columns
from builder.records import Reject, dumps
from builder.runfiles import temp_file_target, write_json, write_lines
from builder.shards import DIRNAME, SHARD_ARTICLES, ShardStore, cut

OUTPUT_FILES = (
    "articles.jsonl",
    "claims.jsonl",
    "rejects.jsonl",
    "stories.jsonl",
    "clusters.jsonl",
    "conflicts.jsonl",
    "claim_groups.jsonl",
)


@dataclass
class RunSummary:
    out_dir: Path
    counts: dict[str, object]
    shards: int = 0  # shards in the run
    resumed: int = 0  # of which were finished by an earlier, interrupted run and not redone
    fetch: FetchSummary | None = None  # with ``urls``: what was fetched into DIR/fetched.warc.gz


def run_extract(
    paths: list[Path],
    out_dir: Path,
    config: ExtractConfig | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Callable[[int], None] | None = None,
    group: bool = True,
    processes: int | None = None,
    engine: str = "local",
    address: str | None = None,
    shard_articles: int = SHARD_ARTICLES,
    columns: Mapping[str, str] | None = None,
    urls: Path | None = None,
    fetch: FetchOptions | None = None,
    on_url: Callable[[str, str | None], None] | None = None,
) -> RunSummary:
    """Extract candidate claims from every input under ``paths`` into ``out_dir``.

    ``columns`` maps a field of JSON Lines, CSV and Parquet records to its column name
    (``{"text": "body"}``). ``urls``, a file of URLs, is first fetched (``fetch`` says how;
    ``on_url`` hears of each URL) into ``out_dir/fetched.warc.gz``, which is then read with
    the other inputs: run.json lists it as an input, so a rebuild reads it and never fetches.

    ``on_reject`` hears about each rejected input as it happens; ``progress`` is called with
    the number of articles each time a shard is done. ``processes`` workers (default: all
    cores) extract in parallel on ``engine`` ("local", or "ray" at ``address``, a local Ray
    instance without one). None of processes, engine or shard size changes the output:
    processes and shard size are recorded in run.json "options" (a rebuild redoes the run with
    them), never in the config or its hash; the engine is not recorded at all, since a rebuild
    runs locally and must write the same run.json.
    """
    from builder.engines import default_processes, run_shards

    config = config or ExtractConfig()
    processes = processes or default_processes()
    columns = check_columns(columns)
    if urls is not None:
        read_url_list(urls)  # fails now, before the model loads, on a missing or empty list
    _check_out_dir(out_dir)
    for leftover in out_dir.glob(".*.tmp-*") if out_dir.is_dir() else ():  # a crashed run's partial writes
        if _is_temp_file(leftover.name):
            leftover.unlink()
    # fail early, before reading anything, if the model is missing
    nlp = load_model(config.model, config.lean)
    extractor = extractor_info(config, nlp)
    out_dir.mkdir(parents=True, exist_ok=True)
    fetched = None
    if urls is not None:
        fetched = fetch_urls(urls, out_dir / ARCHIVE_NAME, fetch, on_url)
        paths = [*paths, out_dir / ARCHIVE_NAME]
    store = ShardStore(out_dir / DIRNAME)
    store.folder.mkdir(exist_ok=True)
    spool = (store.folder / "rejects.spool").open("w", encoding="utf-8")  # rejects as they come

    def rejected(reject: Reject) -> None:
        spool.write(dumps(reject.to_dict()) + "\n")
        if on_reject:
            on_reject(reject)

    stream = IngestStream(paths, max_bytes=max_bytes, on_reject=rejected, columns=columns)
    keys: list[str] = []
    totals = ShardTotals()
    resumed = 0

    def todo():  # the shards not finished by an earlier run; the others are only counted
        nonlocal resumed
        for shard in cut(stream, json.dumps(extractor.__dict__, sort_keys=True), shard_articles):
            keys.append(shard.key)
            finished = store.finished(shard.key)
            if finished is not None:
                totals.add(finished)
                resumed += 1
                if progress:
                    progress(len(shard.articles))
            else:
                yield shard

    with spool:
        for shard, result in run_shards(todo(), config, processes, engine, address):
            totals.add(store.save(shard.key, result))
            if progress:
                progress(len(shard.articles))

    # what only the whole run shows: its stories, and the sentences repeated across them
    corpus = plan_corpus(store, keys, stream)
    # run.json marks a finished run: remove the old one first, so a run interrupted while
    # writing never leaves new files beside an old run.json that vouches for them
    (out_dir / "run.json").unlink(missing_ok=True)
    hashes = {
        "articles.jsonl": write_lines(
            out_dir / "articles.jsonl", store.articles(keys, stream, corpus.article_line)
        ),
        "claims.jsonl": write_lines(out_dir / "claims.jsonl", store.claims(keys, stream, corpus.keeps)),
        "rejects.jsonl": write_lines(out_dir / "rejects.jsonl", store.lines("rejects.spool")),
        "stories.jsonl": write_lines(out_dir / "stories.jsonl", corpus.story_lines()),
    }
    totals.apply(corpus)
    counts = totals.counts(stream)
    if group:  # before run.json, so its output hashes cover the grouping files too
        from builder.group import group as group_claims

        grouped = group_claims(out_dir, update_run=False)
        hashes.update(grouped.hashes)
        counts["clusters"] = grouped.clusters
        counts["conflicts"] = grouped.conflicts
    else:  # no stale grouping of an earlier run beside the new claims
        for name in ("clusters.jsonl", "conflicts.jsonl", "claim_groups.jsonl"):
            (out_dir / name).unlink(missing_ok=True)
    run = {
        "claimset": __version__,
        "extractor": extractor.__dict__,
        "config": config.as_dict(nlp),
        # the arguments that redo this run (`claimset rebuild` uses them)
        "options": {
            **dataclasses.asdict(config),
            "max_bytes": max_bytes,
            "group": group,
            "processes": processes,
            "shard_articles": shard_articles,
            **({"columns": dict(sorted(columns.items()))} if columns else {}),
        },
        "inputs": [{"path": f.path, "sha256": f.sha256 or None, "bytes": f.bytes} for f in stream.files],
        "counts": counts,
        "outputs": hashes,
    }
    write_json(out_dir / "run.json", run)
    store.remove()
    return RunSummary(out_dir, counts, shards=len(keys), resumed=resumed, fetch=fetched)


def rerun_extract(recorded: dict, out_dir: Path) -> RunSummary:
    """Redo an extract run from what its run.json recorded (inputs, options) into ``out_dir``."""
    options = dict(recorded.get("options") or {"model": recorded["config"]["model"]})
    max_bytes = options.pop("max_bytes", DEFAULT_MAX_BYTES)
    group = options.pop("group", True)
    processes = options.pop("processes", None)
    shard_articles = options.pop("shard_articles", SHARD_ARTICLES)
    columns = options.pop("columns", None)
    fields = {f.name for f in dataclasses.fields(ExtractConfig)}
    config = ExtractConfig(**{k: v for k, v in options.items() if k in fields})
    paths = [Path(item["path"]) for item in recorded["inputs"]]
    return run_extract(
        paths,
        out_dir,
        config,
        max_bytes,
        group=group,
        processes=processes,
        shard_articles=shard_articles,
        columns=columns,
    )


class ShardTotals:
    """The run's counts, added up shard by shard."""

    def __init__(self) -> None:
        self.articles = self.claims = self.stories = 0
        self.sentences: Counter[str] = Counter()
        self.excluded: Counter[str] = Counter()

    def add(self, counts: dict) -> None:
        self.articles += counts["articles"]
        self.claims += counts["claims"]
        self.sentences.update(counts["sentences"])
        self.excluded.update(counts["excluded"])

    def apply(self, corpus: CorpusPlan) -> None:
        """The run's stories, and its boilerplate claims counted as such instead of candidates."""
        self.stories = len(corpus.stories)
        self.claims -= len(corpus.dropped)
        self.sentences["candidate"] -= len(corpus.dropped)
        self.sentences["boilerplate"] += len(corpus.dropped)
        self.excluded.update(corpus.excluded_counts())
        self.sentences = Counter({k: v for k, v in self.sentences.items() if v})

    def counts(self, stream: IngestStream) -> dict[str, object]:
        return {
            "read": stream.read,
            "accepted": stream.read - stream.rejected,
            "rejected": stream.rejected,
            "duplicates": stream.duplicates,
            "skipped": dict(sorted(stream.skipped.items())),  # WARC records that are no article
            "articles": self.articles,
            "claims": self.claims,
            "stories": self.stories,
            "sentences": dict(sorted(self.sentences.items())),
            "excluded_spans": dict(sorted(self.excluded.items())),
        }


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ClaimsetError(Errors.E202, path=out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()):
        ours = set(OUTPUT_FILES) | {"run.json", DIRNAME, ARCHIVE_NAME}
        names = {p.name for p in out_dir.iterdir() if not _is_temp_file(p.name)}
        if not (out_dir / "run.json").exists() and not names <= ours:
            raise ClaimsetError(Errors.E202, path=out_dir)


def _is_temp_file(name: str) -> bool:
    """A temporary file of an atomic write of this folder's outputs that a crash left behind."""
    return temp_file_target(name) in (*OUTPUT_FILES, "run.json")
