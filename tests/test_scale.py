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
