"""Scale: extraction over several processes gives exactly the bytes of one process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from builder.run import run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

BBC = ROOT.parent / "shared" / "data" / "news" / "bbc_articles.jsonl"


def _inputs(tmp_path: Path) -> Path:
    """The bundled examples plus a few BBC articles from several sections."""
    inputs = tmp_path / "inputs"
    shutil.copytree(EXAMPLES, inputs)
    rows = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines() if line]
    picked = [row for index, row in enumerate(rows) if index % 250 == 0][:8]
    assert len(picked) == 8
    with (inputs / "bbc.jsonl").open("w", encoding="utf-8") as handle:
        for row in picked:
            handle.write(json.dumps(row) + "\n")
    return inputs


def test_two_processes_write_the_same_bytes_as_one(tmp_path):
    inputs = _inputs(tmp_path)
    run_extract([inputs], tmp_path / "one", group=False)
    done = run_cli("extract", str(inputs), "--out", str(tmp_path / "two"), "--processes", "2", "--no-group")
    assert done.returncode == 0, done.stderr
    for name in ("articles.jsonl", "claims.jsonl", "rejects.jsonl"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    claims = read_jsonl(tmp_path / "one" / "claims.jsonl")
    assert len({c["article_id"] for c in claims}) > 10  # examples and BBC articles both extracted
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
