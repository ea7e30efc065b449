"""`claimset publish`: a run folder -> an immutable Hugging Face dataset folder.

The release is staged in a hidden sibling folder and renamed into place at the end, so a
crash never leaves half a version, and an existing version is never touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from builder.errors import ClaimsetError, Errors
from builder.publish import card, changelog, claimreview, croissant, datasheet, manifest
from builder.publish.inputs import RunFolder, read_run_folder
from builder.publish.splits import SPLITS, find_leaks, plan_splits
from builder.publish.tables import build_configs, write_parquet

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
class Release:
    """What was published: its folder and the facts its documents report."""

    path: Path
    name: str
    version: str
    options: PublishOptions
    folder: RunFolder
    split_of_article: dict[str, str]
    stories: int
    rows: dict[str, dict[str, list[dict]]]  # config -> split -> rows
    configs: list
    previous: Path | None
    texts: dict  # the maintainer's datasheet text
    num_bytes: dict[str, dict[str, int]] = field(default_factory=dict)
    run_folder: str = ""

    def count(self, config: str) -> int:
        return sum(len(rows) for rows in self.rows.get(config, {}).values())


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
    target = out / name / version
    if target.exists():
        raise ClaimsetError(Errors.E401, name=name, version=version, path=target)
    texts = datasheet.read_texts(Path(options.datasheet) if options.datasheet else None)
    folder = read_run_folder(run_dir)
    release = _plan(folder, name, version, target, options, texts)
    release.run_folder = recorded_run_folder or str(run_dir)
    release.previous = previous if previous is not None else previous_version(out / name, version)

    stage = out / name / f".{version}.partial-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    try:
        stage.mkdir(parents=True)
        _write(release, stage)
        if target.exists():
            raise ClaimsetError(Errors.E401, name=name, version=version, path=target)
        stage.rename(target)
    except OSError as error:  # e.g. a full disk: the hidden stage goes, nothing is published
        detail = error.strerror or str(error) or type(error).__name__
        raise ClaimsetError(Errors.E419, path=target, detail=detail) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return release


def _plan(folder: RunFolder, name, version, target, options, texts) -> Release:
    plan = plan_splits(folder.articles, folder.clusters, folder.claims, options.split_by, options.ratios)
    split_of_claim = {c["claim_id"]: plan.split_of_article[c["article_id"]] for c in folder.claims}
    leaks = find_leaks(folder.claims, split_of_claim)
    if leaks:
        a, b, score = leaks[0]
        example = f"{a} ({split_of_claim[a]}) ~ {b} ({split_of_claim[b]}), similarity {score}"
        raise ClaimsetError(Errors.E406, count=len(leaks), example=example)

    cluster_of = {i: cluster for cluster in folder.clusters for i in cluster["claim_ids"]}
    conflicts_of: dict[str, list[str]] = defaultdict(list)
    for conflict in folder.conflicts:
        for claim_id in conflict["claim_ids"]:
            conflicts_of[claim_id].append(conflict["conflict_id"])
    configs = build_configs(folder, cluster_of, {k: sorted(set(v)) for k, v in conflicts_of.items()})
    records = {
        "claims": folder.claims,  # already ranked: most check-worthy first
        "articles": sorted(folder.articles, key=lambda a: a["article_id"]),
        "verdicts": sorted(folder.verdicts, key=lambda v: v["claim_id"]),
        "annotations": sorted(
            folder.annotations, key=lambda a: (a["claim_id"], a["annotator"], a["is_review"])
        ),
        "clusters": sorted(folder.clusters, key=lambda c: c["cluster_id"]),
        "conflicts": sorted(folder.conflicts, key=lambda c: c["conflict_id"]),
    }
    article_of_claim = {c["claim_id"]: c["article_id"] for c in folder.claims}

    def article_of(record: dict) -> str:
        """The article that decides a record's split (a cluster's articles all share one)."""
        if "article_id" in record:
            return record["article_id"]
        return article_of_claim[record["claim_id"] if "claim_id" in record else record["claim_ids"][0]]

    rows: dict[str, dict[str, list[dict]]] = {}
    for config in configs:
        by_split: dict[str, list[dict]] = {split: [] for split in SPLITS}
        for record in records[config.name]:
            by_split[plan.split_of_article[article_of(record)]].append(config.to_row(record))
        rows[config.name] = {split: r for split, r in by_split.items() if r}
    return Release(
        path=target,
        name=name,
        version=version,
        options=options,
        folder=folder,
        split_of_article=plan.split_of_article,
        stories=plan.stories,
        rows=rows,
        configs=configs,
        previous=None,
        texts=texts,
    )


def _write(release: Release, stage: Path) -> None:
    for config in release.configs:
        release.num_bytes[config.name] = {
            split: write_parquet(stage / "data" / config.name / f"{split}.parquet", rows, config.features)
            for split, rows in release.rows[config.name].items()
        }
    stats = datasheet.compute_stats(release)
    (stage / "DATASHEET.md").write_text(datasheet.render(release, stats), encoding="utf-8")
    (stage / "README.md").write_text(card.render(release, stats), encoding="utf-8")
    (stage / "CHANGELOG.md").write_text(changelog.render(release), encoding="utf-8")
    (stage / "claimreview.jsonl").write_text(claimreview.render(release), encoding="utf-8")
    (stage / "croissant.json").write_text(
        json.dumps(croissant.build(release, stage), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (stage / "manifest.json").write_text(
        json.dumps(manifest.build(release, stage), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
