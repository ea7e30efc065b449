"""Agreement figures against a case computed by hand, and how verdicts are settled."""

from __future__ import annotations

import pytest

from builder.records import Annotation
from builder.studio.agreement import agreement_report, cohen_kappa, format_table, settle


def vote(
    claim: str, who: str, verdict: str | None, status: str = "submitted", review: bool = False
) -> Annotation:
    return Annotation(claim, who, status, verdict, [], [], f"{who} thinks {verdict}", 3, review, "t", "t")


# Two annotators, four claims: they agree on three. Computed by hand (see the comments).
HAND_CASE = [
    vote("c1", "A", "supported"),
    vote("c1", "B", "supported"),
    vote("c2", "A", "refuted"),
    vote("c2", "B", "refuted"),
    vote("c3", "A", "supported"),
    vote("c3", "B", "refuted"),
    vote("c4", "A", "not_a_claim"),
    vote("c4", "B", "not_a_claim"),
]


def test_agreement_matches_the_hand_computed_figures():
    report = agreement_report(HAND_CASE)
    # Krippendorff: Do = 2/8, De = 42/56 -> alpha = 1 - 0.25/0.75
    assert report["overall"]["krippendorff_alpha"] == pytest.approx(2 / 3, abs=1e-4)
    # Fleiss: P = 0.75, Pe = (9 + 9 + 4)/64 -> (0.75 - 0.34375)/0.65625
    assert report["overall"]["fleiss_kappa"] == pytest.approx(0.619048, abs=1e-4)
    # Cohen: po = 0.75, pe = (2*1 + 1*2 + 1*1)/16 -> 0.4375/0.6875
    (pair,) = report["pairs"]
    assert pair["annotators"] == ["A", "B"]
    assert pair["cohen_kappa"] == pytest.approx(0.636364, abs=1e-4)
    assert pair["percent_agreement"] == 0.75
    assert report["per_label"]["not_a_claim"]["krippendorff_alpha"] == pytest.approx(1.0)
    assert report["per_label"]["not_enough_evidence"]["ratings"] == 0


def test_skips_and_reviews_do_not_count_towards_agreement():
    rows = [*HAND_CASE, vote("c5", "A", None, "skipped"), vote("c3", "R", "refuted", review=True)]
    assert agreement_report(rows)["overall"] == agreement_report(HAND_CASE)["overall"]


def test_cohen_kappa_is_one_for_identical_and_undefined_for_constant_labels():
    assert cohen_kappa(["a", "b", "a"], ["a", "b", "a"]) == 1.0
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None


def test_verdicts_record_how_they_were_reached():
    rows = [
        *HAND_CASE,
        vote("c5", "A", "refuted"),
        vote("c6", "A", "refuted"),
        vote("c6", "B", "supported"),
        vote("c6", "C", "refuted"),
    ]
    result = settle(rows, required=1)
    by_claim = {v.claim_id: v for v in result.verdicts}
    assert by_claim["c1"].method == "unanimous" and by_claim["c1"].n_annotators == 2
    assert by_claim["c5"].method == "single" and by_claim["c5"].agreement == 1.0
    assert by_claim["c6"].method == "majority" and by_claim["c6"].agreement == pytest.approx(0.6667)
    assert by_claim["c6"].rationales == ["A thinks refuted", "C thinks refuted"]
    assert "c3" not in by_claim
    assert result.disputed == {"c3": {"A": "supported", "B": "refuted"}}


def test_a_reviewer_settles_a_dispute_and_too_few_annotators_leave_a_claim_pending():
    rows = [*HAND_CASE, vote("c3", "R", "refuted", review=True), vote("c9", "A", "supported")]
    result = settle(rows, required=2)
    c3 = next(v for v in result.verdicts if v.claim_id == "c3")
    assert (c3.verdict, c3.method, c3.n_annotators, c3.agreement) == ("refuted", "adjudicated", 2, 0.5)
    assert result.disputed == {}
    assert result.pending == ["c9"]


def test_table_shows_overall_labels_and_pairs():
    table = format_table(agreement_report(HAND_CASE))
    assert "overall" in table and "0.667" in table and "0.619" in table
    assert "A / B" in table and "0.636" in table
