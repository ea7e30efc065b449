"""The labeling interface and the tasks built from claims (no server needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from builder.records import VERDICT_LABELS
from builder.studio.config import DATA_FIELDS, label_config
from builder.studio.pull import pseudonym
from builder.studio.tasks import build_task


def test_interface_offers_exactly_the_verdict_labels_and_renders_text_never_html():
    root = ET.fromstring(label_config())
    choices = root.find(".//Choices[@name='verdict']")
    assert [c.get("value") for c in choices] == list(VERDICT_LABELS)
    assert choices.get("choice") == "single-radio" and choices.get("required") == "true"
    assert root.find(".//HyperText") is None and root.find(".//HTML") is None
    names = {e.get("name") for e in root.iter() if e.get("name")}
    assert {"article", "spans", "evidence_urls", "rationale", "confidence"} <= names
    used = {e.get("value")[1:] for e in root.iter() if (e.get("value") or "").startswith("$")}
    assert used <= set(DATA_FIELDS)


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


def test_task_highlights_the_claim_in_utf16_units_as_a_prediction_not_an_annotation():
    article = "Intro 😀🎉 text. Le café a vendu 3 000 tasses en 2023. Fin."
    task = build_task(_claim(article, "Le café a vendu 3 000 tasses en 2023."), article)
    assert "annotations" not in task
    (prediction,) = task["predictions"]
    assert prediction["score"] == 0.8
    value = prediction["result"][0]["value"]
    as_js = article.encode("utf-16-le")[2 * value["start"] : 2 * value["end"]].decode("utf-16-le")
    assert as_js == "Le café a vendu 3 000 tasses en 2023."
    assert task["meta"]["claim_id"] == "c1"
    assert task["data"]["article"] == article
    assert "Le Monde" in task["data"]["provenance"] and "https://example.org/a" in task["data"]["provenance"]


def test_task_hash_changes_only_when_what_annotators_see_changes():
    article = "One. The rate rose 5% in 2023. Two."
    a = build_task(_claim(article, "The rate rose 5% in 2023."), article)
    b = build_task(_claim(article, "The rate rose 5% in 2023."), article)
    c = build_task(_claim(article, "The rate rose 5% in 2023.", checkworthy=0.9), article)
    assert a["meta"]["hash"] == b["meta"]["hash"] != c["meta"]["hash"]


def test_pseudonyms_are_stable_salted_and_reveal_nothing():
    one = pseudonym("Ann.One@Example.org", b"salt-1")
    assert one == pseudonym("ann.one@example.org", b"salt-1")
    assert one != pseudonym("ann.one@example.org", b"salt-2")
    assert one.startswith("annotator-") and "ann" not in one.removeprefix("annotator-")
