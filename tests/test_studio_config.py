"""The labeling interface and the tasks built from claims (no server needed)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from builder.records import VERDICT_LABELS
from builder.studio.config import DATA_FIELDS, VERDICT_HINTS, instructions, label_config, member_verdict
from builder.studio.pull import pseudonym
from builder.studio.tasks import build_cluster_task, build_task, provenance_html


def test_interface_offers_exactly_the_verdict_labels_and_shows_the_article_as_text():
    root = ET.fromstring(label_config())
    choices = root.find(".//Choices[@name='verdict']")
    assert [c.get("value") for c in choices] == list(VERDICT_LABELS)
    assert choices.get("choice") == "single-radio" and choices.get("required") == "true"
    # the article (publisher text) is plain text; only claimset's own escaped HTML is HyperText
    assert root.find(".//Text[@name='article']") is not None and root.find(".//HTML") is None
    assert {h.get("name") for h in root.iter("HyperText")} == {"context", "provenance"}
    names = {e.get("name") for e in root.iter() if e.get("name")}
    assert {"article", "spans", "evidence_urls", "rationale", "rationale_required", "confidence"} <= names
    used = {e.get("value")[1:] for e in root.iter() if (e.get("value") or "").startswith("$")}
    assert used <= set(DATA_FIELDS)


def test_annotators_can_only_choose_evidence_and_must_give_what_is_required():
    root = ET.fromstring(label_config())
    (spans,) = [e for e in root.iter("Labels") if e.get("toName") == "article"]
    assert [label.get("value") for label in spans] == ["Evidence"]  # no "Claim" label to pick
    assert root.find(".//Rating[@name='confidence']").get("required") == "true"
    required = root.find(".//TextArea[@name='rationale_required']")
    assert required.get("required") == "true"
    shown_when = next(v for v in root.iter("View") if required in list(v))
    assert shown_when.get("whenTagName") == "verdict"
    assert set(shown_when.get("whenChoiceValue").split(",")) == {"refuted", "conflicting_evidence"}
    optional = next(v for v in root.iter("View") if root.find(".//TextArea[@name='rationale']") in list(v))
    assert set(optional.get("whenChoiceValue").split(",")) == set(VERDICT_LABELS) - {
        "refuted",
        "conflicting_evidence",
    }


def test_instructions_come_from_one_definition_with_every_label_meaning():
    text = instructions()
    for label, hint in VERDICT_HINTS.items():
        assert f"<b>{label}</b>: {hint}" in text
    assert "rationale" in text and "Evidence" in text
    assert "differs" in instructions(by_cluster=True) and "differs" not in text


def test_the_fact_interface_lets_a_member_that_differs_get_its_own_verdict():
    root = ET.fromstring(label_config(by_cluster=True))
    members = root.find(".//Labels[@name='member_verdicts']")
    assert members.get("toName") == "members"
    assert [label.get("value") for label in members] == [f"differs: {v}" for v in VERDICT_LABELS]
    assert [member_verdict(label.get("value")) for label in members] == list(VERDICT_LABELS)
    assert member_verdict("Evidence") is None


def test_the_review_interface_adds_what_the_annotators_said():
    assert "$annotators_said" not in label_config()
    assert "$annotators_said" in label_config(review=True)


def _claim(article: str, text: str, **extra) -> dict:
    start = article.index(text)
    source = {
        "publisher": "Le Monde",
        "published": "2024-02-03",
        "url": "https://example.org/a",
        "path": "a.txt",
    }
    return {
        "claim_id": "c1",
        "text": text,
        "article_id": "a1",
        "char_start": start,
        "char_end": start + len(text),
        "checkworthy": 0.8,
        "source": source,
        **extra,
    }


def test_task_shows_the_claim_in_its_paragraph_and_never_the_model_score():
    article = (
        "Title\n\nIntro 😀🎉 text.\nLe café a vendu 3 000 tasses en 2023. Fin.\nNext <b>para</b>.\nFar away."
    )
    task = build_task(_claim(article, "Le café a vendu 3 000 tasses en 2023."), article)
    assert "annotations" not in task and "predictions" not in task
    data = task["data"]
    assert data["article"] == article and task["meta"]["claim_id"] == "c1"
    assert task["meta"]["checkworthy"] == 0.8  # kept for ordering, out of the annotator's sight
    assert "0.8" not in json.dumps(data)
    assert data["context"] == (
        "<p>Intro 😀🎉 text.</p>"
        '<p><mark style="background:#fff59d">Le café a vendu 3 000 tasses en 2023.</mark> Fin.</p>'
        "<p>Next &lt;b&gt;para&lt;/b&gt;.</p>"
    )


def test_provenance_is_labelled_and_links_only_to_web_addresses():
    article = "One. The rate rose 5% in 2023. Two."
    task = build_task(_claim(article, "The rate rose 5% in 2023."), article)
    shown = task["data"]["provenance"]
    assert "<b>Outlet:</b> Le Monde" in shown and "<b>Published:</b> 2024-02-03" in shown
    assert '<a href="https://example.org/a" target="_blank"' in shown
    evil = provenance_html({"title": "<script>alert(1)</script>", "url": "javascript:alert(1)"})
    assert "<script>" not in evil and "href" not in evil and "&lt;script&gt;" in evil
    assert provenance_html({"path": "a.txt"}) == "<b>File:</b> a.txt"


def test_task_hash_changes_only_when_what_the_task_holds_changes():
    article = "One. The rate rose 5% in 2023. Two."
    a = build_task(_claim(article, "The rate rose 5% in 2023."), article)
    b = build_task(_claim(article, "The rate rose 5% in 2023."), article)
    c = build_task(_claim(article, "The rate rose 5% in 2023.", checkworthy=0.9), article)
    assert a["meta"]["hash"] == b["meta"]["hash"] != c["meta"]["hash"]


def test_a_fact_task_lists_every_outlet_wording_representative_first():
    article = "A. Russia and Ukraine swapped 314 prisoners. B."
    first = _claim(article, "Russia and Ukraine swapped 314 prisoners.")
    other = {**first, "claim_id": "c2", "text": "They swapped 300 prisoners.", "source": {"title": "Wire"}}
    cluster = {"cluster_id": "f1", "representative_claim_id": "c1", "claim_ids": ["c1", "c2"]}
    task = build_cluster_task(cluster, [other, first], {"a1": article}, {"c2": "• Le Monde: 314; Wire: 300"})
    assert task["data"]["members"] == (
        "1. Le Monde: Russia and Ukraine swapped 314 prisoners.\n2. Wire: They swapped 300 prisoners."
    )
    assert task["meta"]["claim_ids"] == ["c1", "c2"] and task["meta"]["key"] == "cluster:f1"
    assert task["data"]["conflicts"] == "• Le Monde: 314; Wire: 300"


def test_pseudonyms_are_stable_salted_and_reveal_nothing():
    one = pseudonym("Ann.One@Example.org", b"salt-1")
    assert one == pseudonym("ann.one@example.org", b"salt-1")
    assert one != pseudonym("ann.one@example.org", b"salt-2")
    assert one.startswith("annotator-") and "ann" not in one.removeprefix("annotator-")
