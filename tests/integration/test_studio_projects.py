"""Accounts, blind projects, one task per fact and push selections, against a real server."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from builder.studio.offsets import utf16_len
from builder.studio.people import annotator_project, can_log_in, pseudonym_salt
from tests.conftest import read_jsonl, run_cli

pytestmark = pytest.mark.integration


def cli(*args: str, env: dict | None = None) -> str:
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def tasks_of(server, title: str) -> list:
    client = server.client()
    project = client.find_project(title)
    return list(client.sdk.tasks.list(project=project.id, fields="all", page_size=1000))


def test_annotator_accounts_log_in_to_the_web_ui(studio_server):
    for email, password in studio_server.passwords.items():
        assert can_log_in(studio_server.url, email, password)
        assert not can_log_in(studio_server.url, email, password + "x")
    email, password = next(iter(studio_server.passwords.items()))
    again = run_cli(
        "studio", "add-annotator", email, env={**os.environ, "CLAIMSET_ANNOTATOR_PASSWORD": "another-one-9"}
    )
    assert again.returncode == 1 and "(E316)" in again.stderr and "Traceback" not in again.stderr
    assert can_log_in(studio_server.url, email, password)  # the account is unchanged
    no_password = {k: v for k, v in os.environ.items() if k != "CLAIMSET_ANNOTATOR_PASSWORD"}
    missing = run_cli("studio", "add-annotator", "new.one@newsroom.test", env=no_password)
    assert missing.returncode == 1 and "(E317)" in missing.stderr


def test_only_the_owner_can_read_the_local_instance(studio_server):
    home = studio_server.local.home
    assert (home / "data" / "label_studio.sqlite3").exists()
    loose = []
    for folder, _, files in os.walk(home):
        for path in [folder, *(os.path.join(folder, f) for f in files)]:
            if not os.path.islink(path) and os.stat(path).st_mode & 0o077:
                loose.append((path, oct(stat.S_IMODE(os.stat(path).st_mode))))
    assert loose == []
    # a folder made before (0755, a 0644 file) is tightened when the server starts
    old = home / "data" / "old-export"
    old.mkdir(mode=0o755)
    (old / "export.json").write_text("{}")
    os.chmod(old, 0o755)
    os.chmod(old / "export.json", 0o644)
    studio_server.local.tighten()
    assert stat.S_IMODE(old.stat().st_mode) == 0o700
    assert stat.S_IMODE((old / "export.json").stat().st_mode) == 0o600


def test_one_task_per_fact(studio_server, example_run):
    clusters = read_jsonl(example_run / "clusters.jsonl")
    out = cli("push", str(example_run), "--project", "Facts all", "--by", "cluster", "--include-below-floor")
    assert f"{len(clusters)} facts, {len(clusters)} imported" in out
    tasks = tasks_of(studio_server, "Facts all")
    assert sorted(t.meta["cluster_id"] for t in tasks) == sorted(c["cluster_id"] for c in clusters)
    biggest = max(clusters, key=lambda c: len(c["claim_ids"]))
    task = next(t for t in tasks if t.meta["cluster_id"] == biggest["cluster_id"])
    claims = {c["claim_id"]: c for c in read_jsonl(example_run / "claims.jsonl")}
    lines = task.data["members"].split("\n")
    assert len(lines) == len(biggest["claim_ids"]) == len(task.meta["claim_ids"])
    for line, claim_id in zip(lines, task.meta["claim_ids"], strict=True):  # every outlet's wording
        assert line.endswith(" ".join(claims[claim_id]["text"].split()))
    # below-floor facts (every wording below the floor) stay out by default
    above = [c for c in clusters if not all(claims[i]["below_floor"] for i in c["claim_ids"])]
    out = cli("push", str(example_run), "--project", "Facts above", "--by", "cluster")
    assert f"{len(above)} facts, {len(above)} imported" in out and len(above) < len(clusters)


def test_push_selection_widens_without_duplicates(studio_server, example_run):
    claims = read_jsonl(example_run / "claims.jsonl")
    cli("push", str(example_run), "--project", "Selection", "--limit", "10")
    first = tasks_of(studio_server, "Selection")
    assert sorted(t.meta["claim_id"] for t in first) == sorted(c["claim_id"] for c in claims[:10])
    out = cli("push", str(example_run), "--project", "Selection", "--min-checkworthy", "0.5")
    wanted = {c["claim_id"] for c in claims if c["checkworthy"] >= 0.5}
    assert f"{len(wanted - {c['claim_id'] for c in claims[:10]})} imported" in out
    above = {c["claim_id"] for c in claims if not c["below_floor"]}
    out = cli("push", str(example_run), "--project", "Selection")
    assert f"{len(above - wanted - {c['claim_id'] for c in claims[:10]})} imported" in out
    cli("push", str(example_run), "--project", "Selection", "--include-below-floor")
    ids = [t.meta["claim_id"] for t in tasks_of(studio_server, "Selection")]
    assert sorted(ids) == sorted(c["claim_id"] for c in claims)  # every claim exactly once
    bad = run_cli("push", str(example_run), "--project", "Selection", "--min-checkworthy", "2")
    assert bad.returncode == 1 and "(E318)" in bad.stderr


def member_result(members: str, line: int, label: str) -> dict:
    lines = members.split("\n")
    start = sum(utf16_len(x) + 1 for x in lines[:line])
    value = {"start": start, "end": start + utf16_len(lines[line]), "text": lines[line], "labels": [label]}
    return {"from_name": "member_verdicts", "to_name": "members", "type": "labels", "value": value}


def choice(label: str) -> dict:
    return {"from_name": "verdict", "to_name": "article", "type": "choices", "value": {"choices": [label]}}


def test_blind_projects_per_annotator_merge_into_one_verdict_per_claim(studio_server, example_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    emails = list(studio_server.annotators)
    args = ["--by", "cluster", "--limit", "3"] + [x for e in emails for x in ("--annotator", e)]
    out = cli("push", str(run), "--project", "Blind", *args)
    salt = pseudonym_salt()
    titles = {annotator_project("Blind", e, salt): e for e in emails}
    assert all(f"annotator project {title}:" in out for title in titles)
    assert not any(e in out for e in emails)  # pseudonyms only
    client = studio_server.client()
    sdk = client.sdk
    per_annotator = {e: tasks_of(studio_server, t) for t, e in titles.items()}
    assert all(len(tasks) == 3 for tasks in per_annotator.values())
    top = max(per_annotator[emails[0]], key=lambda t: len(t.meta["claim_ids"]))
    members = top.meta["claim_ids"]
    assert len(members) > 2
    for email, tasks in per_annotator.items():
        task = next(t for t in tasks if t.meta["cluster_id"] == top.meta["cluster_id"])
        result = [choice("supported")]
        if email == emails[0]:  # the second wording differs: its own verdict
            result.append(member_result(task.data["members"], 1, "differs: refuted"))
        sdk.annotations.create(id=task.id, result=result, completed_by=studio_server.annotators[email])
    # nobody's work is in another annotator's project
    for title, email in titles.items():
        for task in tasks_of(studio_server, title):
            assert {a["completed_by"] for a in task.annotations} <= {studio_server.annotators[email]}

    out = cli("pull", "--project", "Blind", "--out", str(run))
    verdicts = {v["claim_id"]: v for v in read_jsonl(run / "verdicts.jsonl")}
    rows = read_jsonl(run / "annotations.jsonl")
    assert len(rows) == 2 * len(members) and {r["cluster_id"] for r in rows} == {top.meta["cluster_id"]}
    for claim_id in members:
        if claim_id == members[1]:
            assert claim_id not in verdicts  # supported against refuted: a tie, for adjudication
        else:
            v = verdicts[claim_id]
            assert (v["verdict"], v["method"], v["n_annotators"]) == ("supported", "unanimous", 2)
            assert v["cluster_id"] == top.meta["cluster_id"]
    assert "1 disputed (1 newly queued" in out
    (review,) = tasks_of(studio_server, "Blind (adjudication)")
    said = review.data["annotators_said"]
    assert "refuted" in said and "supported" in said and "rationale" in said
    assert not any(e in said for e in emails)
