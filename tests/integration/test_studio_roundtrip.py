"""Claims to Label Studio and verdicts back, against a real server, through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builder.studio.offsets import OffsetMap
from builder.studio.pull import REVIEW_SUFFIX
from tests.conftest import read_jsonl, run_cli

pytestmark = pytest.mark.integration

CLI_OUTPUT: list[str] = []  # everything the commands printed, grepped for secrets at the end


def cli(*args: str) -> str:
    result = run_cli(*args)
    CLI_OUTPUT.extend([result.stdout, result.stderr])
    assert result.returncode == 0, result.stderr
    return result.stdout


def claim_tasks(server, project_title: str) -> dict[str, dict]:
    client = server.client()
    project = client.find_project(project_title)
    tasks = list(client.sdk.tasks.list(project=project.id, fields="all", page_size=1000))
    by_claim: dict[str, list] = {}
    for task in tasks:
        by_claim.setdefault(task.meta["claim_id"], []).append(task)
    assert all(len(v) == 1 for v in by_claim.values()), "a claim has more than one task"
    return {k: v[0] for k, v in by_claim.items()}


def test_push_imports_each_claim_once_ordered_by_checkworthiness(studio_server, example_run):
    claims = read_jsonl(example_run / "claims.jsonl")
    out = cli("push", str(example_run), "--project", "Examples push", "--include-below-floor")
    assert f"{len(claims)} claims, {len(claims)} imported" in out
    again = cli("push", str(example_run), "--project", "Examples push", "--include-below-floor")
    assert f"0 imported, 0 updated, {len(claims)} unchanged" in again

    tasks = claim_tasks(studio_server, "Examples push")
    assert set(tasks) == {c["claim_id"] for c in claims}
    by_id = sorted(tasks.values(), key=lambda t: t.id)
    scores = [t.meta["checkworthy"] for t in by_id]
    assert scores == sorted(scores, reverse=True)
    top = tasks[claims[0]["claim_id"]]
    # nothing of the model reaches the annotator: no prediction, no score in the task data
    assert top.annotations == [] and top.predictions == []
    assert "checkworthy" not in top.data
    assert claims[0]["text"] in top.data["context"] and "<mark" in top.data["context"]
    # the project guides and keeps annotators apart
    project = studio_server.client().find_project("Examples push")
    assert project.show_instruction and "How to label a claim" in project.expert_instruction
    assert not project.show_collab_predictions and not project.show_annotation_history
    # grouping: the other wordings of the same fact, from other articles, are shown beside it
    clusters = read_jsonl(example_run / "clusters.jsonl")
    shared = next(c for c in clusters if len(set(c["article_ids"])) > 1)
    member = next(c for c in claims if c["claim_id"] == shared["claim_ids"][0])
    other = next(
        c for c in claims if c["claim_id"] in shared["claim_ids"] and c["article_id"] != member["article_id"]
    )
    outlet = other["source"].get("publisher") or other["source"].get("title")
    assert f"{outlet}: {other['text']}" in tasks[member["claim_id"]].data["other_wordings"]  # by outlet
    # conflicts in plain words: what each outlet states
    conflict = next(c for c in read_jsonl(example_run / "conflicts.jsonl") if c["claim_ids"][0] in tasks)
    assert conflict["summary"] in tasks[conflict["claim_ids"][0]].data["conflicts"]


def test_a_changed_claim_updates_its_task_unless_it_was_annotated(studio_server, example_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(example_run, run)
    cli("push", str(run), "--project", "Examples change", "--include-below-floor")
    claims = read_jsonl(run / "claims.jsonl")
    annotated, free = claims[0]["claim_id"], claims[1]["claim_id"]
    tasks = claim_tasks(studio_server, "Examples change")
    sdk = studio_server.client().sdk
    annotator = next(iter(studio_server.annotators.values()))
    sdk.annotations.create(
        id=tasks[annotated].id,
        result=[
            {
                "from_name": "verdict",
                "to_name": "article",
                "type": "choices",
                "value": {"choices": ["refuted"]},
            }
        ],
        completed_by=annotator,
    )
    for claim in claims[:2]:
        claim["context_after"] = "unchanged"  # not shown to annotators: must not count as a change
        claim["source"]["publisher"] = "Corrected Publisher"
    (run / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")

    out = cli("push", str(run), "--project", "Examples change", "--include-below-floor")
    # the free claim's task is updated (and so is any task listing it among its other wordings)
    assert "0 imported" in out and " 0 updated" not in out
    assert f"1 changed claims already have annotations and were left as they are: {annotated}" in out
    after = claim_tasks(studio_server, "Examples change")
    assert "<b>Outlet:</b> Corrected Publisher" in after[free].data["provenance"]
    assert "Corrected Publisher" not in after[annotated].data["provenance"]
    assert len(after[annotated].annotations) == 1
    assert len(after) == len(claims)


def verdict_result(label: str) -> dict:
    return {"from_name": "verdict", "to_name": "article", "type": "choices", "value": {"choices": [label]}}


# the hand-computed case of tests/test_studio_agreement.py, on the first four claims
VOTES = [
    ("supported", "supported"),
    ("refuted", "refuted"),
    ("supported", "refuted"),
    ("not_a_claim", "not_a_claim"),
]


@pytest.fixture(scope="module")
def annotated(studio_server, emoji_run, tmp_path_factory):
    """Both annotators label the emoji article's claims; returns (run folder, claims, evidence)."""
    run = tmp_path_factory.mktemp("annotated") / "run"
    shutil.copytree(emoji_run, run)
    cli("push", str(run), "--project", "Cafés", "--annotators-per-claim", "2", "--include-below-floor")
    claims = read_jsonl(run / "claims.jsonl")
    tasks = claim_tasks(studio_server, "Cafés")
    sdk = studio_server.client().sdk
    first, second = studio_server.annotators.values()
    article = tasks[claims[0]["claim_id"]].data["article"]
    evidence = "1.2 million customers in 2023"  # after several emoji: UTF-16 and code points differ
    start = article.index(evidence)
    offsets = OffsetMap(article)
    span = {
        "from_name": "spans",
        "to_name": "article",
        "type": "labels",
        "value": {
            "start": offsets.to_utf16(start),
            "end": offsets.to_utf16(start + len(evidence)),
            "text": evidence,
            "labels": ["Evidence"],
        },
    }
    extras = [
        {"from_name": "evidence_urls", "to_name": "article", "type": "textarea",
         "value": {"text": ["https://example.org/report-2023 “served 1.2 million customers”"]}},
        {"from_name": "rationale", "to_name": "article", "type": "textarea", "value": {"text": ["Annual report."]}},
        {"from_name": "confidence", "to_name": "article", "type": "rating", "value": {"rating": 4}},
    ]  # fmt: skip
    for claim, (a, b) in zip(claims, VOTES, strict=False):
        task_id = tasks[claim["claim_id"]].id
        result_a = [verdict_result(a), *([span, *extras] if claim is claims[0] else [])]
        sdk.annotations.create(id=task_id, result=result_a, completed_by=first)
        sdk.annotations.create(id=task_id, result=[verdict_result(b)], completed_by=second)
    sdk.annotations.create(
        id=tasks[claims[4]["claim_id"]].id, result=[], was_cancelled=True, completed_by=first
    )
    return run, claims, evidence


def test_pull_writes_pseudonymous_annotations_with_code_point_evidence(studio_server, annotated):
    run, claims, evidence = annotated
    out = cli("pull", "--project", "Cafés", "--out", str(run))
    assert "9 annotations, 3 verdicts" in out and "1 disputed (1 newly queued" in out
    rows = read_jsonl(run / "annotations.jsonl")
    assert len(rows) == 9  # 4 claims x 2 annotators, plus one skip
    assert len({r["annotator"] for r in rows}) == 2
    assert all(r["annotator"].startswith("annotator-") for r in rows)
    skipped = [r for r in rows if r["status"] == "skipped"]
    assert [(r["claim_id"], r["verdict"]) for r in skipped] == [(claims[4]["claim_id"], None)]

    article = read_jsonl(run / "articles.jsonl")[0]["text"]
    (with_evidence,) = [r for r in rows if r["evidence_spans"]]
    (span,) = with_evidence["evidence_spans"]
    assert article[span["char_start"] : span["char_end"]] == span["text"] == evidence
    assert span["char_start"] == article.index(evidence)
    assert with_evidence["evidence_urls"] == [
        {"url": "https://example.org/report-2023", "quote": "“served 1.2 million customers”"}
    ]
    assert (with_evidence["rationale"], with_evidence["confidence"]) == ("Annual report.", 4)

    agreement = json.loads((run / "agreement.json").read_text(encoding="utf-8"))
    assert agreement["overall"]["krippendorff_alpha"] == pytest.approx(2 / 3, abs=1e-4)
    assert agreement["overall"]["fleiss_kappa"] == pytest.approx(0.619048, abs=1e-4)
    assert agreement["pairs"][0]["cohen_kappa"] == pytest.approx(0.636364, abs=1e-4)

    verdicts = {v["claim_id"]: v for v in read_jsonl(run / "verdicts.jsonl")}
    assert set(verdicts) == {claims[i]["claim_id"] for i in (0, 1, 3)}
    first = verdicts[claims[0]["claim_id"]]
    assert (first["verdict"], first["method"], first["n_annotators"], first["agreement"]) == (
        "supported",
        "unanimous",
        2,
        1.0,
    )
    assert first["evidence_spans"] == [span]

    # a second pull is incremental and gives the same pseudonyms
    again = cli("pull", "--project", "Cafés", "--out", str(run))
    assert int(again.split()[0]) < len(claims)
    assert read_jsonl(run / "annotations.jsonl") == rows


def test_a_reviewer_settles_the_disagreement_in_the_adjudication_project(studio_server, annotated):
    run, claims, _ = annotated
    disputed = claims[2]["claim_id"]
    queue = claim_tasks(studio_server, "Cafés" + REVIEW_SUFFIX)
    assert set(queue) == {disputed}
    said = queue[disputed].data["annotators_said"]
    assert "supported" in said and "refuted" in said and "annotator-" in said
    assert not any(email in said for email in studio_server.annotators)

    sdk = studio_server.client().sdk
    sdk.annotations.create(id=queue[disputed].id, result=[verdict_result("refuted")])  # as the admin
    out = cli("pull", "--project", "Cafés", "--out", str(run))
    assert "4 verdicts" in out and "0 disputed" in out
    verdicts = {v["claim_id"]: v for v in read_jsonl(run / "verdicts.jsonl")}
    settled = verdicts[disputed]
    assert (settled["verdict"], settled["method"], settled["n_annotators"], settled["agreement"]) == (
        "refuted",
        "adjudicated",
        2,
        0.5,
    )
    reviews = [r for r in read_jsonl(run / "annotations.jsonl") if r["is_review"]]
    assert [(r["claim_id"], r["verdict"]) for r in reviews] == [(disputed, "refuted")]
    # agreement is about annotators: the reviewer's decision does not change it
    table = cli("agreement", str(run))
    assert "0.667" in table and "0.619" in table and "0.636" in table


def test_no_secret_username_or_email_in_any_output_or_log(studio_server, annotated, example_run):
    run, _, _ = annotated
    assert CLI_OUTPUT
    texts = {f"cli output {i}": text for i, text in enumerate(CLI_OUTPUT)}
    texts["Label Studio server log"] = studio_server.local.log_file.read_text(
        encoding="utf-8", errors="replace"
    )
    for folder in (run, example_run):
        for path in folder.rglob("*"):
            if path.is_file():
                texts[str(path)] = path.read_text(encoding="utf-8")
    for where, text in texts.items():
        for secret in studio_server.secrets:
            assert secret.lower() not in text.lower(), f"{where} leaks a secret or identity"
    # the stored credentials are readable by their owner only
    home = Path(studio_server.local.home)
    assert (home / "credentials.json").stat().st_mode & 0o077 == 0
