"""Scale: however extraction is split up (processes, shards, engines, a crash and a resume),
the output is exactly the bytes of one uninterrupted process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import builder.shards
from builder.run import OUTPUT_FILES, run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

BBC = ROOT.parent / "shared" / "data" / "news" / "bbc_articles.jsonl"


def _inputs(tmp_path: Path) -> Path:
    """The bundled examples plus a few BBC articles from several sections."""
    inputs = tmp_path / "inputs"
    shutil.copytree(EXAMPLES, inputs)
    rows = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line]
    picked = [row for index, row in enumerate(rows) if index % 250 == 0][:8]
    assert len(picked) == 8
    # a date without its year (resolved only once every article is read) and a duplicate seen
    # after its first copy's shard is done: both are completed when the shards are merged
    undated = dict(picked[0], text=picked[0]["text"] + " A closing line.", published="March 3")
    with (inputs / "bbc.jsonl").open("w", encoding="utf-8") as handle:
        for row in [*picked, undated]:
            handle.write(json.dumps(row) + "\n")
    (inputs / "zz-copy.jsonl").write_text(json.dumps(picked[1]) + "\n", encoding="utf-8")
    return inputs


def _same_outputs(one: Path, two: Path, names=("articles.jsonl", "claims.jsonl", "rejects.jsonl")) -> None:
    for name in names:
        assert (two / name).read_bytes() == (one / name).read_bytes(), name


def test_two_processes_write_the_same_bytes_as_one(tmp_path):
    inputs = _inputs(tmp_path)
    run_extract([inputs], tmp_path / "one", group=False, processes=1)
    two = ("--processes", "2", "--shard-articles", "3", "--no-group")  # 5 shards over 2 workers
    done = run_cli("extract", str(inputs), "--out", str(tmp_path / "two"), *two)
    assert done.returncode == 0, done.stderr
    _same_outputs(tmp_path / "one", tmp_path / "two")
    claims = read_jsonl(tmp_path / "one" / "claims.jsonl")
    assert len({c["article_id"] for c in claims}) > 10  # examples and BBC articles both extracted
    articles = read_jsonl(tmp_path / "one" / "articles.jsonl")
    assert sum(bool(a["also_seen_at"]) for a in articles) == 1
    assert any(a["source"]["published_raw"] == "March 3" and a["source"]["published"] for a in articles)
    assert not (tmp_path / "two" / ".shards").exists()  # the work files go once run.json is written
    one = json.loads((tmp_path / "one" / "run.json").read_text())
    two = json.loads((tmp_path / "two" / "run.json").read_text())
    # the process count is how the run was done, not what it produced
    assert two["config"] == one["config"] and "processes" not in two["config"]
    assert two["outputs"] == one["outputs"] and two["counts"] == one["counts"]
    assert (one["options"]["processes"], two["options"]["processes"]) == (1, 2)


def test_lean_mode_is_recorded_and_keeps_the_candidates(example_run, tmp_path):
    done = run_cli("extract", str(EXAMPLES), "--out", str(tmp_path / "lean"), "--lean", "--no-group")
    assert done.returncode == 0, done.stderr
    full_run = json.loads((example_run / "run.json").read_text())
    lean_run = json.loads((tmp_path / "lean" / "run.json").read_text())
    assert lean_run["config"]["lean"] is True and "lean" not in full_run["config"]
    assert "parser" not in lean_run["config"]["components"] and "senter" in lean_run["config"]["components"]
    assert "parser" in full_run["config"]["components"]
    lean = read_jsonl(tmp_path / "lean" / "claims.jsonl")
    full = read_jsonl(example_run / "claims.jsonl")
    # a different config, so a different hash on every claim: lean claims never pass for full ones
    assert {c["extractor"]["config_hash"] for c in lean}.isdisjoint(
        c["extractor"]["config_hash"] for c in full
    )
    spans = {(c["article_id"], c["char_start"], c["char_end"]) for c in full}
    lean_spans = {(c["article_id"], c["char_start"], c["char_end"]) for c in lean}
    print(f"\nlean vs full on the examples: {len(spans ^ lean_spans)} of {len(spans)} candidates differ")
    assert len(spans & lean_spans) >= 0.95 * len(spans)
    assert len(lean_spans - spans) <= 0.05 * len(spans)


def test_many_shards_merged_in_passes_give_the_same_bytes(tmp_path, monkeypatch):
    """One article per shard and a merge of two files at a time: the external sort's passes."""
    inputs = _inputs(tmp_path)
    run_extract([inputs], tmp_path / "one", processes=1)
    monkeypatch.setattr(builder.shards, "MERGE_FAN_IN", 2)
    summary = run_extract([inputs], tmp_path / "many", processes=1, shard_articles=1)
    assert summary.shards == summary.counts["articles"] > 10
    _same_outputs(tmp_path / "one", tmp_path / "many", OUTPUT_FILES)


def test_a_killed_extraction_resumes_where_it_stopped(tmp_path):
    inputs = _inputs(tmp_path)
    run_extract([inputs], tmp_path / "whole", processes=1, shard_articles=1)
    out = tmp_path / "crashed"
    command = [sys.executable, "-m", "builder", "extract", str(inputs), "--out", str(out)]
    command += ["--processes", "1", "--shard-articles", "1"]
    worker = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while len(list(out.glob(".shards/*.done.json"))) < 3:  # three articles done, the rest to do
        assert worker.poll() is None and time.monotonic() < deadline, worker.communicate()
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert not (out / "run.json").exists() and not (out / "claims.jsonl").exists()
    finished = len(list(out.glob(".shards/*.done.json")))

    done = run_cli(*command[3:])
    assert done.returncode == 0, done.stderr
    total = len(read_jsonl(tmp_path / "whole" / "articles.jsonl"))
    assert f"resumed: {finished} of {total} shards were finished by an earlier run" in done.stderr
    _same_outputs(tmp_path / "whole", out, OUTPUT_FILES + ("run.json",))
    assert not (out / ".shards").exists()


def test_ray_engine_gives_the_local_engines_bytes_and_a_release_that_rebuilds(tmp_path):
    inputs = _inputs(tmp_path)
    run_extract([inputs], tmp_path / "local", processes=2, shard_articles=3)
    ray = ("--engine", "ray", "--processes", "2", "--shard-articles", "3")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    done = run_cli("extract", str(inputs), "--out", str(tmp_path / "ray"), *ray, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # Ray's own start-up chatter stays out of the user's terminal
    _same_outputs(tmp_path / "local", tmp_path / "ray", OUTPUT_FILES + ("run.json",))
    # a release of the Ray run rebuilds byte for byte here, on the local engine
    release = ("--name", "ray", "--version", "1.0.0", "--out", str(tmp_path / "exports"))
    assert run_cli("publish", str(tmp_path / "ray"), *release).returncode == 0
    rebuilt = run_cli("rebuild", str(tmp_path / "exports" / "ray" / "1.0.0"))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr


def test_ray_errors_are_one_line(tmp_path):
    nobody = run_cli(
        "extract",
        str(EXAMPLES),
        "--out",
        str(tmp_path / "out"),
        "--engine",
        "ray",
        "--ray-address",
        "127.0.0.1:1",
    )
    assert nobody.returncode == 1 and len(nobody.stderr.strip().splitlines()) == 1, nobody.stderr
    assert "cannot use Ray at 127.0.0.1:1" in nobody.stderr and "(E211)" in nobody.stderr
    assert not (tmp_path / "out" / "run.json").exists()


def test_an_unknown_engine_is_a_one_line_error(tmp_path):
    done = run_cli("extract", str(EXAMPLES), "--out", str(tmp_path / "out"), "--engine", "spark")
    assert done.returncode != 0
    assert "unknown engine 'spark'" in done.stderr and "E208" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_help_shows_the_ray_extra_and_bracketed_defaults():
    env = {**os.environ, "COLUMNS": "200"}
    extract = run_cli("extract", "--help", env=env).stdout
    assert "pip install 'claimset[ray]'" in extract and "(default: all cores)" in extract
    train = run_cli("train-checkworthy", "--help", env=env).stdout
    assert "[default: ../shared/data/checkworthy/train.jsonl]" in train  # rich markup would eat it


def test_a_killed_worker_stops_the_run_with_one_line_and_the_rerun_resumes(tmp_path):
    """What the out-of-memory killer does to one worker: a clear error, never a hang."""
    inputs = _inputs(tmp_path)
    out = tmp_path / "run"
    command = [sys.executable, "-m", "builder", "extract", str(inputs), "--out", str(out)]
    command += ["--processes", "2", "--shard-articles", "1", "--no-group"]
    parent = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(out.glob(".shards/*.done.json")):
        assert parent.poll() is None and time.monotonic() < deadline, parent.communicate()
        time.sleep(0.01)
    children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
    assert children, "no worker processes"
    os.kill(int(children[0]), signal.SIGKILL)
    _, stderr = parent.communicate(timeout=120)
    assert parent.returncode == 1, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "an extraction worker stopped" in lines[0] and "(E210)" in lines[0], stderr
    assert not (out / "run.json").exists()

    # a finished shard whose file went missing is redone, not trusted
    done = sorted(out.glob(".shards/*.done.json"))
    (out / ".shards" / done[0].name.replace(".done.json", ".claims.jsonl")).unlink()
    again = run_cli(*command[3:])
    assert again.returncode == 0, again.stderr
    assert f"resumed: {len(done) - 1} of" in again.stderr or len(done) == 1
    run_extract([inputs], tmp_path / "whole", group=False, processes=1)
    _same_outputs(tmp_path / "whole", out)


def test_a_ray_tasks_own_error_reaches_the_user_as_itself(monkeypatch):
    """A worker node without the spaCy model raises E205 there; the user sees that line."""
    import builder.engines
    from builder.errors import ClaimsetError, Errors
    from builder.extract import ExtractConfig
    from builder.ingest import ingest

    def no_model_here(articles, config):
        raise ClaimsetError(Errors.E205, model=config.model)

    monkeypatch.setattr(builder.engines, "extract_shard", no_model_here)
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    shards = list(builder.shards.cut(ingest([EXAMPLES]).articles, "stamp", 2))
    with pytest.raises(ClaimsetError) as failure:
        list(builder.engines.run_shards(shards, ExtractConfig(), 2, "ray"))
    assert failure.value.code == "E205" and "is not installed" in str(failure.value)
    assert len(str(failure.value).splitlines()) == 1
