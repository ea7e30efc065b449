"""Grouping: normalisation, clusters across outlets, conflicts, stable ids, CLI."""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from datetime import date

import jsonschema
import pytest

from builder.group import group_claims
from builder.group.normalize import build_entity_index, parse_quantity, parse_when
from builder.run import run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

FACTS = read_jsonl(ROOT / "tests" / "data" / "group_example_facts.jsonl")


def test_spelling_variants_and_transliterations_resolve_to_one_name_with_variants_kept():
    names = ["Volodymyr Zelenskyy", "Zelenskiy", "Zelensky", "Steve Witkoff", "Wittkoff", "Donbas", "Donbass"]
    index = build_entity_index(Counter(names + ["U.S.", "the United States", "Kyiv", "Donetsk"]))
    assert len({index.canon(n) for n in names[:3]}) == 1
    assert index.canon("Wittkoff") == index.canon("Steve Witkoff")
    assert index.canon("Donbas") == index.canon("Donbass")
    assert index.canon("U.S.") == index.canon("the United States")
    assert index.canon("Donetsk") != index.canon("Donbas")
    assert "Zelenskiy" in index.variants[index.canon("Zelensky")]


@pytest.mark.parametrize(
    ("text", "after", "kind", "value", "qualifier", "each"),
    [
        ("157", " prisoners of war each.", "count", 157, "eq", True),
        ("more than 300", " prisoners", "count", 300, "gt", False),
        ("55,000", " soldiers", "count", 55000, "eq", False),
        ("a fifth", " of the Donetsk region", "fraction", 0.2, "eq", False),
        ("about 20%", " of Ukraine", "percent", 0.2, "approx", False),
        ("$1.13bn", "", "money", 1.13e9, "eq", False),
    ],
)
def test_numbers_are_parsed_with_their_qualifiers(text, after, kind, value, qualifier, each):
    q = parse_quantity(text, after)
    assert (q.kind, q.qualifier, q.each) == (kind, qualifier, each)
    assert q.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("last September", "2025-09", "month"),
        ("Thursday", "2026-02-05", "day"),
        ("February 4", "2026-02-04", "day"),
        ("February 2022", "2022-02", "month"),
        ("five months", "P5M", "M"),
        ("nearly four years", "P4Y", "Y"),
        ("23-month", "P23M", "M"),
    ],
)
def test_dates_and_durations_resolve_against_the_publication_date(text, value, precision):
    when = parse_when(text, date(2026, 2, 5))  # a Thursday
    assert (when.value, when.precision) == (value, precision)


@pytest.fixture(scope="module")
def grouped(example_run):
    return {
        "claims": read_jsonl(example_run / "claims.jsonl"),
        "clusters": read_jsonl(example_run / "clusters.jsonl"),
        "conflicts": read_jsonl(example_run / "conflicts.jsonl"),
        "groups": read_jsonl(example_run / "claim_groups.jsonl"),
    }


def test_outputs_match_their_schemas_and_every_claim_is_in_exactly_one_cluster(grouped, example_run):
    for name, rows in (("cluster", grouped["clusters"]), ("conflict", grouped["conflicts"])):
        schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
        for row in rows:
            jsonschema.validate(row, schema)
    members = Counter(i for c in grouped["clusters"] for i in c["claim_ids"])
    assert set(members) == {c["claim_id"] for c in grouped["claims"]}
    assert set(members.values()) == {1}
    run = json.loads((example_run / "run.json").read_text())
    assert {"clusters.jsonl", "conflicts.jsonl", "claim_groups.jsonl"} <= set(run["outputs"])


def test_the_prisoner_exchange_forms_one_cluster_with_every_outlet_reporting_it(grouped):
    cluster_of = {g["claim_id"]: g["cluster_id"] for g in grouped["groups"]}
    article_of = {c["claim_id"]: c["article_id"] for c in grouped["claims"]}
    exchange = [r["claim_id"] for r in FACTS if r["fact"] == "exchange" and not r["ambiguous"]]
    reporting = {article_of[i] for i in exchange}
    by_cluster = defaultdict(set)
    for i in exchange:
        by_cluster[cluster_of[i]].add(article_of[i])
    assert len(reporting) == 5
    assert max(by_cluster.values(), key=len) == reporting


def test_outlets_disagreeing_on_the_day_are_flagged_with_both_values(grouped):
    conflicts = [c for c in grouped["conflicts"] if c["attribute"] == "date"]
    values = {v["value"] for c in conflicts for v in c["values"]}
    assert {"2026-02-05", "2026-02-06"} <= values
    assert all(len({v["article_id"] for v in c["values"]}) >= 2 for c in conflicts)


def test_a_weekday_that_does_not_match_its_date_is_flagged(grouped):
    weekday = [c for c in grouped["conflicts"] if c["attribute"] == "weekday"]
    reasons = {c["reason"] for c in weekday}
    assert "2026-02-06 is a Friday, not a Thursday" in reasons
    assert "2026-02-05 is a Thursday, not a Wednesday" in reasons


def test_cluster_ids_are_stable_across_input_order_and_when_an_unrelated_article_is_added(tmp_path, grouped):
    claims = grouped["claims"]
    first = group_claims(claims)[0]
    again = group_claims(list(reversed(claims)))[0]
    assert first == again
    unrelated = tmp_path / "unrelated.txt"
    unrelated.write_text(
        "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn for the three months "
        "to December, from $639m a year earlier.\n\nTimeWarner said fourth quarter sales rose 2% "
        "to $11.1bn from $10.9bn.\n",
        encoding="utf-8",
    )
    folder = tmp_path / "articles"
    shutil.copytree(EXAMPLES, folder)
    shutil.copy(unrelated, folder / "zzz_unrelated.txt")
    out = tmp_path / "out"
    run_extract([folder], out)
    before = {tuple(c["claim_ids"]): c["cluster_id"] for c in first}
    after = {tuple(c["claim_ids"]): c["cluster_id"] for c in read_jsonl(out / "clusters.jsonl")}
    assert all(after.get(ids) == cid for ids, cid in before.items())
    assert len(after) > len(before)


def test_a_claim_and_its_negation_in_one_article_are_flagged():
    def claim(cid: str, text: str) -> dict:
        return {
            "claim_id": cid,
            "text": text,
            "article_id": "a" * 16,
            "char_start": 0,
            "entities": [{"text": "Acme", "label": "ORG", "char_start": 0, "char_end": 4}],
            "numbers": [],
            "dates": [],
            "source": {"published": "2026-01-01"},
        }

    claims = [
        claim("1" * 16, "Acme closed its Leeds factory after the strike."),
        claim("2" * 16, "Acme has not closed its Leeds factory after the strike."),
    ]
    conflicts = group_claims(claims)[1]
    assert [c["attribute"] for c in conflicts] == ["negation"]
    assert sorted(c["claim_ids"] for c in conflicts)[0] == ["1" * 16, "2" * 16]


def test_group_and_report_commands(tmp_path, example_run):
    out = tmp_path / "run"
    shutil.copytree(example_run, out)
    for name in ("clusters.jsonl", "conflicts.jsonl", "claim_groups.jsonl"):
        (out / name).unlink()
    done = run_cli("group", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "clusters.jsonl").read_bytes() == (example_run / "clusters.jsonl").read_bytes()
    report = run_cli("report", str(out))
    assert report.returncode == 0, report.stderr
    assert "CONFLICT (weekday): 2026-02-06 is a Friday, not a Thursday" in report.stdout
    assert "Reuters" in report.stdout


def test_group_on_a_folder_without_claims_fails_with_one_line(tmp_path):
    done = run_cli("group", str(tmp_path))
    assert done.returncode == 1
    assert "E501" in done.stderr and "claims.jsonl" in done.stderr
    (tmp_path / "claims.jsonl").write_text('{"claim_id": "x"}\n')
    done = run_cli("group", str(tmp_path))
    assert done.returncode == 1 and "claims.jsonl:1" in done.stderr and "E502" in done.stderr


def test_the_exchange_cluster_does_not_swallow_the_talks_that_preceded_it(grouped):
    """Claims about the venue of the talks share names with the exchange, not the fact."""
    cluster_of = {g["claim_id"]: g["cluster_id"] for g in grouped["groups"]}
    exchange = Counter(cluster_of[r["claim_id"]] for r in FACTS if r["fact"] == "exchange")
    main = exchange.most_common(1)[0][0]
    others = {
        r["fact"]
        for r in FACTS
        if cluster_of[r["claim_id"]] == main and r["fact"] != "exchange" and "exchange" not in r["also"]
    }
    assert others <= {None}


def test_previous_swap_scope_and_war_length_disagreements_are_flagged(grouped):
    def values(attribute: str) -> set:
        return {v["value"] for c in grouped["conflicts"] if c["attribute"] == attribute for v in c["values"]}

    assert {"2025-10", "2025-09"} <= values(
        "since"
    )  # "since October 2, 2025" / "five months", "last September"
    assert {1.0, 0.2} <= values("scope")  # "the entire Donbas" / "a fifth of the Donetsk region"
    assert {"P23M", "P4Y"} <= values("duration:war")  # "23-month conflict" / "nearly four-year"


def _claim(cid: str, article: str, text: str, places: list[str]) -> dict:
    entities = [
        {"text": p, "label": "GPE", "char_start": text.index(p), "char_end": text.index(p) + len(p)}
        for p in places
    ]
    return {
        "claim_id": cid,
        "text": text,
        "article_id": article,
        "char_start": 0,
        "entities": entities,
        "numbers": [],
        "dates": [],
        "source": {"published": "2026-02-05"},
    }


def test_reports_placing_one_event_in_different_cities_conflict_but_a_city_and_its_country_agree():
    claims = [
        _claim(
            "1" * 16, "a" * 16, "Ukraine and Russia held trilateral peace talks in Abu Dhabi.", ["Abu Dhabi"]
        ),
        _claim(
            "2" * 16, "b" * 16, "Ukraine and Russia held trilateral peace talks in Istanbul.", ["Istanbul"]
        ),
        _claim(
            "3" * 16,
            "c" * 16,
            "Ukraine and Russia held trilateral peace talks in the United Arab Emirates.",
            ["United Arab Emirates"],
        ),
    ]
    clusters, conflicts, _ = group_claims(claims)
    assert len(clusters) == 1
    place = [c for c in conflicts if c["attribute"] == "place"]
    assert len(place) == 1
    said = {v["claim_id"]: v["text"] for v in place[0]["values"]}
    assert said["2" * 16] == "Istanbul" and said["1" * 16] == "Abu Dhabi"
    # the United Arab Emirates contains Abu Dhabi: those two reports agree
    assert not [c for c in group_claims([claims[0], claims[2]])[1] if c["attribute"] == "place"]
