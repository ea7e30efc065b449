"""The check-worthiness model: train -> save -> load -> score, evaluation, and its use in extract."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from builder.checkworthy import (
    SHIPPED_DIR,
    CheckworthyModel,
    TrainConfig,
    describe,
    load_model,
    read_labelled,
    train,
)
from builder.extract import ExtractConfig
from builder.run import run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

DATA = ROOT.parent / "shared" / "data" / "checkworthy"
CHECKWORTHY = "Unemployment fell to 3.5 percent last year, the lowest rate in fifty years."
CHATTER = "Thank you very much, it is good to be here tonight."


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> tuple[Path, Path]:
    """A stratified-enough sample of the real training data, and a slice of dev."""
    folder = tmp_path_factory.mktemp("cw-data")
    lines = (DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "train.jsonl").write_text("\n".join(lines[:3000]) + "\n", encoding="utf-8")
    dev = (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "dev.jsonl").write_text("\n".join(dev[:300]) + "\n", encoding="utf-8")
    return folder / "train.jsonl", folder / "dev.jsonl"


@pytest.fixture(scope="module")
def small_model(small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("cw-model")
    return train(small_data[0], small_data[1], out, TrainConfig(folds=3)), out


def test_train_save_load_score_end_to_end(small_model):
    result, out = small_model
    assert {p.name for p in out.iterdir()} == {"model.json.gz", "config.json", "metrics.json"}
    loaded = CheckworthyModel.load(out)
    texts = [CHECKWORTHY, CHATTER, "The bill passed the Senate by 52 votes to 48 in March 2010."]
    scores = loaded.score(texts)
    assert scores == result.model.score(texts)  # what was saved is what was trained
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > scores[1]  # a statistic outranks small talk
    assert loaded.label == result.model.label and loaded.label.startswith("claimset-checkworthy@")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dev"]["n"] == 300 and 0.0 < metrics["dev"]["f1"] <= 1.0
    assert json.loads((out / "config.json").read_text())["seed"] == TrainConfig().seed


def test_training_is_deterministic_with_a_seed(small_data, small_model, tmp_path):
    _, first = small_model
    train(small_data[0], None, tmp_path, TrainConfig(folds=3))
    assert (tmp_path / "model.json.gz").read_bytes() == (first / "model.json.gz").read_bytes()


def test_shipped_model_is_small_packaged_and_loaded_once():
    artefact = SHIPPED_DIR / "model.json.gz"
    assert artefact.stat().st_size < 100 * 1024 * 1024
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert any(Path("checkworthy/shipped/model.json.gz").match(p) for p in patterns["builder"])
    assert load_model() is load_model()


def test_shipped_model_beats_the_lab_baseline_on_dev():
    report = json.loads(run_cli("eval-checkworthy", str(DATA / "dev.jsonl"), "--json").stdout)
    assert report["n"] == 1032 and report["positives"] == 238
    assert report["f1"] > 0.8  # the lab's n-gram baseline reached 0.60
    assert report["brier"] < 0.1 and report["ece"] < 0.1
    assert sum(row["count"] for row in report["reliability"]) == 1032
    facts = describe()  # what a datasheet or card quotes
    assert facts["model"] == report["model"] and facts["dev"]["f1"] == report["f1"]


def test_eval_prints_f1_precision_recall_and_calibration(small_data):
    result = run_cli("eval-checkworthy", str(small_data[1]))
    assert result.returncode == 0, result.stderr
    for word in ("F1 (positive class)", "precision", "recall", "Brier", "ECE", "observed"):
        assert word in result.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "A sentence.", "label": 1', "malformed JSON"),
        ('{"text": "A sentence.", "label": "yes"}', "'label' of 0 or 1"),
        ('{"label": 0}', "non-empty string 'text'"),
    ],
)
def test_eval_names_the_file_and_line_of_a_bad_row(tmp_path, line, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Taxes rose by 4 percent.", "label": 1}\n' + line + "\n", encoding="utf-8")
    result = run_cli("eval-checkworthy", str(bad))
    assert result.returncode == 1
    assert f"{bad}:2:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(Exception, match="E60"):
        read_labelled(bad)


def test_extract_scores_with_the_model_and_marks_claims_below_the_floor(example_run, tmp_path):
    claims = read_jsonl(example_run / "claims.jsonl")
    model = load_model()
    assert all(c["extractor"]["checkworthy_model"] == model.label for c in claims)
    assert all(c["below_floor"] == (c["checkworthy"] < model.threshold) for c in claims)
    by_text = dict(zip([c["text"] for c in claims], model.score([c["text"] for c in claims]), strict=True))
    assert all(c["checkworthy"] == by_text[c["text"]] for c in claims)

    strict = run_extract([EXAMPLES], tmp_path / "strict", ExtractConfig(checkworthy_floor=0.99))
    strict_claims = read_jsonl(tmp_path / "strict" / "claims.jsonl")
    assert strict.counts["claims"] == len(claims) == len(strict_claims)  # marked, never dropped
    assert sum(c["below_floor"] for c in strict_claims) > sum(c["below_floor"] for c in claims)
    assert json.loads((tmp_path / "strict" / "run.json").read_text())["config"]["checkworthy_floor"] == 0.99


def test_extract_cli_floor_option_and_its_bad_value(tmp_path):
    ok = run_cli("extract", str(EXAMPLES), "--out", str(tmp_path / "zero"), "--checkworthy-floor", "0")
    assert ok.returncode == 0, ok.stderr
    assert not any(c["below_floor"] for c in read_jsonl(tmp_path / "zero" / "claims.jsonl"))
    bad = run_cli("extract", str(EXAMPLES), "--out", str(tmp_path / "bad"), "--checkworthy-floor", "1.5")
    assert bad.returncode == 1 and "E607" in bad.stderr and "Traceback" not in bad.stderr


def test_important_facts_of_the_example_news_stay_above_the_floor(example_run):
    """Trained on debate sentences, the model must still rank news facts above its floor."""
    claims = read_jsonl(example_run / "claims.jsonl")
    facts = [row for row in read_jsonl(ROOT / "tests" / "data" / "example_claims.jsonl") if row["label"] == 1]
    found = {
        c["claim_id"]: c
        for row in facts
        for c in claims
        if row["snippet"] in c["text"] and c["source"]["path"].endswith(row["file"])
    }
    above = sum(not c["below_floor"] for c in found.values())
    print(f"important facts above the floor: {above}/{len(found)}")
    assert len(found) >= 30 and above / len(found) >= 0.8
    assert 0 < sum(c["below_floor"] for c in claims) < len(claims)  # the floor separates something


def test_train_refuses_data_it_cannot_learn_from(tmp_path):
    one_sided = tmp_path / "one.jsonl"
    one_sided.write_text('{"text": "Taxes rose by 4 percent.", "label": 1}\n' * 3, encoding="utf-8")
    result = run_cli(
        "train-checkworthy", "--train", str(one_sided), "--dev", str(one_sided), "--out", str(tmp_path / "m")
    )
    assert result.returncode == 1 and "E606" in result.stderr and str(one_sided) in result.stderr
    assert not (tmp_path / "m" / "model.json.gz").exists()


def test_scoring_counts_ngrams_exactly_as_training_did():
    """Scoring does without scikit-learn (fast import); its n-grams must match the trainer's."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from builder.checkworthy.model import TOKEN_PATTERN

    texts = [json.loads(line)["text"] for line in (DATA / "dev.jsonl").read_text().splitlines()[:300]]
    texts += ["a", "I", "x y", "  odd   spacing\ttabs ", "3.5% of $1,000 in 2024", "Zürich’s “café”"]
    for block in load_model().blocks:
        extra = {"token_pattern": TOKEN_PATTERN} if block.analyzer == "word" else {}
        reference = TfidfVectorizer(
            analyzer=block.analyzer,
            ngram_range=block.ngram_range,
            sublinear_tf=True,
            vocabulary=block.terms,
            **extra,
        ).fit(texts)
        reference.idf_ = block.idf
        assert abs(reference.transform(texts) - block.transform(texts)).max() < 1e-9
