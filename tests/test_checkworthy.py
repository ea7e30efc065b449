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
    read_verdicts,
    train,
)
from builder.errors import ClaimsetError
from builder.extract import ExtractConfig
from builder.run import run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

DATA = ROOT.parent / "shared" / "data" / "checkworthy"
NEWS = ROOT / "tests" / "data" / "checkworthy_news.jsonl"
CHECKWORTHY = "Unemployment fell to 3.5 percent last year, the lowest rate in fifty years."
CHATTER = "Thank you very much, it is good to be here tonight."
MODEL_FILES = {"model.onnx", "tokenizer.json", "model.json", "config.json", "metrics.json"}
# a few steps on a few hundred sentences: the whole pipeline (fine-tune, export, quantise,
# calibrate, measure, save) in well under a minute
TINY = TrainConfig(max_steps=12, batch_size=16, max_length=32, holdout=0.25, cv_folds=2)


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> tuple[Path, Path]:
    """A sample of the real training data, and a slice of dev."""
    folder = tmp_path_factory.mktemp("cw-data")
    lines = (DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "train.jsonl").write_text("\n".join(lines[:240]) + "\n", encoding="utf-8")
    dev = (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "dev.jsonl").write_text("\n".join(dev[:60]) + "\n", encoding="utf-8")
    return folder / "train.jsonl", folder / "dev.jsonl"


@pytest.fixture(scope="module")
def small_model(small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("cw-model")
    return train(small_data[0], small_data[1], out, TINY, news_path=NEWS, log=lambda _: None), out


def test_train_save_load_score_end_to_end(small_model):
    result, out = small_model
    assert {p.name for p in out.iterdir()} == MODEL_FILES
    loaded = CheckworthyModel.load(out)
    texts = [CHECKWORTHY, CHATTER, "The bill passed the Senate by 52 votes to 48 in March 2010."]
    scores = loaded.score(texts)
    assert scores == result.model.score(texts)  # what was saved is what was trained
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert loaded.label == result.model.label and loaded.label.startswith("claimset-checkworthy@")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dev"]["n"] == 60 and 0.0 <= metrics["dev"]["f1"] <= 1.0
    assert metrics["news"]["n"] == len(read_labelled(NEWS))
    for key in ("held_out", "cross_validation", "dev", "news"):
        assert {"f1", "precision", "recall", "brier", "ece", "threshold"} <= set(metrics[key])
    assert metrics["train"]["held_out"] == metrics["held_out"]["n"] > 0
    config = json.loads((out / "config.json").read_text())
    assert config["seed"] == TrainConfig().seed and config["max_steps"] == 12
    assert loaded.info["config"] == config


def test_calibration_is_fitted_on_the_newest_debates_never_fine_tuned_on(small_data, small_model):
    """CheckThat! numbers sentences in debate order: the held-out slice (Platt scaling and the
    threshold) is the newest ids, so the model is calibrated on debates it has not seen."""
    result, _ = small_model
    orders = sorted(r.order for r in read_labelled(small_data[0]))
    held = result.metrics["train"]
    assert held["held_out_by"] == "newest"
    first, last = held["held_out_ids"]
    assert last == orders[-1] and first == orders[-held["held_out"]]  # the newest ids, and only them
    unnumbered = small_data[0].parent / "unnumbered.jsonl"
    unnumbered.write_text(
        "".join(json.dumps({"text": r.text, "label": r.label}) + "\n" for r in read_labelled(small_data[0])),
        encoding="utf-8",
    )
    rows = read_labelled(unnumbered)
    assert all(r.order is None for r in rows)  # a file without numbered ids gets a random slice
    from builder.checkworthy.train import prepare, split_holdout

    examples, _ = prepare(rows, dedupe=True)
    fit, held_out = split_holdout(examples, 0.25, seed=13)
    assert len(held_out) == round(0.25 * sum(e.label == 0 for e in examples)) + round(
        0.25 * sum(e.label == 1 for e in examples)
    ) and not {e.text for e in fit} & {e.text for e in held_out}


def test_training_is_deterministic_with_a_seed(small_data, small_model, tmp_path):
    _, first = small_model
    train(small_data[0], None, tmp_path, TINY, log=lambda _: None)
    for name in ("model.onnx", "model.json"):
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes()


def test_a_score_depends_on_the_sentence_alone():
    """Extract scores claims in batches that depend on the process count: scores must not."""
    model = load_model()
    texts = [CHECKWORTHY, CHATTER, "Short one.", CHECKWORTHY + " " + CHECKWORTHY]
    together = model.score(texts)
    assert [model.score([t])[0] for t in texts] == together
    assert model.score(list(reversed(texts))) == list(reversed(together))
    assert together[0] > together[1]  # a statistic outranks small talk


def test_shipped_model_is_small_packaged_and_loaded_once():
    size = sum((SHIPPED_DIR / name).stat().st_size for name in ("model.onnx", "tokenizer.json", "model.json"))
    assert size < 150 * 1024 * 1024
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for name in ("model.onnx", "tokenizer.json", "model.json", "metrics.json"):
        assert any(Path(f"checkworthy/shipped/{name}").match(p) for p in patterns["builder"]), name
    assert load_model() is load_model()


def test_shipped_model_figures_are_what_eval_measures():
    """metrics.json (and so the README and datasheet) quote what the shipped model scores."""
    metrics = json.loads((SHIPPED_DIR / "metrics.json").read_text())
    for key, path in (("dev", DATA / "dev.jsonl"), ("dev_test", DATA / "dev-test.jsonl"), ("news", NEWS)):
        report = json.loads(run_cli("eval-checkworthy", str(path), "--json").stdout)
        assert report["model"] == metrics["model"]
        for figure in ("n", "positives", "f1", "precision", "recall", "brier", "ece"):
            assert report[figure] == metrics[key][figure], (key, figure)
    assert metrics["dev_test"]["n"] == 318 and metrics["dev_test"]["f1"] > 0.8  # TF-IDF+LR scored 0.820
    assert metrics["dev"]["brier"] < 0.1 and metrics["dev"]["ece"] < 0.1
    assert "cross_validation" in metrics and "held_out" in metrics
    facts = describe()  # what a datasheet or card quotes
    assert facts["model"] == metrics["model"] and facts["dev_test"]["f1"] == metrics["dev_test"]["f1"]


def test_datasheet_quotes_the_shipped_models_figures():
    metrics = json.loads((SHIPPED_DIR / "metrics.json").read_text())
    sheet = (ROOT / "DATASHEET.md").read_text(encoding="utf-8")
    assert metrics["model"] in sheet
    for key in ("cross_validation", "held_out", "dev", "dev_test", "news"):
        m = metrics[key]
        quoted = f"F1 {m['f1']:.3f}, precision {m['precision']:.3f}, recall {m['recall']:.3f}"
        assert quoted in sheet, key
        assert f"Brier {m['brier']:.3f}, ECE {m['ece']:.3f}" in sheet, key


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


def test_a_damaged_model_is_a_one_line_error(tmp_path):
    for name in ("model.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((SHIPPED_DIR / name).read_bytes())
    (tmp_path / "model.onnx").write_bytes(b"not a network")
    result = run_cli("eval-checkworthy", str(NEWS), "--model", str(tmp_path))
    assert result.returncode == 1 and "E605" in result.stderr and "Traceback" not in result.stderr


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
    assert len(found) >= 30 and above / len(found) >= 0.9
    by_text = {c["text"]: c for c in claims}
    assert not by_text["Russia and Ukraine exchanged 157 prisoners of war each."]["below_floor"]
    assert not by_text["Steve Witkoff and Jared Kushner led the American mediation team."]["below_floor"]
    assert 0 < sum(c["below_floor"] for c in claims) < len(claims)  # the floor separates something


def test_news_sentences_precision_and_recall():
    """The labelled news sentences (examples and news_clusters): the model is not only for debates."""
    rows = read_labelled(NEWS)
    assert 60 <= len(rows) <= 100 and 0 < sum(r.label for r in rows) < len(rows)
    report = json.loads(run_cli("eval-checkworthy", str(NEWS), "--json").stdout)
    print(f"news: precision {report['precision']}, recall {report['recall']}, F1 {report['f1']}")
    assert report["recall"] >= 0.85 and report["precision"] >= 0.75


def test_train_refuses_data_it_cannot_learn_from(tmp_path):
    one_sided = tmp_path / "one.jsonl"
    one_sided.write_text('{"text": "Taxes rose by 4 percent.", "label": 1}\n' * 3, encoding="utf-8")
    result = run_cli(
        "train-checkworthy", "--train", str(one_sided), "--dev", str(one_sided), "--out", str(tmp_path / "m")
    )
    assert result.returncode == 1 and "E606" in result.stderr and str(one_sided) in result.stderr
    assert not (tmp_path / "m" / "model.onnx").exists()


def test_verdicts_become_labelled_sentences(tmp_path):
    claims = [
        {"claim_id": "c1", "text": "Taxes rose by 4 percent in 2023."},
        {"claim_id": "c2", "text": "What a wonderful evening it was."},
        {"claim_id": "c3", "text": "The city spent 45 million francs on schools."},
    ]
    verdicts = [
        {"claim_id": "c1", "verdict": "refuted"},
        {"claim_id": "c2", "verdict": "not_a_claim"},
        {"claim_id": "c3", "verdict": "not_enough_evidence"},
    ]
    (tmp_path / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    (tmp_path / "verdicts.jsonl").write_text(
        "".join(json.dumps(v) + "\n" for v in verdicts), encoding="utf-8"
    )
    assert [(r.text, r.label) for r in read_verdicts(tmp_path)] == [
        (claims[0]["text"], 1),
        (claims[1]["text"], 0),
        (claims[2]["text"], 1),
    ]
    (tmp_path / "verdicts.jsonl").write_text('{"claim_id": "c9", "verdict": "supported"}\n', encoding="utf-8")
    with pytest.raises(ClaimsetError, match="E609"):
        read_verdicts(tmp_path)
    result = run_cli(
        "train-checkworthy", "--from-verdicts", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m")
    )
    assert result.returncode == 1 and "E609" in result.stderr and "Traceback" not in result.stderr
