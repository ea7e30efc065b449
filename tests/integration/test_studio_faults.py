"""Label Studio going away during a pull, and coming back while claimset retries.

One server restart serves every assertion (restarts are slow): the server is stopped in the
middle of a pull (which fails on one line and leaves the earlier pull's files untouched), then
started again while the next pull is already retrying, which completes the work: no
annotation lost, none duplicated.
"""

from __future__ import annotations

import shutil
import threading

import pytest

from builder.errors import ClaimsetError
from builder.studio.pull import REVIEW_SUFFIX, STATE_FILE, pull
from builder.studio.sync import Studio
from tests.conftest import read_jsonl, run_cli

pytestmark = pytest.mark.integration

PROJECT = "Faults"


def verdict(label: str) -> list[dict]:
    return [{"from_name": "verdict", "to_name": "article", "type": "choices", "value": {"choices": [label]}}]


def annotate(server, tasks: dict[str, int], votes: dict[str, tuple[str, str]]) -> None:
    sdk = server.client().sdk
    first, second = server.annotators.values()
    for claim_id, (a, b) in votes.items():
        sdk.annotations.create(id=tasks[claim_id], result=verdict(a), completed_by=first)
        sdk.annotations.create(id=tasks[claim_id], result=verdict(b), completed_by=second)


class StopsServerWhileFetching(Studio):
    """A real client whose server is stopped just before the annotated tasks are fetched."""

    def __init__(self, server) -> None:
        super().__init__(server.client().connection)
        self.server = server

    def tasks_with_annotations(self, project_id, since):
        self.server.local.down()
        return super().tasks_with_annotations(project_id, since)


def snapshot(run) -> dict[str, bytes]:
    names = ("annotations.jsonl", "verdicts.jsonl", "agreement.json", STATE_FILE)
    return {name: (run / name).read_bytes() for name in names}


def test_server_stopped_during_a_pull_then_back_while_the_next_pull_retries(
    studio_server, emoji_run, tmp_path, monkeypatch
):
    run = tmp_path / "run"
    shutil.copytree(emoji_run, run)
    push = run_cli(
        "push", str(run), "--project", PROJECT, "--include-below-floor", "--annotators-per-claim", "2"
    )
    assert push.returncode == 0, push.stderr
    claims = [c["claim_id"] for c in read_jsonl(run / "claims.jsonl")]
    client = studio_server.client()
    project = client.find_project(PROJECT)
    tasks = {t["meta"]["claim_id"]: t["id"] for t in client.task_keys(project.id)}
    annotate(
        studio_server, tasks, {claims[0]: ("supported", "supported"), claims[1]: ("supported", "refuted")}
    )
    first = pull(PROJECT, run, studio=client)
    assert (first.annotations, first.verdicts, first.disputed, first.queued) == (4, 1, 1, 1)
    before = snapshot(run)

    # more work done in Label Studio, then the server goes away in the middle of the next pull
    annotate(studio_server, tasks, {claims[2]: ("refuted", "refuted"), claims[3]: ("not_a_claim", "refuted")})
    monkeypatch.setenv("CLAIMSET_STUDIO_RETRY_SECONDS", "1")
    with pytest.raises(ClaimsetError) as failure:
        pull(PROJECT, run, studio=StopsServerWhileFetching(studio_server))
    assert failure.value.code == "E306" and "gave up after retrying for 1 s" in str(failure.value)
    assert snapshot(run) == before  # nothing half-written that a later step could take as complete
    down = run_cli("pull", "--project", PROJECT, "--out", str(run))
    assert down.returncode == 1 and "(E306)" in down.stderr and "Traceback" not in down.stderr
    assert len(down.stderr.strip().splitlines()) == 1
    assert snapshot(run) == before

    # the server comes back while the next pull is already retrying: that pull succeeds
    monkeypatch.setenv("CLAIMSET_STUDIO_RETRY_SECONDS", "300")
    started: list[BaseException | None] = []

    def restart() -> None:
        try:
            studio_server.local.up()
            started.append(None)
        except BaseException as error:  # reported by the assertion below
            started.append(error)

    restarting = threading.Thread(target=restart)
    restarting.start()
    try:
        again = run_cli("pull", "--project", PROJECT, "--out", str(run))
    finally:
        restarting.join()
    assert started == [None]
    assert again.returncode == 0, again.stderr
    assert "8 annotations, 2 verdicts" in again.stdout

    rows = read_jsonl(run / "annotations.jsonl")
    keys = [(r["claim_id"], r["annotator"], r["is_review"]) for r in rows]
    assert len(keys) == len(set(keys)) == 8  # 4 claims x 2 annotators, each exactly once
    assert {r["claim_id"] for r in rows} == set(claims[:4])
    verdicts = {v["claim_id"]: v["verdict"] for v in read_jsonl(run / "verdicts.jsonl")}
    assert verdicts == {claims[0]: "supported", claims[2]: "refuted"}
    # the same as a full pull from scratch into an empty folder
    fresh = pull(PROJECT, tmp_path / "fresh", studio=studio_server.client(), full=True, queue=False)
    assert fresh.annotations == 8
    assert (tmp_path / "fresh" / "annotations.jsonl").read_bytes() == (run / "annotations.jsonl").read_bytes()
    assert (tmp_path / "fresh" / "verdicts.jsonl").read_bytes() == (run / "verdicts.jsonl").read_bytes()
    # each disputed claim waits once in the adjudication queue
    review = client.find_project(PROJECT + REVIEW_SUFFIX)
    queued = sorted(t["meta"]["claim_id"] for t in client.task_keys(review.id))
    assert queued == sorted([claims[1], claims[3]])
