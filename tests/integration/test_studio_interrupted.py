"""A push cut off by the server going away, then repeated: every claim ends with exactly one task."""

from __future__ import annotations

import shutil

import pytest

from builder.errors import ClaimsetError
from builder.studio.push import push
from builder.studio.tasks import build_task
from tests.conftest import read_jsonl, run_cli

pytestmark = pytest.mark.integration


def task_claim_ids(server, title: str) -> list[str]:
    client = server.client()
    project = client.find_project(title)
    return [t["meta"]["claim_id"] for t in client.task_keys(project.id)]


def test_server_stopped_in_the_middle_of_a_push_then_push_again(studio_server, example_run):
    claims = read_jsonl(example_run / "claims.jsonl")

    def stop_server_after_first_batch(imported: int) -> None:
        if imported == 10:
            studio_server.local.down()

    with pytest.raises(ClaimsetError) as failure:
        push(
            example_run,
            "Interrupted",
            studio=studio_server.client(),
            batch_size=10,
            on_batch=stop_server_after_first_batch,
        )
    assert failure.value.code == "E306"
    # while it is down, the CLI says so on one line and exits non-zero
    down = run_cli("push", str(example_run), "--project", "Interrupted", "--include-below-floor")
    assert down.returncode == 1
    assert down.stderr.startswith("error: cannot reach Label Studio") and "(E306)" in down.stderr
    assert "Traceback" not in down.stderr and len(down.stderr.strip().splitlines()) == 1

    studio_server.local.up()
    assert sorted(task_claim_ids(studio_server, "Interrupted")) == sorted(c["claim_id"] for c in claims[:10])
    again = run_cli("push", str(example_run), "--project", "Interrupted", "--include-below-floor")
    assert again.returncode == 0, again.stderr
    assert f"{len(claims) - 10} imported" in again.stdout
    ids = task_claim_ids(studio_server, "Interrupted")
    assert sorted(ids) == sorted(c["claim_id"] for c in claims)  # each claim exactly once


def test_a_batch_the_server_committed_after_the_client_gave_up_is_deduplicated(studio_server, example_run):
    claims = read_jsonl(example_run / "claims.jsonl")
    assert (
        run_cli("push", str(example_run), "--project", "Lost reply", "--include-below-floor").returncode == 0
    )
    client = studio_server.client()
    project = client.find_project("Lost reply")
    articles = {a["article_id"]: a["text"] for a in read_jsonl(example_run / "articles.jsonl")}
    # the same task again, as if a batch had been committed but its reply lost
    client.import_tasks(project.id, [build_task(claims[3], articles[claims[3]["article_id"]])])
    assert len(task_claim_ids(studio_server, "Lost reply")) == len(claims) + 1

    out = run_cli("push", str(example_run), "--project", "Lost reply", "--include-below-floor")
    assert "removed 1 duplicate tasks left by an interrupted push" in out.stdout
    ids = task_claim_ids(studio_server, "Lost reply")
    assert sorted(ids) == sorted(c["claim_id"] for c in claims)


def test_an_unknown_project_or_a_wrong_key_is_a_one_line_error(studio_server, tmp_path, monkeypatch):
    missing = run_cli("pull", "--project", "No such project", "--out", str(tmp_path / "out"))
    assert missing.returncode == 1 and "no project named 'No such project'" in missing.stderr
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
    wrong = run_cli("pull", "--project", "Interrupted", "--out", str(tmp_path / "out"))
    assert wrong.returncode == 1 and "(E307)" in wrong.stderr and "0" * 40 not in wrong.stderr


def test_a_task_deleted_in_label_studio_comes_back_with_the_next_push(studio_server, example_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    claims = read_jsonl(run / "claims.jsonl")
    assert run_cli("push", str(run), "--project", "Deleted task", "--include-below-floor").returncode == 0
    client = studio_server.client()
    project = client.find_project("Deleted task")
    victim = next(t for t in client.task_keys(project.id) if t["meta"]["claim_id"] == claims[5]["claim_id"])
    client.delete_task(victim["id"])

    out = run_cli("push", str(run), "--project", "Deleted task", "--include-below-floor")
    assert "1 imported" in out.stdout
    assert sorted(task_claim_ids(studio_server, "Deleted task")) == sorted(c["claim_id"] for c in claims)
