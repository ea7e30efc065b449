"""`claimset publish`: a run folder -> an immutable Hugging Face dataset folder.

The release is staged in a hidden sibling folder and renamed into place at the end, so a
crash never leaves half a version, and an existing version is never touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import NoReturn

import pyarrow as pa
import pyarrow.compute as pc

from builder import runfiles
from builder.errors import ClaimsetError, Errors
from builder.publish import card, changelog, claimreview, croissant, datasheet, manifest, scan
from builder.publish.inputs import RunFolder, check_references, read_run_folder
from builder.publish.splits import SPLITS, SplitPlan, find_leaks, normalise, plan_splits
from builder.publish.tables import (
    Lookups,
    SplitWriter,
    build_configs,
    claim_read_schema,
    claim_table,
    cluster_table,
)
from builder.records import Article, Reject, Story

VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


@dataclass
class PublishOptions:
    """Everything besides the run folder that decides a release's bytes (kept in the manifest)."""

    split_by: str = "group"
    ratios: tuple[float, float, float] = (0.8, 0.1, 0.1)
    release_date: str = field(default_factory=lambda: date.today().isoformat())
    datasheet: str | None = None  # path of the maintainer's datasheet YAML; None: the default text

    def to_dict(self) -> dict:
        return {**asdict(self), "ratios": list(self.ratios)}

    @classmethod
    def from_dict(cls, data: dict) -> PublishOptions:
        return cls(**{**data, "ratios": tuple(data["ratios"])})


@dataclass
class Tally:
    """What the datasheet and card count, added up while the release reads its files."""

    articles: int = 0
    claims: int = 0
    clusters: int = 0
    clusters_multi: int = 0
    published_range: tuple[str, str] | None = None
    undated_articles: int = 0
    sources: Counter = field(default_factory=Counter)  # source name -> articles
    claims_per_source: Counter = field(default_factory=Counter)
    rejects_by_code: Counter = field(default_factory=Counter)
    scores: list = field(default_factory=list)  # Arrow arrays of check-worthiness scores
    checkworthy_high: int = 0
    below_floor: int = 0


@dataclass
class Release:
    """What was published: its folder and the facts its documents report."""

    path: Path
    name: str
    version: str
    options: PublishOptions
    folder: RunFolder
    split_of_article: dict[str, str]
    stories: int
    plan: SplitPlan
    configs: list
    previous: Path | None
    texts: dict  # the maintainer's datasheet text
    tally: Tally
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # config -> split -> rows
    num_bytes: dict[str, dict[str, int]] = field(default_factory=dict)
    run_folder: str = ""

    def count(self, config: str) -> int:
        return sum(self.counts.get(config, {}).values())


def check_name_version(name: str, version: str) -> None:
    if not NAME.match(name):
        raise ClaimsetError(Errors.E403, name=name)
    if not VERSION.match(version):
        raise ClaimsetError(Errors.E402, version=version)


def version_key(version: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in version.split("."))  # type: ignore[return-value]


def previous_version(dataset_dir: Path, version: str) -> Path | None:
    """The newest published version older than ``version``, if any."""
    older = [
        p
        for p in dataset_dir.glob("*")
        if VERSION.match(p.name) and version_key(p.name) < version_key(version)
    ]
    return max(older, key=lambda p: version_key(p.name)) if older else None


def publish(
    run_dir: Path,
    name: str,
    version: str,
    out: Path = Path("exports"),
    options: PublishOptions | None = None,
    previous: Path | None = None,
    recorded_run_folder: str | None = None,
) -> Release:
    """Publish the run folder ``run_dir`` as ``out/name/version``; refuses to overwrite.

    ``previous`` is the release the changelog compares against; by default the newest older
    version beside the new one. ``recorded_run_folder`` is the run folder the manifest names
    (a rebuild publishes from a scratch copy but must record the original).
    """
    options = options or PublishOptions()
    check_name_version(name, version)
    if options.split_by not in ("group", "time"):
        raise ClaimsetError(Errors.E410, value=options.split_by)
    target = out / name / version
    if target.exists():
        raise ClaimsetError(Errors.E401, name=name, version=version, path=target)
    texts = datasheet.read_texts(Path(options.datasheet) if options.datasheet else None)
    folder = read_run_folder(run_dir)
    release, index = _plan(folder, name, version, target, options, texts)
    release.run_folder = recorded_run_folder or str(run_dir)
    release.previous = previous if previous is not None else previous_version(out / name, version)

    stage = out / name / f".{version}.partial-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        stage.mkdir(parents=True)
        _write(release, index, stage)
        if target.exists():
            raise ClaimsetError(Errors.E401, name=name, version=version, path=target)
        stage.rename(target)
    except OSError as error:  # e.g. a full disk: the hidden stage goes, nothing is published
        detail = error.strerror or str(error) or type(error).__name__
        raise ClaimsetError(Errors.E419, path=target, detail=detail) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return release


@dataclass
class _Index:
    """The compact view of the run folder that the release is written from."""

    articles: tuple[array, Sequence[int]]  # line starts of articles.jsonl, records by article_id
    clusters: tuple[array, Sequence[int]]  # line starts of clusters.jsonl, records by cluster_id
    article_of: dict[str, str]  # claim_id -> article_id
    lookups: Lookups
    claim_lines: int  # records in claims.jsonl


def _plan(folder: RunFolder, name, version, target, options, texts) -> tuple[Release, _Index]:
    """Read the run folder's big files once each, plan the splits and check them for leaks."""
    tally = Tally()
    path = folder.path
    published, source_of, article_order = _scan_articles(path / "articles.jsonl", tally)
    labelled_ids = {row.get("claim_id") for row in (*folder.verdicts, *folder.annotations)}
    feature_names: set[str] = set()
    claim_lines = len(scan.line_starts(path / "claims.jsonl", feature_names)) - 1
    article_of, texts_of, claims_per_article, labelled = _scan_claims(
        path / "claims.jsonl", claim_lines, published, labelled_ids, source_of, tally
    )
    check_references(folder, article_of)
    if any(article_id not in published for article_id in claims_per_article):
        _refuse(
            path / "claims.jsonl",
            lambda c: (
                None
                if c["article_id"] in published
                else f"its article {c['article_id']} is not in articles.jsonl"
            ),
        )
    cluster_of, cluster_articles, cluster_order = _scan_clusters(folder, article_of, tally)
    story_of, related = _read_stories(folder) if folder.has("stories.jsonl") else (None, [])
    cluster_articles = [*cluster_articles, *related]  # related stories share a split, like a cluster's
    plan = plan_splits(
        published, cluster_articles, claims_per_article, options.split_by, options.ratios, story_of
    )
    claim_ids = list(texts_of)
    splits = [plan.split_of_article[article_of[i]] for i in claim_ids]
    leaks = find_leaks(claim_ids, list(texts_of.values()), splits)
    del claim_ids, texts_of, splits  # the largest of the indices: not needed to write
    if leaks:
        a, b, score = leaks[0]
        split_a, split_b = (plan.split_of_article[article_of[i]] for i in (a, b))
        example = f"{a} ({split_a}) ~ {b} ({split_b}), similarity {score}"
        raise ClaimsetError(Errors.E406, count=len(leaks), example=example)

    conflicts_of: dict[str, set[str]] = defaultdict(set)
    if any(_first_unknown(c, article_of) for c in folder.conflicts):
        _refuse(path / "conflicts.jsonl", lambda c: _first_unknown(c, article_of))
    for conflict in folder.conflicts:
        for claim_id in conflict["claim_ids"]:
            conflicts_of[claim_id].add(conflict["conflict_id"])
    lookups = Lookups(
        feature_names=sorted(feature_names),
        cluster_of=cluster_of,
        conflicts_of={k: sorted(v) for k, v in conflicts_of.items()},
        labelled=labelled,
    )
    configs = build_configs(
        lookups,
        bool(folder.verdicts),
        bool(folder.annotations),
        bool(tally.clusters),
        bool(folder.conflicts),
    )
    release = Release(
        path=target,
        name=name,
        version=version,
        options=options,
        folder=folder,
        split_of_article=plan.split_of_article,
        stories=plan.stories,
        plan=plan,
        configs=configs,
        previous=None,
        texts=texts,
        tally=tally,
    )
    index = _Index(
        articles=article_order,
        clusters=cluster_order,
        article_of=article_of,
        lookups=lookups,
        claim_lines=claim_lines,
    )
    return release, index


def _read_stories(folder: RunFolder) -> tuple[dict[str, str], list[list[str]]]:
    """article_id -> story_id, from the run folder's stories.jsonl; and, for each pair of
    related stories, one article of each (to be kept in one split)."""
    story_of: dict[str, str] = {}
    first: dict[str, str] = {}
    related: list[tuple[str, str]] = []
    for story in runfiles.read_records(folder.path / "stories.jsonl", Story, Errors.E404):
        for article_id in story.get("article_ids") or ():
            story_of[article_id] = story["story_id"]
        first[story["story_id"]] = story["article_ids"][0]
        related.extend((story["story_id"], other) for other in story.get("related") or ())
    return story_of, [[first[a], first[b]] for a, b in sorted(related) if a in first and b in first]


def _first_unknown(record: dict, article_of: dict[str, str]) -> str | None:
    """What is wrong when a cluster's or conflict's first claim, which decides its split, is
    not a claim of the run."""
    if record.get("claim_ids") and record["claim_ids"][0] in article_of:
        return None
    return "its first claim is not in claims.jsonl (run `claimset group` again)"


def _refuse(path: Path, problem: Callable[[dict], str | None]) -> NoReturn:
    """Raise E404 naming the first line of ``path`` whose record has a ``problem``."""
    raise scan.first_bad_line(path, problem) or ClaimsetError(
        Errors.E404, path=path, line="?", detail="records and lines do not match"
    )


ARTICLE_SCAN = pa.schema(
    [
        ("article_id", pa.string()),
        ("source", pa.struct([(k, pa.string()) for k in ("published", "publisher", "url")])),
    ]
)
CLUSTER_SCAN = pa.schema([("cluster_id", pa.string()), ("claim_ids", pa.list_(pa.string()))])


def _order(ids: list[pa.Array]) -> Sequence[int]:
    """Record numbers sorted by id (Arrow sorts UTF-8 bytes: code point order, as Python)."""
    return pc.sort_indices(pa.chunked_array(ids, pa.string())).to_numpy() if ids else []


def _scan_articles(path: Path, tally: Tally) -> tuple[dict[str, str | None], dict[str, str], tuple]:
    """Each article's publication date and source name, and the order to write them in."""
    published: dict[str, str | None] = {}
    source_of: dict[str, str] = {}
    ids: list[pa.Array] = []
    first = last = None
    starts = scan.line_starts(path)
    for batch in scan.jsonl_batches(path, ARTICLE_SCAN, ("article_id",), "an article", len(starts) - 1):
        ids.append(batch.column("article_id"))
        for article_id, source in zip(
            *(batch.column(n).to_pylist() for n in ("article_id", "source")), strict=True
        ):
            date = (source or {}).get("published") or None
            published[article_id] = date
            source_of[article_id] = datasheet.source_name(source or {})
            tally.articles += 1
            tally.sources[source_of[article_id]] += 1
            if date:
                first, last = min(first or date, date), max(last or date, date)
            else:
                tally.undated_articles += 1
    tally.published_range = (first, last) if first else None
    return published, source_of, (starts, _order(ids))


def _scan_clusters(folder: RunFolder, article_of: dict[str, str], tally: Tally):
    """Each claim's cluster (id and size), the articles of each cluster that spans several
    (for the splits), and the order to write the clusters in."""
    path = folder.path / "clusters.jsonl"
    cluster_of: dict[str, tuple[str, int]] = {}
    cluster_articles: list[list[str]] = []
    cluster_ids: list[pa.Array] = []
    starts = scan.line_starts(path) if folder.has("clusters.jsonl") else array("q", [0])
    if len(starts) > 1:
        batches = scan.jsonl_batches(
            path, CLUSTER_SCAN, ("cluster_id", "claim_ids"), "a cluster", len(starts) - 1
        )
        for batch in batches:
            cluster_ids.append(batch.column("cluster_id"))
            columns = (batch.column(name).to_pylist() for name in ("cluster_id", "claim_ids"))
            for cluster_id, members in zip(*columns, strict=True):
                if not members or members[0] not in article_of:
                    _refuse(path, lambda c: _first_unknown(c, article_of))
                for claim_id in members:
                    cluster_of[claim_id] = (cluster_id, len(members))
                if len(members) > 1:
                    articles = {article_of[i] for i in members if i in article_of}
                    if len(articles) > 1:
                        cluster_articles.append(sorted(articles))
                tally.clusters += 1
                tally.clusters_multi += len(members) > 1
    return cluster_of, cluster_articles, (starts, _order(cluster_ids))


def _scan_claims(path, lines, published, labelled_ids, source_of, tally):
    """Claim -> article, each claim's normalised text (for the leak check), claims per
    article, and the text and article of the claims with human labels."""
    article_ids = {article_id: article_id for article_id in published}  # one str object each
    article_of: dict[str, str] = {}
    texts_of: dict[str, str] = {}
    claims_per_article: Counter = Counter()
    labelled: dict[str, tuple[str, str]] = {}
    schema = pa.schema(
        [
            *((name, pa.string()) for name in ("claim_id", "article_id", "text")),
            ("checkworthy", pa.float64()),
            ("below_floor", pa.bool_()),
        ]
    )
    for batch in scan.jsonl_batches(path, schema, ("claim_id", "article_id", "text"), lines=lines):
        scores = batch.column("checkworthy")
        tally.scores.append(scores)
        tally.checkworthy_high += pc.sum(pc.greater_equal(scores, 0.5)).as_py() or 0
        tally.below_floor += pc.sum(batch.column("below_floor")).as_py() or 0
        tally.claims += batch.num_rows
        columns = (batch.column(name).to_pylist() for name in ("claim_id", "article_id", "text"))
        for claim_id, article_id, text in zip(*columns, strict=True):
            article_id = article_ids.get(article_id, article_id)
            article_of[claim_id] = article_id
            texts_of[claim_id] = normalise(text)
            claims_per_article[article_id] += 1
            if claim_id in labelled_ids:
                labelled[claim_id] = (text, article_id)
    for article_id, n in claims_per_article.items():
        tally.claims_per_source[source_of.get(article_id, "not stated")] += n
    return article_of, texts_of, claims_per_article, labelled


def _write(release: Release, index: _Index, stage: Path) -> None:
    folder, split_of = release.folder, release.split_of_article

    def article_split(record: dict) -> str:
        """The split of a record's article (a cluster's or conflict's claims all share one)."""
        if "article_id" in record:
            return split_of[record["article_id"]]
        return split_of[
            index.article_of[record["claim_id"] if "claim_id" in record else record["claim_ids"][0]]
        ]

    for config in release.configs:
        with SplitWriter(stage / "data" / config.name, config.features) as writer:
            if config.name == "claims":
                schema = claim_read_schema(index.lookups.feature_names)
                for batch in scan.jsonl_batches(
                    folder.path / "claims.jsonl", schema, lines=index.claim_lines
                ):
                    table = claim_table(batch, index.lookups, config.features.arrow_schema)
                    writer.add_split(table, [split_of[a] for a in batch.column("article_id").to_pylist()])
            elif config.name == "clusters":
                schema = config.features.arrow_schema
                read = pa.schema([field for field in schema if field.name != "size"])
                starts, order = index.clusters
                path = folder.path / "clusters.jsonl"
                for chunk in scan.batches_in_order(path, starts, order, read, "a cluster"):
                    table = cluster_table(chunk, schema)
                    firsts = pc.list_element(table.column("claim_ids"), 0).to_pylist()
                    writer.add_split(table, [split_of[index.article_of[claim_id]] for claim_id in firsts])
            else:
                _write_rows(writer, config.to_row, _records(config.name, folder, index), article_split)
        release.counts[config.name], release.num_bytes[config.name] = writer.counts, writer.nbytes
    for reject in _rejects(folder):
        release.tally.rejects_by_code[reject["code"]] += 1
    stats = datasheet.compute_stats(release)
    (stage / "DATASHEET.md").write_text(datasheet.render(release, stats), encoding="utf-8")
    (stage / "README.md").write_text(card.render(release, stats), encoding="utf-8")
    (stage / "CHANGELOG.md").write_text(changelog.render(release, stage), encoding="utf-8")
    (stage / "claimreview.jsonl").write_text(claimreview.render(release, stage), encoding="utf-8")
    (stage / "croissant.json").write_text(
        json.dumps(croissant.build(release, stage), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (stage / "manifest.json").write_text(
        json.dumps(manifest.build(release, stage), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


ROW_BATCH = 1_000  # records turned into Arrow at a time


def _write_rows(writer: SplitWriter, to_row, records: Iterator[dict], split_of) -> None:
    pending: dict[str, list[dict]] = {split: [] for split in SPLITS}
    for record in records:
        rows = pending[split_of(record)]
        rows.append(to_row(record))
        if len(rows) >= ROW_BATCH:
            writer.add_rows(split_of(record), rows)
            rows.clear()
    for split, rows in pending.items():
        if rows:
            writer.add_rows(split, rows)


def _records(config: str, folder: RunFolder, index: _Index) -> Iterator[dict]:
    """The records of a config other than claims, in release order."""
    if config == "articles":
        places = scan.places(*index.articles)
        return runfiles.read_jsonl_at(folder.path / "articles.jsonl", places, Errors.E404, Article)
    if config == "verdicts":
        return iter(sorted(folder.verdicts, key=lambda v: v["claim_id"]))
    if config == "annotations":
        return iter(sorted(folder.annotations, key=lambda a: (a["claim_id"], a["annotator"], a["is_review"])))
    return iter(sorted(folder.conflicts, key=lambda c: c["conflict_id"]))


def _rejects(folder: RunFolder) -> Iterator[dict]:
    if folder.has("rejects.jsonl"):
        yield from runfiles.read_records(folder.path / "rejects.jsonl", Reject, Errors.E404)
