"""The synthetic directory: deterministic, exact in size, realistic in shape, varied in text."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from types import GeneratorType

from broker import taxonomy
from providers_seed import reader
from providers_seed.synthetic import (
    generate,
    school_pool_size,
    synthetic_local_authorities,
    synthetic_school,
    synthetic_schools,
)


def test_same_seed_gives_the_same_records_and_another_seed_does_not() -> None:
    first = [json.dumps(r) for r in generate(500, seed=7)]
    again = [json.dumps(r) for r in generate(500, seed=7)]
    other = [json.dumps(r) for r in generate(500, seed=8)]
    assert first == again
    assert first != other


def test_generates_exactly_the_number_of_listings_asked_for() -> None:
    for n in (1, 7, 250, 1001):
        assert sum(len(r["listings"]) for r in generate(n)) == n
    assert list(generate(0)) == []


def test_records_stream_one_at_a_time() -> None:
    records = generate(1_000_000)
    assert isinstance(records, GeneratorType)
    first = list(itertools.islice(records, 3))
    assert len(first) == 3


def test_local_authorities_span_england_and_include_the_seed_ones() -> None:
    las = synthetic_local_authorities()
    assert 140 <= len(las) <= 160
    assert len({la["code"] for la in las}) == len(las)
    assert {la["region"] for la in las} == set(taxonomy.REGIONS.slugs)
    seed = {(la["code"], la["name"], la["region"]) for la in reader.load_local_authorities()}
    assert seed <= {(la["code"], la["name"], la["region"]) for la in las}


def test_synthetic_schools_are_stable_unique_and_clear_of_the_demo_schools() -> None:
    schools = synthetic_schools(3000)
    assert schools[:10] == synthetic_schools(10)
    assert synthetic_school(2999) == schools[2999]
    assert len({s["urn"] for s in schools}) == 3000
    assert len({s["name"] for s in schools}) == 3000
    assert not {s["urn"] for s in schools} & {s["urn"] for s in reader.load_schools()}
    codes = {la["code"] for la in synthetic_local_authorities()}
    assert all(s["la_code"] in codes for s in schools)
    assert {s["phase"] for s in schools} == set(taxonomy.PHASES.slugs)


def test_records_use_taxonomy_values_and_the_two_school_rule() -> None:
    n = 2000
    pool = {s["urn"]: s for s in synthetic_schools(school_pool_size(n))}
    codes = {la["code"] for la in synthetic_local_authorities()}
    statuses: Counter[str] = Counter()
    names = set()
    for record in generate(n, seed=3):
        provider = record["provider"]
        assert taxonomy.PROVIDER_KINDS.get(provider["kind"])
        assert provider["la_code"] in codes
        assert provider["name"] not in names
        names.add(provider["name"])
        statuses[record["status"]] += 1
        for listing in record["listings"]:
            for field, vocab in (
                ("categories", taxonomy.CATEGORIES),
                ("ecm_outcomes", taxonomy.ECM_OUTCOMES),
                ("phases", taxonomy.PHASES),
                ("sen_specialisms", taxonomy.SEN_SPECIALISMS),
                ("pupil_groups", taxonomy.PUPIL_GROUPS),
                ("delivery", taxonomy.DELIVERY),
            ):
                assert all(vocab.get(v) for v in listing[field]), field
            assert taxonomy.COSTS.get(listing["cost"])
            assert set(listing["areas_served"]["local_authorities"]) <= codes
        urns = [rec["school_urn"] for rec in record["recommendations"]]
        assert len(set(urns)) == len(urns)
        assert provider["school_urn"] not in urns
        for rec in record["recommendations"]:
            assert pool[rec["school_urn"]]["name"] == rec["school_name"]
            assert "2024-01-01" <= rec["date"] <= "2026-11-22"
        if record["status"] == "assured":
            assert len(urns) >= taxonomy.SCHOOLS_NEEDED
    assert statuses.most_common(1)[0][0] == "assured"
    assert set(statuses) == {"assured", "submitted", "suspended", "lapsed"}


def test_texts_are_varied_not_a_few_repeated() -> None:
    titles: Counter[str] = Counter()
    descriptions: Counter[str] = Counter()
    for record in generate(3000, seed=1):
        for listing in record["listings"]:
            titles[listing["title"]] += 1
            descriptions[listing["description"]] += 1
    assert len(titles) > 600
    assert len(descriptions) > 2400
