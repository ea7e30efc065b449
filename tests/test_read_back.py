"""Every file claimset reads back, damaged three ways and more, under every command that reads it:
each command ends with one coded line naming the file (and line), never a traceback, and
writes nothing."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builder.cli import app
from builder.errors import ClaimsetError
from builder.publish import PublishOptions, publish
from builder.records import PullState, StudioCredentials
from builder.runfiles import read_record
from builder.studio.agreement import agreement_for_folder
from tests.test_publish import add_verdicts

CODED = re.compile(r"^error: .*\((E\d{3})\)$")


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _jsonl(damage: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        lines = _lines(path.read_text(encoding="utf-8"))
        path.write_text("\n".join(damage(lines)) + "\n", encoding="utf-8")

    return apply


def _set(field: str, value: object) -> Callable[[list[str]], list[str]]:
    """Line 2 (or the only line) with ``field`` (a dotted path) set to ``value``."""

    def damage(lines: list[str]) -> list[str]:
        at = min(1, len(lines) - 1)
        record = json.loads(lines[at])
        *parents, last = field.split(".")
        target = record
        for key in parents:
            target = target[key]
        target[last] = value
        return [*lines[:at], json.dumps(record), *lines[at + 1 :]]

    return damage


def _drop(field: str) -> Callable[[list[str]], list[str]]:
    def damage(lines: list[str]) -> list[str]:
        at = min(1, len(lines) - 1)
        record = json.loads(lines[at])
        del record[field]
        return [*lines[:at], json.dumps(record), *lines[at + 1 :]]

    return damage


def _truncated(lines: list[str]) -> list[str]:
    return [*lines[:-1], lines[-1][: len(lines[-1]) // 2]]


def _not_an_object(lines: list[str]) -> list[str]:
    return [lines[0], "[1, 2]", *lines[2:]]


def _json(damage: Callable[[dict], object]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        value = damage(json.loads(path.read_text(encoding="utf-8")))
        text = value if isinstance(value, str) else json.dumps(value, indent=2)
        path.write_text(text, encoding="utf-8")

    return apply


def _json_truncated(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def _with(key: str, value: object) -> Callable[[dict], dict]:
    return lambda record: {**record, key: value}


def _without(key: str) -> Callable[[dict], dict]:
    return lambda record: {k: v for k, v in record.items() if k != key}


JSONL = {  # file -> (field of the wrong type, its value; a field to drop)
    "articles.jsonl": (("text", 5), "article_id"),
    "claims.jsonl": (("char_end", "12"), "claim_id"),
    "stories.jsonl": (("article_ids", "3ecac9eb42dadbf8"), "story_id"),
    "clusters.jsonl": (("claim_ids", 7), "cluster_id"),
    "conflicts.jsonl": (("values", "two"), "claim_ids"),
    "rejects.jsonl": (("line", "two"), "code"),
    "annotations.jsonl": (("is_review", "no"), "annotator"),
    "verdicts.jsonl": (("verdict", "maybe"), "method"),
}
JSON = {  # file -> (field of the wrong type, its value; a field to drop)
    "run.json": (("counts", "many"), "inputs"),
    "agreement.json": (("claims_rated", "all"), "overall"),
    "manifest.json": (("outputs", ["README.md"]), "extract"),
    ".studio/credentials.json": (("api_key", 7), "api_key"),
    ".studio/server.json": (("url", 8080), "url"),
}


def damages(name: str) -> dict[str, Callable[[Path], None]]:
    if name in JSONL:
        (field, value), dropped = JSONL[name]
        return {
            "truncated": _jsonl(_truncated),
            "not an object": _jsonl(_not_an_object),
            f"{field} of the wrong type": _jsonl(_set(field, value)),
            f"no {dropped}": _jsonl(_drop(dropped)),
        }
    (field, value), dropped = JSON[name]
    return {
        "truncated": _json_truncated,
        "not an object": _json(lambda record: []),
        f"{field} of the wrong type": _json(_with(field, value)),
        f"no {dropped}": _json(_without(dropped)),
    }


RUN = "run"
COMMANDS = {  # file -> the commands that read it (run from the workspace)
    "run.json": [["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"], ["group", RUN]],
    "articles.jsonl": [
        ["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"],
        ["push", RUN, "--project", "Damaged"],
    ],
    "claims.jsonl": [
        ["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"],
        ["group", RUN],
        ["report", RUN],
        ["push", RUN, "--project", "Damaged"],
    ],
    "stories.jsonl": [["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"], ["group", RUN]],
    "clusters.jsonl": [
        ["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"],
        ["report", RUN],
        ["push", RUN, "--project", "Damaged"],
    ],
    "conflicts.jsonl": [
        ["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"],
        ["report", RUN],
        ["push", RUN, "--project", "Damaged"],
    ],
    "rejects.jsonl": [["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"]],
    "annotations.jsonl": [
        ["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"],
        ["agreement", RUN],
    ],
    "verdicts.jsonl": [["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"]],
    "agreement.json": [["publish", RUN, "--name", "x", "--version", "0.1.0", "--out", "out"]],
    "manifest.json": [["rebuild", "release"], ["push-to-hub", "release", "--repo", "someone/claims"]],
    ".studio/credentials.json": [
        ["push", RUN, "--project", "Damaged"],
        ["pull", "--project", "P", "--out", RUN],
    ],
    ".studio/server.json": [["push", RUN, "--project", "Damaged"], ["pull", "--project", "P", "--out", RUN]],
}


@pytest.fixture(scope="module")
def workspace(example_run, tmp_path_factory) -> Path:
    """A folder as a maintainer's: a labelled run folder, its release, a local Label Studio's files."""
    root = tmp_path_factory.mktemp("read-back")
    run = root / RUN
    shutil.copytree(example_run, run)
    add_verdicts(run)
    agreement_for_folder(run)
    (run / "rejects.jsonl").write_text(
        "".join(
            json.dumps({"path": f"in/{n}.txt", "line": None, "code": "E101", "reason": "empty file"}) + "\n"
            for n in range(3)
        ),
        encoding="utf-8",
    )
    release = publish(
        run, "x", "0.1.0", out=root / "exports", options=PublishOptions(release_date="2026-03-01")
    )
    shutil.move(release.path, root / "release")
    shutil.rmtree(root / "exports")
    studio = root / ".studio"
    studio.mkdir()
    (studio / "server.json").write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 1}, indent=2))
    (studio / "credentials.json").write_text(
        json.dumps({"username": "a@b.c", "password": "pw", "api_key": "k"}, indent=2)
    )
    return root


def _where(name: str, root: Path) -> Path:
    return root / ("release" if name == "manifest.json" else "" if name.startswith(".studio") else RUN) / name


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


CASES = [
    (name, damage, command)
    for name, commands in COMMANDS.items()
    for damage in damages(name)
    for command in commands
]


@pytest.mark.parametrize(("name", "damage", "command"), CASES, ids=[f"{n}-{d}-{c[0]}" for n, d, c in CASES])
def test_a_damaged_file_stops_every_command_that_reads_it_with_one_coded_line(
    workspace, tmp_path, monkeypatch, name, damage, command
):
    root = tmp_path / "work"
    shutil.copytree(workspace, root)
    damages(name)[damage](_where(name, root))
    for variable in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "HF_TOKEN", "CLAIMSET_STUDIO_HOME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("CLAIMSET_STUDIO_RETRY_SECONDS", "0")
    monkeypatch.chdir(root)
    before = _files(root)

    result = CliRunner().invoke(app, command)

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == 1, result.output + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert CODED.match(last), last
    assert str(Path(name)) in last or name in last, last
    assert _files(root) == before  # nothing written, nothing half-written


def test_the_state_files_of_push_and_pull_are_read_with_their_file_and_line_named(tmp_path):
    """studio-push.json and studio-pull.json are read only after Label Studio answers (the
    integration tests run them against a real server); their reader is the same."""
    path = tmp_path / "studio-pull.json"
    path.write_text('{\n  "url": "http://x",\n  "project": 5\n}\n', encoding="utf-8")
    with pytest.raises(
        ClaimsetError, match=r"studio-pull.json:3: project is not a string or null; .* \(E420\)"
    ):
        read_record(path, PullState)
    path.write_text('{\n  "username": "a",\n', encoding="utf-8")
    with pytest.raises(ClaimsetError, match=r"studio-pull.json:3: not JSON"):
        read_record(path, StudioCredentials)
