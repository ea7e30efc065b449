"""The studio commands' behaviour that needs no server: bad input, missing setup, agreement."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from builder.records import dumps
from tests.conftest import run_cli
from tests.test_studio_agreement import HAND_CASE


def claimset(*args: str, home) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env["CLAIMSET_STUDIO_HOME"] = str(home)
    return run_cli(*args, env=env, timeout=120)


def test_push_of_a_folder_without_claims_names_the_missing_file(tmp_path):
    result = claimset("push", str(tmp_path), "--project", "Anything", home=tmp_path / "studio")
    assert result.returncode == 1
    assert "missing file" in result.stderr and "run.json" in result.stderr and "(E204)" in result.stderr


def test_push_of_a_broken_claims_file_names_file_and_line(tmp_path, example_run):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    lines = (run / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:40]
    (run / "claims.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = claimset("push", str(run), "--project", "Anything", home=tmp_path / "studio")
    assert result.returncode == 1
    assert f"{run / 'claims.jsonl'}:2: not JSON" in result.stderr and "(E312)" in result.stderr
    assert "Traceback" not in result.stderr


def test_push_of_an_unfinished_extract_run_is_refused(tmp_path, example_run):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    (run / "run.json").unlink()  # what an interrupted or failed extract leaves
    result = claimset("push", str(run), "--project", "Anything", home=tmp_path / "studio")
    assert result.returncode == 1
    assert "run.json" in result.stderr and "(E204)" in result.stderr and "Traceback" not in result.stderr


def test_push_without_any_label_studio_says_how_to_get_one(tmp_path, example_run):
    result = claimset("push", str(example_run), "--project", "Anything", home=tmp_path / "studio")
    assert result.returncode == 1
    assert "LABEL_STUDIO_URL" in result.stderr and "claimset studio up" in result.stderr


def test_agreement_command_prints_the_table_and_writes_json(tmp_path):
    (tmp_path / "annotations.jsonl").write_text("".join(dumps(a.to_dict()) + "\n" for a in HAND_CASE))
    result = claimset("agreement", str(tmp_path), home=tmp_path / "studio")
    assert result.returncode == 0, result.stderr
    assert "0.667" in result.stdout and "0.619" in result.stdout and "A / B" in result.stdout
    saved = json.loads((tmp_path / "agreement.json").read_text(encoding="utf-8"))
    assert saved["pairs"][0]["cohen_kappa"] == 0.6364


def test_studio_status_when_nothing_runs(tmp_path):
    result = claimset("studio", "status", home=tmp_path / "studio")
    assert result.returncode == 1 and "not running" in result.stdout


def test_a_long_retry_is_announced_once_then_fails_on_one_line(tmp_path):
    """Nothing listens on the port: the user learns at once why the command waits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env |= {"LABEL_STUDIO_URL": "http://127.0.0.1:9", "LABEL_STUDIO_API_KEY": "not-a-real-key"}
    env |= {"CLAIMSET_STUDIO_HOME": str(tmp_path / "studio"), "CLAIMSET_STUDIO_RETRY_SECONDS": "7"}
    result = run_cli("pull", "--project", "Anything", "--out", str(tmp_path / "run"), env=env, timeout=120)
    assert result.returncode == 1
    notice, error = result.stderr.strip().splitlines()
    assert notice == (
        "Label Studio at http://127.0.0.1:9 is not answering; retrying for up to 7 s in all "
        "(CLAIMSET_STUDIO_RETRY_SECONDS)"
    )
    assert error.startswith("error: cannot reach Label Studio") and "(E306)" in error
    assert "not-a-real-key" not in result.stderr + result.stdout


def test_push_by_cluster_without_grouping_names_the_missing_file(tmp_path, example_run):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    (run / "clusters.jsonl").unlink()  # what `extract --no-group` leaves
    result = claimset("push", str(run), "--project", "Anything", "--by", "cluster", home=tmp_path / "studio")
    assert result.returncode == 1
    assert (
        "clusters.jsonl" in result.stderr and "(E204)" in result.stderr and "Traceback" not in result.stderr
    )


def test_a_push_selection_out_of_range_is_refused_before_anything_is_sent(tmp_path, example_run):
    for option in (["--limit", "0"], ["--min-checkworthy", "1.5"], ["--by", "story"]):
        result = claimset(
            "push", str(example_run), "--project", "Anything", *option, home=tmp_path / "studio"
        )
        assert result.returncode == 1 and "(E318)" in result.stderr, option


def test_add_annotator_without_a_password_or_a_terminal_stops(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "CLAIMSET_ANNOTATOR"))}
    env["CLAIMSET_STUDIO_HOME"] = str(tmp_path / "studio")
    result = subprocess.run(
        [sys.executable, "-m", "builder", "studio", "add-annotator", "ana@newsroom.example"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert (
        result.returncode == 1
        and "CLAIMSET_ANNOTATOR_PASSWORD" in result.stderr
        and "(E317)" in result.stderr
    )
