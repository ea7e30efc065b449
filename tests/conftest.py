"""Fixtures shared by the whole suite: one real extract run over the bundled examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from builder.run import run_extract

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600, preexec=None
) -> subprocess.CompletedProcess:
    """Run the real `claimset` CLI in a subprocess, as a user would (``env``: the whole environment)."""
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=timeout,
        preexec_fn=preexec,
    )


@pytest.fixture(scope="session")
def example_run(tmp_path_factory) -> Path:
    """The output folder of `claimset extract examples/articles`."""
    out = tmp_path_factory.mktemp("example-run")
    run_extract([EXAMPLES], out)
    return out
