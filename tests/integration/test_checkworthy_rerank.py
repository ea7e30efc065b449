"""Learning from the desk's verdicts: pull, retrain with --from-verdicts, push --rerank (real server)."""

from __future__ import annotations

import json
import shutil

import pytest

from builder.checkworthy import CheckworthyModel
from tests.conftest import ROOT, read_jsonl, run_cli

pytestmark = pytest.mark.integration

DATA = ROOT.parent / "shared" / "data" / "checkworthy"


def cli(*args: str) -> str:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def tasks_by_claim(server, title: str) -> dict[str, object]:
    client = server.client()
    project = client.find_project(title)
    tasks = list(client.sdk.tasks.list(project=project.id, fields="all", page_size=1000))
    by_claim = {t.meta["claim_id"]: t for t in tasks}
    assert len(by_claim) == len(tasks), "a claim has more than one task"
    return by_claim


def verdict(label: str) -> list[dict]:
    return [{"from_name": "verdict", "to_name": "article", "type": "choices", "value": {"choices": [label]}}]


def test_verdicts_retrain_the_model_and_rerank_only_unannotated_tasks(studio_server, example_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    cli("push", str(run), "--project", "Rerank", "--include-below-floor")
    before = tasks_by_claim(studio_server, "Rerank")
    order = [c for c, _ in sorted(before.items(), key=lambda kv: kv[1].id)]  # most check-worthy first

    # annotators: the top three are not claims, the bottom three are worth checking
    sdk = studio_server.client().sdk
    annotator = next(iter(studio_server.annotators.values()))
    labelled = {**dict.fromkeys(order[:3], "not_a_claim"), **dict.fromkeys(order[-3:], "supported")}
    for claim_id, label in labelled.items():
        sdk.annotations.create(id=before[claim_id].id, result=verdict(label), completed_by=annotator)
    cli("pull", "--project", "Rerank", "--out", str(run))
    pulled = {v["claim_id"]: v["verdict"] for v in read_jsonl(run / "verdicts.jsonl")}
    assert pulled == labelled

    # retrain (a few steps on a small sample: what is tested is the plumbing, not the quality)
    small = tmp_path / "train.jsonl"
    small.write_text("\n".join((DATA / "train.jsonl").read_text().splitlines()[:200]) + "\n")
    dev = tmp_path / "dev.jsonl"
    dev.write_text("\n".join((DATA / "dev.jsonl").read_text().splitlines()[:50]) + "\n")
    model_dir = tmp_path / "model"
    out = cli(
        "train-checkworthy", "--train", str(small), "--dev", str(dev), "--dev-test", str(dev),
        "--from-verdicts", str(run), "--verdict-weight", "5", "--max-steps", "10", "--cv-folds", "0",
        "--out", str(model_dir),
    )  # fmt: skip
    assert "(6 from verdicts)" in out
    config = json.loads((model_dir / "config.json").read_text())
    from builder.checkworthy.train import shown_path

    assert config["verdict_weight"] == 5.0 and config["verdicts"] == [shown_path(run)]
    assert json.loads((model_dir / "metrics.json").read_text())["train"]["from_verdicts"] == 6

    # rerank: unannotated tasks come back in the new model's order with its scores
    out = cli(
        "push",
        str(run),
        "--project",
        "Rerank",
        "--include-below-floor",
        "--rerank",
        "--checkworthy-model",
        str(model_dir),
    )
    free = [c for c in order if c not in labelled]
    assert f"reranked: {len(free)} tasks without annotations re-imported in the new order, 6 annotated" in out
    after = tasks_by_claim(studio_server, "Rerank")
    assert set(after) == set(before)
    for claim_id in labelled:  # annotated tasks: the very same task, untouched
        old, new = before[claim_id], after[claim_id]
        assert new.id == old.id and new.data == old.data and len(new.annotations) == 1
        assert new.meta == old.meta
    model = CheckworthyModel.load(model_dir)
    claims = {c["claim_id"]: c for c in read_jsonl(run / "claims.jsonl")}
    expected = dict(zip(free, model.score([claims[c]["text"] for c in free]), strict=True))
    new_order = [c for c, t in sorted(after.items(), key=lambda kv: kv[1].id) if c in expected]
    assert new_order == sorted(free, key=lambda c: (-expected[c], c))
    assert new_order != free  # the ranking changed
    for claim_id in free:
        task = after[claim_id]
        assert task.meta["checkworthy"] == pytest.approx(expected[claim_id])  # never in what annotators see
        assert task.predictions == []
        assert task.id > max(t.id for t in before.values())
    assert read_jsonl(run / "claims.jsonl") == list(claims.values())  # the extract output is not changed
