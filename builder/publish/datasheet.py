"""DATASHEET.md (after Gebru et al., Datasheets for Datasets): numbers computed from the
release itself, prose from a YAML file the maintainer edits."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path
from statistics import mean

import yaml

from builder.errors import ClaimsetError, Errors
from builder.records import VERDICT_LABELS

REQUIRED_TEXTS = (
    "pretty_name",
    "summary",
    "license",
    "motivation",
    "collection",
    "uses",
    "out_of_scope_uses",
    "distribution",
    "maintenance",
)


def read_texts(path: Path | None) -> dict:
    """The maintainer's datasheet prose; the packaged default when no file is given."""
    source = path if path is not None else resources.files("builder.publish") / "datasheet.yaml"
    try:
        texts = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise ClaimsetError(Errors.E407, path=path, detail=error.strerror or str(error)) from None
    except yaml.YAMLError as error:
        raise ClaimsetError(Errors.E407, path=path, detail=str(error).splitlines()[0]) from None
    if not isinstance(texts, dict):
        raise ClaimsetError(Errors.E407, path=path, detail="not a mapping")
    missing = [key for key in REQUIRED_TEXTS if not str(texts.get(key) or "").strip()]
    if missing:
        raise ClaimsetError(Errors.E407, path=path, detail=f"missing {', '.join(missing)}")
    return {key: str(value).strip() for key, value in texts.items()}


def source_name(source: dict) -> str:
    if source.get("publisher"):
        return source["publisher"]
    if source.get("url"):
        return source["url"].split("/")[2] if "//" in source["url"] else source["url"]
    return "not stated"


def compute_stats(release) -> dict:
    """Every number the card and datasheet print, from what the release counted while it
    read its files (``release.tally``) and the human work in its run folder."""
    folder, tally = release.folder, release.tally
    verdicts, annotations = folder.verdicts, folder.annotations
    counts = folder.run.get("counts", {})
    scores = [score for array in tally.scores for score in array.to_pylist() if score is not None]
    return {
        "articles": tally.articles,
        "claims": tally.claims,
        "verdicts": len(verdicts),
        "annotations": len(annotations),
        "annotators": len({a["annotator"] for a in annotations}),
        "stories": release.stories,
        "stories_per_split": dict(release.plan.stories_per_split),
        "story_units": release.plan.units,
        "stories_from": release.plan.source,
        "clusters_multi": tally.clusters_multi,
        "clusters": tally.clusters,
        "conflicts": len(folder.conflicts),
        "splits": {name: dict(by_split) for name, by_split in release.counts.items()},
        "labels": {label: sum(v["verdict"] == label for v in verdicts) for label in VERDICT_LABELS},
        "methods": dict(sorted(Counter(v["method"] for v in verdicts).items())),
        "annotators_per_claim": dict(sorted(Counter(v["n_annotators"] for v in verdicts).items())),
        "mean_agreement": round(mean(v["agreement"] for v in verdicts), 3) if verdicts else None,
        "agreement": (folder.agreement or {}).get("overall"),
        "skipped": sum(a["status"] == "skipped" for a in annotations),
        "sources": dict(sorted(tally.sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        "claims_per_source": dict(sorted(tally.claims_per_source.items(), key=lambda kv: (-kv[1], kv[0]))),
        "date_range": tally.published_range,
        "undated_articles": tally.undated_articles,
        "inputs_read": counts.get("read", 0),
        "inputs_rejected": counts.get("rejected", 0),
        "duplicate_inputs": counts.get("duplicates", 0),
        "rejects_by_code": dict(sorted(tally.rejects_by_code.items())),
        "sentences": counts.get("sentences", {}),
        "excluded_spans": counts.get("excluded_spans", {}),
        "checkworthy_mean": round(mean(scores), 3) if scores else None,
        "checkworthy_high": tally.checkworthy_high,
        "below_floor": tally.below_floor,
        "extractor": folder.run.get("extractor", {}),
    }


def checkworthy_model(name: str | None) -> str:
    """The check-worthiness model and its measured quality, when it is the shipped one."""
    if not name:
        return "a transparent heuristic"
    try:
        shipped = json.loads(
            (resources.files("builder") / "checkworthy" / "shipped" / "metrics.json").read_text()
        )
    except (OSError, ModuleNotFoundError, json.JSONDecodeError):
        return f"the model `{name}`"
    if shipped.get("model") != name or "dev" not in shipped:
        return f"the model `{name}`"
    measured = []
    for key, what in (
        ("cross_validation", "5-fold cross-validation on its training data, of a frozen-encoder proxy"),
        (
            "held_out",
            "the newest debates of its training data, held out of the run that fitted its calibration and threshold",
        ),
        ("dev", "the CheckThat! 2024 English dev set"),
        ("dev_test", "its dev-test set"),
        ("news", "hand-labelled news sentences"),
    ):
        if key in shipped:
            m = shipped[key]
            measured.append(
                f"{what}: F1 {m['f1']:.3f}, precision {m['precision']:.3f}, recall {m['recall']:.3f}, "
                f"Brier {m['brier']:.3f}, ECE {m['ece']:.3f}"
            )
    return f"the model `{name}` shipped with claimset ({'; '.join(measured)})"


def table(header: tuple[str, ...], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def composition(stats: dict) -> str:
    """The composition facts shared by the card and the datasheet."""
    parts = [
        f"{stats['claims']} candidate claims from {stats['articles']} articles"
        + (
            f", {stats['verdicts']} of them with a human verdict"
            if stats["verdicts"]
            else ", none labelled yet"
        )
        + ".",
        "",
        table(
            ("config", *("train", "validation", "test"), "total"),
            [
                (name, *(splits.get(s, 0) for s in ("train", "validation", "test")), sum(splits.values()))
                for name, splits in stats["splits"].items()
            ],
        ),
    ]
    if stats["verdicts"]:
        parts += ["", "Verdicts per label:", "", table(("verdict", "claims"), list(stats["labels"].items()))]
    return "\n".join(parts)


def render(release, stats: dict) -> str:
    t = release.texts
    ex = stats["extractor"]
    date_range = stats["date_range"]
    dates = f"from {date_range[0]} to {date_range[1]}" if date_range else "not stated in any article"
    removed = stats["excluded_spans"]
    sections = [
        f"# Datasheet: {t['pretty_name']} {release.version}",
        f"Dataset `{release.name}`, version {release.version}, released {release.options.release_date}. "
        "Numbers in this datasheet are computed from the release by claimset; the prose comes from "
        "the maintainers' datasheet file.",
        "## Motivation",
        t["motivation"],
        "## Composition",
        composition(stats),
        f"Articles by source ({len(stats['sources'])} sources):",
        table(
            ("source", "articles", "claims"),
            [(s, n, stats["claims_per_source"].get(s, 0)) for s, n in stats["sources"].items()],
        ),
        f"Publication dates: {dates}; {stats['undated_articles']} article(s) without a date.",
        f"Claims grouped across articles: {stats['clusters']} clusters, {stats['clusters_multi']} with more "
        f"than one member; {stats['conflicts']} conflicts between statements flagged.",
        "Each instance of the `claims` config is one sentence of a news article with its exact character "
        "offsets into the article text (`articles` config), its named entities, numbers and dates, and a "
        "check-worthiness score. No field holds personal data about annotators: they appear only as "
        "salted pseudonyms. Articles name public figures as the news reported them.",
        "## Collection process",
        t["collection"],
        f"Inputs read: {stats['inputs_read']}; rejected: {stats['inputs_rejected']}"
        + (
            f" ({', '.join(f'{c}: {n}' for c, n in stats['rejects_by_code'].items())})"
            if stats["rejects_by_code"]
            else ""
        )
        + f"; the same article under another file name: {stats['duplicate_inputs']}.",
        "## Preprocessing, cleaning and labelling",
        f"Sentences were split and tagged with spaCy {ex.get('spacy', '?')} and the model "
        f"`{ex.get('model', '?')}` {ex.get('model_version', '?')} (claimset {ex.get('claimset', '?')}, "
        f"extractor config `{ex.get('config_hash', '?')}`). Sentence decisions:",
        table(("decision", "sentences"), sorted(stats["sentences"].items())),
        "Passages kept out of the candidates (boilerplate, metadata lines, passages repeated verbatim):",
        table(("reason", "passages"), sorted(removed.items())) if removed else "None.",
        f"Check-worthiness was scored by {checkworthy_model(ex.get('checkworthy_model'))}: mean score "
        f"{stats['checkworthy_mean']}; {stats['checkworthy_high']} claims scored 0.5 or more; "
        f"{stats['below_floor']} claims fell below the model's floor (kept, and marked `below_floor`).",
        _labelling(stats),
        "## Uses",
        t["uses"],
        "Not suitable for: " + t["out_of_scope_uses"],
        "## Distribution",
        t["distribution"],
        f"License: {t['license']}. " + splits_text(release, stats),
        "## Maintenance",
        t["maintenance"],
        "Every version is immutable and rebuilds byte for byte with `claimset rebuild` from its "
        "`manifest.json`; `CHANGELOG.md` lists the claims and verdicts that changed since the previous version.",
    ]
    return "\n\n".join(sections) + "\n"


def splits_text(release, stats: dict) -> str:
    stories = f"{stats['stories']} {'story' if stats['stories'] == 1 else 'stories'}"
    per_split = stats["stories_per_split"]
    where = (
        "the articles of one event, found by extract (`stories.jsonl`); stories that a claim cluster "
        "joins, and related stories (two articles alike enough, left apart by the story merge), are kept "
        "together"
        if stats["stories_from"] == "stories.jsonl"
        else "articles joined by a shared claim cluster"
    )
    text = (
        f"Splits are assigned by story ({stories}: {where}; method `{release.options.split_by}`, target "
        f"ratios {', '.join(str(r) for r in release.options.ratios)}), so no article, no story and no claim "
        "cluster crosses splits; a near-duplicate check across splits passed at publish time. Stories per "
        f"split: {', '.join(f'{split} {per_split.get(split, 0)}' for split in ('train', 'validation', 'test'))}."
    )
    empty = [s for s in ("train", "validation", "test") if not stats["splits"]["claims"].get(s)]
    if empty:
        text += (
            f" The {' and '.join(empty)} split{'s are' if len(empty) > 1 else ' is'} empty: this version "
            f"has too few independent stories to fill {'them' if len(empty) > 1 else 'it'} without leakage."
        )
    return text


def _labelling(stats: dict) -> str:
    if not stats["verdicts"]:
        return "Labelling: no claim of this version has a human verdict yet."
    lines = [
        f"Labelling: {stats['annotations']} annotations by {stats['annotators']} annotators in Label Studio "
        f"({stats['skipped']} skipped). Verdicts by how they were reached:",
        "",
        table(("method", "claims"), list(stats["methods"].items())),
        "",
        table(("annotators per claim", "claims"), list(stats["annotators_per_claim"].items())),
        "",
        f"Mean share of annotators agreeing with the final verdict: {stats['mean_agreement']}.",
    ]
    if isinstance(stats["agreement"], dict):
        figures = [(k, v) for k, v in sorted(stats["agreement"].items()) if isinstance(v, int | float)]
        if figures:
            lines += ["", "Inter-annotator agreement on verdicts:", "", table(("measure", "value"), figures)]
    return "\n".join(lines)
