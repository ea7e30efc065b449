"""Releases: what an ML team loads, documented, leak-free and rebuildable byte for byte."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import datasets
import mlcroissant
import pyarrow.parquet as pq
import pytest

from builder.errors import ClaimsetError
from builder.publish import PublishOptions, publish
from builder.records import VERDICT_LABELS, Annotation, EvidenceSpan, EvidenceUrl, Verdict
from builder.run import run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

DATE = "2026-03-01"
CONFIGS = ("claims", "articles", "verdicts", "annotations", "clusters", "conflicts")


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def add_verdicts(run_dir: Path, n: int = 12, flip: str | None = None, skip: str = "\0") -> list[dict]:
    """Annotate the first ``n`` claims (none from files named ``skip``) as two annotators would,
    writing what `claimset pull` writes."""
    claims = [c for c in read_jsonl(run_dir / "claims.jsonl") if not c["source"]["path"].endswith(skip)][:n]
    articles = {a["article_id"]: a["text"] for a in read_jsonl(run_dir / "articles.jsonl")}
    annotations, verdicts = [], []
    for i, claim in enumerate(claims):
        label = VERDICT_LABELS[i % len(VERDICT_LABELS)]
        if claim["claim_id"] == flip:
            label = "refuted" if label != "refuted" else "supported"
        text = articles[claim["article_id"]]
        span = EvidenceSpan(
            claim["char_start"], claim["char_end"], text[claim["char_start"] : claim["char_end"]]
        )
        url = EvidenceUrl("https://example.org/report", "quoted passage")
        for who, verdict in (
            ("annotator-aaaa1111", label),
            ("annotator-bbbb2222", label if i % 3 else "supported"),
        ):
            annotations.append(
                Annotation(
                    claim["claim_id"],
                    who,
                    "submitted",
                    verdict,
                    [span],
                    [url],
                    "because",
                    4,
                    False,
                    "2026-02-10T10:00:00Z",
                    "2026-02-10T10:00:00Z",
                ).to_dict()
            )
        agreed = i % 3 != 0 or label == "supported"
        verdicts.append(
            Verdict(
                claim["claim_id"],
                label,
                "unanimous" if agreed else "adjudicated",
                2,
                1.0 if agreed else 0.5,
                [span],
                [url],
                ["because"],
            ).to_dict()
        )
    write_jsonl(run_dir / "annotations.jsonl", annotations)
    write_jsonl(run_dir / "verdicts.jsonl", verdicts)
    return verdicts


@pytest.fixture(scope="module")
def labelled_run(example_run, tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("labelled") / "run"
    shutil.copytree(example_run, run_dir)
    add_verdicts(run_dir)
    return run_dir


@pytest.fixture(scope="module")
def release(labelled_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    return publish(
        labelled_run,
        "claims-test",
        "1.0.0",
        out=out,
        options=PublishOptions(split_by="time", release_date=DATE),
    )


def test_every_config_and_split_loads_offline_with_the_declared_features(release):
    card = (release.path / "README.md").read_text(encoding="utf-8")
    for config in CONFIGS:
        loaded = datasets.load_dataset(
            str(release.path), config, cache_dir=str(release.path.parent / ".cache")
        )
        declared = {c.name: c for c in release.configs}[config]
        assert set(loaded) == set(release.counts[config]), config
        for split, table in loaded.items():
            assert table.features == declared.features
            assert table.num_rows == release.counts[config][split]
        assert f"config_name: {config}" in card
    verdicts = datasets.load_dataset(
        str(release.path), "verdicts", cache_dir=str(release.path.parent / ".cache")
    )
    split = next(iter(verdicts))
    assert verdicts[split].features["verdict"].names == list(VERDICT_LABELS)


def test_the_articles_config_keeps_every_article_field_or_the_card_says_why(release):
    """Every field of Article is a column of `articles` (the source's flattened), or the card
    lists it as left out, with its reason."""
    from builder.publish.tables import ARTICLE_FIELDS_LEFT_OUT
    from builder.records import Article, Source

    declared = {c.name: c for c in release.configs}["articles"].features
    card = (release.path / "README.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(Article):
        if field.name == "source":
            assert {f.name for f in dataclasses.fields(Source)} <= set(declared)
        elif field.name in ARTICLE_FIELDS_LEFT_OUT:
            assert field.name not in declared
            assert f"`{field.name}` ({ARTICLE_FIELDS_LEFT_OUT[field.name]})" in card
        else:
            assert field.name in declared, field.name


def test_claim_offsets_point_into_the_released_article_text(release):
    cache = str(release.path.parent / ".cache")
    claims = datasets.load_dataset(str(release.path), "claims", cache_dir=cache)
    articles = datasets.load_dataset(str(release.path), "articles", cache_dir=cache)
    text = {row["article_id"]: row["text"] for split in articles.values() for row in split}
    for split in claims.values():
        for claim in split:
            assert text[claim["article_id"]][claim["char_start"] : claim["char_end"]] == claim["text"]


def test_no_article_and_no_cluster_crosses_splits(release):
    split_of: dict[str, set[str]] = {}
    for file in (release.path / "data").rglob("*.parquet"):
        table = pq.read_table(file)
        for column in ("article_id", "article_ids"):
            if column in table.column_names:
                for value in table.column(column).to_pylist():
                    for article_id in value if isinstance(value, list) else [value]:
                        split_of.setdefault(article_id, set()).add(file.stem)
    assert len(split_of) == release.count("articles")
    assert all(len(splits) == 1 for splits in split_of.values())
    assert release.count("clusters") > 0


def test_datasheet_and_card_numbers_match_the_data(release):
    sheet = (release.path / "DATASHEET.md").read_text(encoding="utf-8")
    card = (release.path / "README.md").read_text(encoding="utf-8")
    counts = {
        config: {
            f.stem: pq.read_metadata(f).num_rows for f in (release.path / "data" / config).glob("*.parquet")
        }
        for config in CONFIGS
    }
    for document in (sheet, card):
        for config, splits in counts.items():
            row = f"| {config} | {splits.get('train', 0)} | {splits.get('validation', 0)} | {splits.get('test', 0)} | {sum(splits.values())} |"
            assert row in document, (config, row)
    labels = Counter(
        VERDICT_LABELS[r["verdict"]]
        for f in (release.path / "data" / "verdicts").glob("*.parquet")
        for r in pq.read_table(f).to_pylist()
    )
    for label in VERDICT_LABELS:
        assert f"| {label} | {labels[label]} |" in sheet
    annotators = {
        r["annotator"]
        for f in (release.path / "data" / "annotations").glob("*.parquet")
        for r in pq.read_table(f).to_pylist()
    }
    assert f"by {len(annotators)} annotators" in sheet
    for heading in (
        "Motivation",
        "Composition",
        "Collection process",
        "Preprocessing",
        "Uses",
        "Distribution",
        "Maintenance",
    ):
        assert f"## {heading}" in sheet
    for document in (sheet, card):
        assert not re.search(r"TODO|TBD|lorem|placeholder|\{|\}|\bNone\b|\?\s*\(", document, re.I), document


def test_croissant_validates_and_reads_records(release):
    dataset = mlcroissant.Dataset(jsonld=str(release.path / "croissant.json"))
    first = next(iter(dataset.records("verdicts")))
    assert first["verdicts/claim_id"].decode() in {
        v["claim_id"] for v in read_jsonl(release.folder.path / "verdicts.jsonl")
    }
    meta = json.loads((release.path / "croissant.json").read_text())
    assert meta["rai:dataAnnotationPlatform"] and meta["rai:dataCollection"]


def test_every_claimreview_has_the_required_properties(release):
    reviews = read_jsonl(release.path / "claimreview.jsonl")
    assert len(reviews) == release.count("verdicts")
    for review in reviews:
        assert review["@type"] == "ClaimReview" and review["@context"] == "https://schema.org"
        assert review["claimReviewed"] and review["author"]["name"] and review["datePublished"] == DATE
        assert review["reviewRating"]["alternateName"]
        assert review["itemReviewed"]["@type"] == "Claim" and review["itemReviewed"]["appearance"]


def test_annotators_are_only_pseudonyms_in_the_release(release):
    rows = [
        r
        for f in (release.path / "data" / "annotations").glob("*.parquet")
        for r in pq.read_table(f).to_pylist()
    ]
    assert rows and all(re.fullmatch(r"annotator-[0-9a-f]{8}", r["annotator"]) for r in rows)


def test_publish_refuses_to_overwrite_a_version(labelled_run, release):
    before = {p: p.read_bytes() for p in release.path.rglob("*") if p.is_file()}
    result = run_cli(
        "publish",
        str(labelled_run),
        "--name",
        release.name,
        "--version",
        release.version,
        "--out",
        str(release.path.parent.parent),
    )
    assert result.returncode == 1
    assert "E401" in result.stderr and str(release.path) in result.stderr and "Traceback" not in result.stderr
    assert before == {p: p.read_bytes() for p in release.path.rglob("*") if p.is_file()}


def test_a_crafted_leak_fails_the_publish(tmp_path):
    shared = "The ministry said 4,213 soldiers were exchanged at the border crossing near Sumy on Tuesday."
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(
        f"Exchange completed\nPublished 3 February 2026\n\n{shared} Officials in Kyiv confirmed the count.\n"
    )
    (folder / "b.txt").write_text(
        f"Second report on talks\nPublished 20 March 2026\n\nNegotiators met in Geneva on Monday for six hours. {shared}\n"
    )
    run_extract([folder], tmp_path / "run", group=False)  # grouping would keep them together
    # and so would their story: without stories.jsonl, each article is a story of its own
    assert len(read_jsonl(tmp_path / "run" / "stories.jsonl")) == 1
    (tmp_path / "run" / "stories.jsonl").unlink()
    with pytest.raises(ClaimsetError) as raised:
        publish(
            tmp_path / "run",
            "leaky",
            "0.1.0",
            out=tmp_path / "exports",
            options=PublishOptions(split_by="time", ratios=(0.5, 0.0, 0.5)),
        )
    assert raised.value.code == "E406"
    ids = {c["claim_id"] for c in read_jsonl(tmp_path / "run" / "claims.jsonl") if shared in c["text"]}
    assert len(ids) == 2 and all(i in str(raised.value) for i in ids)
    assert not (tmp_path / "exports" / "leaky" / "0.1.0").exists()


def test_changelog_lists_exactly_the_changed_records(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXAMPLES, "articles")
    run_extract([Path("articles")], Path("run1"))
    add_verdicts(Path("run1"))
    publish(Path("run1"), "news", "0.1.0", options=PublishOptions(release_date=DATE))
    old_claims = {c["claim_id"]: c for c in read_jsonl(Path("run1/claims.jsonl"))}

    # one article loses a sentence, annotators flip one verdict
    target = sorted(Path("articles").iterdir())[3]
    text = target.read_text(encoding="utf-8")
    victim = next(
        c for c in old_claims.values() if c["source"]["path"].endswith(target.name) and c["text"] in text
    )
    target.write_text(text.replace(victim["text"], "", 1), encoding="utf-8")
    run_extract([Path("articles")], Path("run2"))
    new_claims = {c["claim_id"]: c for c in read_jsonl(Path("run2/claims.jsonl"))}
    # the verdicts of claims that kept their ids carry over; the edited article's claims have new ids
    verdicts = [v for v in read_jsonl(Path("run1/verdicts.jsonl")) if v["claim_id"] in new_claims]
    dropped = {v["claim_id"] for v in read_jsonl(Path("run1/verdicts.jsonl"))} - set(new_claims)
    flipped = verdicts[len(verdicts) // 2]["claim_id"]
    for v in verdicts:
        if v["claim_id"] == flipped:
            v["verdict"] = "refuted" if v["verdict"] != "refuted" else "supported"
    write_jsonl(Path("run2/verdicts.jsonl"), verdicts)
    publish(Path("run2"), "news", "0.2.0", options=PublishOptions(release_date=DATE))

    log = Path("exports/news/0.2.0/CHANGELOG.md").read_text(encoding="utf-8")
    section = log.split("## 0.1.0")[0]
    added, removed = new_claims.keys() - old_claims.keys(), old_claims.keys() - new_claims.keys()
    assert victim["claim_id"] in removed

    def listed(title):
        return (
            set(re.findall(r"`([0-9a-f]{16})`", section.split(f"### {title}")[1].split("###")[0]))
            if f"### {title}" in section
            else set()
        )

    assert listed("Claims added") == added
    assert listed("Claims removed") == removed
    assert listed("Verdicts flipped") == {flipped}
    assert listed("Verdicts removed") == dropped
    assert "## 0.1.0" in log  # the history is kept

    # a claim counts as changed when any published field (or its split) differs, and only then
    def rows(version):
        return {
            row["claim_id"]: {**row, "split": file.stem}
            for file in Path(f"exports/news/{version}/data/claims").glob("*.parquet")
            for row in pq.read_table(file).to_pylist()
        }

    old_rows, new_rows = rows("0.1.0"), rows("0.2.0")
    differ = {i for i in old_rows.keys() & new_rows.keys() if old_rows[i] != new_rows[i]}
    assert listed("Claims changed") == differ
    for line in section.split("### Claims changed")[-1].split("###")[0].splitlines():
        if line.startswith("- `"):
            claim_id, fields = line[3:19], line.split(": ", 1)[1].split(", ")
            assert fields == sorted(
                k for k in new_rows[claim_id] if new_rows[claim_id][k] != old_rows[claim_id][k]
            )


def test_rebuild_is_byte_identical_and_names_a_changed_input(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "articles")
    assert run_cli("extract", "articles", "--out", "run", cwd=tmp_path).returncode == 0
    article = sorted((tmp_path / "articles").iterdir())[0]
    add_verdicts(tmp_path / "run", skip=article.name)  # editing an article gives its claims new ids
    published = run_cli(
        "publish", "run", "--name", "news", "--version", "1.2.3", "--date", DATE, cwd=tmp_path
    )
    assert published.returncode == 0, published.stderr
    rebuilt = run_cli("rebuild", "exports/news/1.2.3", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "byte-identical" in rebuilt.stdout

    with article.open("a", encoding="utf-8") as handle:
        handle.write("\nOfficials said 12 more detainees would be released in Odesa on Friday.\n")
    changed = run_cli("rebuild", "exports/news/1.2.3", cwd=tmp_path)
    assert changed.returncode == 1
    assert f"input articles/{article.name}: content changed" in changed.stderr
    assert "data/claims/" in changed.stderr and "E408" in changed.stderr


def test_the_repository_datasheet_is_the_example_release_datasheet(example_run, tmp_path):
    """DATASHEET.md at the top of the repository must match what scripts/demo.sh publishes."""
    release = publish(
        example_run,
        "claimset-examples",
        "0.1.0",
        out=tmp_path,
        options=PublishOptions(
            split_by="time", release_date="2026-02-06", datasheet=str(ROOT / "examples" / "datasheet.yaml")
        ),
    )
    built = (release.path / "DATASHEET.md").read_text(encoding="utf-8")
    assert (ROOT / "DATASHEET.md").read_text(encoding="utf-8") == built, (
        "DATASHEET.md is out of date: run `bash scripts/demo.sh && "
        "cp out/exports/claimset-examples/0.1.0/DATASHEET.md DATASHEET.md`"
    )


def test_manifest_and_the_human_records_validate_against_their_schemas(release):
    import jsonschema

    def validator(name: str) -> jsonschema.Draft202012Validator:
        schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
        return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())

    validator("manifest").validate(json.loads((release.path / "manifest.json").read_text()))
    for name in ("annotation", "verdict"):
        for row in read_jsonl(release.folder.path / f"{name}s.jsonl"):
            validator(name).validate(row)


def test_manifest_hashes_every_file_of_the_release(release):
    from builder.runfiles import file_sha256

    manifest = json.loads((release.path / "manifest.json").read_text())
    files = {str(p.relative_to(release.path)) for p in release.path.rglob("*") if p.is_file()}
    assert set(manifest["outputs"]) == files - {"manifest.json"}
    for name, digest in manifest["outputs"].items():
        assert file_sha256(release.path / name) == digest, name
    assert manifest["packages"]["datasets"] == datasets.__version__


def test_a_release_written_in_small_batches_holds_the_same_rows(labelled_run, release, tmp_path, monkeypatch):
    """Publish reads and writes in batches (Arrow blocks of claims, row groups per split): cut
    small, the rows and their order are those of a release written in one piece."""
    from builder.publish import scan, tables

    monkeypatch.setattr(scan, "BLOCK_BYTES", 2048)  # a few claims a block; longer lines are read again
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 7)
    small = publish(
        labelled_run,
        "claims-test",
        "1.0.0",
        out=tmp_path,
        options=PublishOptions(split_by="time", release_date=DATE),
    )
    for config in CONFIGS:
        for file in sorted((release.path / "data" / config).glob("*.parquet")):
            other = small.path / "data" / config / file.name
            assert pq.read_table(other).to_pylist() == pq.read_table(file).to_pylist(), (config, file.name)
            groups = pq.ParquetFile(other).metadata.num_row_groups
            assert groups == -(-pq.ParquetFile(file).metadata.num_rows // 7)
    for name in ("DATASHEET.md", "CHANGELOG.md", "claimreview.jsonl"):
        assert (small.path / name).read_bytes() == (release.path / name).read_bytes()


@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        (lambda claim: "{not json", "not JSON"),
        (lambda claim: json.dumps({**claim, "char_start": "seven"}), "not a claim"),
        (lambda claim: json.dumps({k: v for k, v in claim.items() if k != "claim_id"}), "no claim_id"),
        (lambda claim: json.dumps(claim) + json.dumps({**claim, "claim_id": "0" * 16}), "not JSON"),
        (
            lambda claim: json.dumps({**claim, "article_id": "0" * 16}),
            "its article 0000000000000000 is not in articles.jsonl",
        ),
    ],
)
def test_a_damaged_claims_line_is_named_with_its_line(example_run, tmp_path, damage, detail):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    lines = (run / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    lines[4] = damage(json.loads(lines[4]))
    (run / "claims.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("publish", str(run), "--name", "x", "--version", "0.1.0", "--out", str(tmp_path / "out"))
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()
    assert f"{run / 'claims.jsonl'}:5: {detail}" in message[0] and "E404" in message[0], result.stderr
    assert not (tmp_path / "out" / "x" / "0.1.0").exists()


def test_features_are_the_union_over_claims_and_a_missing_one_is_false(example_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    claims = read_jsonl(run / "claims.jsonl")
    claims[-1]["features"]["is_extra"] = True  # only the last claim has it...
    claims[-1]["context_before"] = "features"  # ...and a value that reads like the key
    del claims[0]["features"]["has_number"]
    write_jsonl(run / "claims.jsonl", claims)
    release = publish(run, "x", "0.1.0", out=tmp_path / "out", options=PublishOptions(release_date=DATE))
    rows = {
        row["claim_id"]: row["features"]
        for file in (release.path / "data" / "claims").glob("*.parquet")
        for row in pq.read_table(file).to_pylist()
    }
    assert rows[claims[-1]["claim_id"]]["is_extra"] is True
    assert rows[claims[0]["claim_id"]]["has_number"] is False
    assert sum(features["is_extra"] for features in rows.values()) == 1
    assert all(set(features) == set(rows[claims[0]["claim_id"]]) for features in rows.values())


@pytest.mark.parametrize("name", ["articles", "clusters"])
def test_a_damaged_article_or_cluster_line_is_named_with_its_line(example_run, tmp_path, name):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    lines = (run / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(1, "")  # a blank line is skipped and still counted
    lines[2] = lines[2][: len(lines[2]) // 2]
    (run / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("publish", str(run), "--name", "x", "--version", "0.1.0", "--out", str(tmp_path / "out"))
    assert result.returncode != 0
    assert f"{run / f'{name}.jsonl'}:3: not JSON" in result.stderr.strip().splitlines()[0], result.stderr


def test_publish_names_a_line_arrow_skips_but_python_cannot_read(example_run, tmp_path):
    """Bytes that are not UTF-8 in an article's text pass the Arrow pass (which skips the
    text) and are named, with their line, when the article is read to be written."""
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    lines = (run / "articles.jsonl").read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"text":"', b'"text":"\xff', 1)
    (run / "articles.jsonl").write_bytes(b"\n".join(lines))
    result = run_cli("publish", str(run), "--name", "x", "--version", "0.1.0", "--out", str(tmp_path / "out"))
    assert result.returncode != 0
    assert f"{run / 'articles.jsonl'}:2: not JSON" in result.stderr.strip().splitlines()[0], result.stderr


def test_a_verdict_without_a_claim_id_is_named(labelled_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(labelled_run, run)
    verdicts = read_jsonl(run / "verdicts.jsonl")
    del verdicts[0]["claim_id"]
    write_jsonl(run / "verdicts.jsonl", verdicts)
    with pytest.raises(ClaimsetError, match=r"verdicts.jsonl:1: claim_id is missing; .*\(E404\)"):
        publish(run, "x", "0.1.0", out=tmp_path / "out", options=PublishOptions(release_date=DATE))


def test_a_run_without_claims_publishes_an_empty_release(example_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    for name in ("claims", "clusters", "conflicts", "claim_groups"):
        (run / f"{name}.jsonl").write_text("", encoding="utf-8")
    release = publish(run, "x", "0.1.0", out=tmp_path / "out", options=PublishOptions(release_date=DATE))
    assert release.count("claims") == 0 and release.count("articles") == 5
    assert "0 candidate claims from 5 articles" in (release.path / "DATASHEET.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["clusters", "conflicts"])
def test_a_group_record_about_an_unknown_claim_is_named(example_run, tmp_path, name):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    records = read_jsonl(run / f"{name}.jsonl")
    records[1]["claim_ids"] = ["0" * 16, *records[1]["claim_ids"]]
    write_jsonl(run / f"{name}.jsonl", records)
    with pytest.raises(ClaimsetError, match=rf"{name}.jsonl:2: its first claim is not in claims.jsonl"):
        publish(run, "x", "0.1.0", out=tmp_path / "out", options=PublishOptions(release_date=DATE))


def test_a_cluster_without_optional_lists_gets_empty_ones(example_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    clusters = read_jsonl(run / "clusters.jsonl")
    target = next(c for c in clusters if c.get("entities"))
    del target["numbers"], target["conflict_ids"]
    del target["entities"][0]["variants"]
    write_jsonl(run / "clusters.jsonl", clusters)
    release = publish(run, "x", "0.1.0", out=tmp_path / "out", options=PublishOptions(release_date=DATE))
    rows = {
        row["cluster_id"]: row
        for file in (release.path / "data" / "clusters").glob("*.parquet")
        for row in pq.read_table(file).to_pylist()
    }
    row = rows[target["cluster_id"]]
    assert row["numbers"] == [] and row["conflict_ids"] == [] and row["entities"][0]["variants"] == []
    assert row["size"] == len(target["claim_ids"]) and len(rows) == len(clusters)
    assert list(rows) == sorted(rows)  # in cluster_id order
