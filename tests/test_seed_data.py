"""The demo directory data: its shape, its coverage of the taxonomy and the two-school rule."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from broker import taxonomy
from providers_seed import reader
from providers_seed.build_directory import build

REFERENCE_DATE = date(2026, 11, 22)
PROVIDER_KEYS = {"name", "kind", "website", "email", "phone", "la_code", "school_urn"}
LISTING_KEYS = {
    "title",
    "summary",
    "description",
    "categories",
    "ecm_outcomes",
    "phases",
    "sen_specialisms",
    "pupil_groups",
    "delivery",
    "cost",
    "price_note",
    "areas_served",
}
RECOMMENDATION_KEYS = {
    "school_urn",
    "school_name",
    "recommender_name",
    "service_title",
    "impact",
    "date",
}
LIST_FACETS = {
    "categories": taxonomy.CATEGORIES,
    "ecm_outcomes": taxonomy.ECM_OUTCOMES,
    "phases": taxonomy.PHASES,
    "sen_specialisms": taxonomy.SEN_SPECIALISMS,
    "pupil_groups": taxonomy.PUPIL_GROUPS,
    "delivery": taxonomy.DELIVERY,
}


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return [record for _, record in reader.iter_directory()]


@pytest.fixture(scope="module")
def schools() -> dict[str, dict[str, Any]]:
    return {s["urn"]: s for s in reader.load_schools()}


@pytest.fixture(scope="module")
def la_codes() -> set[str]:
    return {la["code"] for la in reader.load_local_authorities()}


def listings(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [listing for record in records for listing in record["listings"]]


def test_local_authorities_are_real_codes_across_at_least_six_regions() -> None:
    las = reader.load_local_authorities()
    assert 12 <= len(las) <= 16
    assert all(set(la) == {"code", "name", "region"} for la in las)
    assert all(la["code"].isdigit() and len(la["code"]) == 3 for la in las)
    assert len({la["code"] for la in las}) == len(las)
    assert all(la["region"] in taxonomy.REGIONS.slugs for la in las)
    assert len({la["region"] for la in las}) >= 6
    assert {"886": "Kent", "330": "Birmingham"}.items() <= {
        la["code"]: la["name"] for la in las
    }.items()


def test_schools_cover_every_phase_with_special_schools_and_prus(
    schools: dict[str, dict[str, Any]], la_codes: set[str]
) -> None:
    assert len(schools) >= 70
    for school in schools.values():
        assert len(school["urn"]) == 6 and school["urn"].isdigit()
        assert school["phase"] in taxonomy.PHASES.slugs
        assert school["type"] in taxonomy.SCHOOL_TYPES.slugs
        assert school["la_code"] in la_codes
        assert school["support_category"] in taxonomy.SUPPORT_CATEGORIES.slugs
        assert all(s in taxonomy.SEN_SPECIALISMS.slugs for s in school["sen_specialisms"])
    phases = Counter(s["phase"] for s in schools.values())
    assert set(phases) == set(taxonomy.PHASES.slugs)
    special = [s for s in schools.values() if s["phase"] == "special"]
    assert len(special) >= 8 and all(s["sen_specialisms"] for s in special)
    assert phases["pru"] >= 3
    assert len({s["name"] for s in schools.values()}) == len(schools)


def test_every_record_has_exactly_the_interchange_shape(records: list[dict[str, Any]]) -> None:
    for record in records:
        assert set(record) == {"provider", "listings", "recommendations", "status"}
        assert set(record["provider"]) == PROVIDER_KEYS
        assert record["status"] in {"submitted", "assured", "suspended", "lapsed"}
        for listing in record["listings"]:
            assert set(listing) == LISTING_KEYS
            assert set(listing["areas_served"]) == {"national", "regions", "local_authorities"}
        for rec in record["recommendations"]:
            assert set(rec) == RECOMMENDATION_KEYS


def test_directory_is_big_enough_and_names_are_unique(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 160
    assert len(listings(records)) >= 320
    names = [r["provider"]["name"] for r in records]
    assert len(set(names)) == len(names)


def test_every_taxonomy_value_appears_several_times(records: list[dict[str, Any]]) -> None:
    all_listings = listings(records)
    for field, vocab in LIST_FACETS.items():
        counts = Counter()
        for listing in all_listings:
            for value in listing[field]:
                term = vocab.get(value)
                assert term is not None, f"{field}: unknown value {value!r}"
                assert value == term.label, f"{field}: {value!r} is not the label"
                counts[term.slug] += 1
        assert {slug: counts[slug] for slug in vocab.slugs if counts[slug] < 3} == {}, field
    costs = Counter(taxonomy.COSTS[listing["cost"]].slug for listing in all_listings)
    assert min(costs[slug] for slug in taxonomy.COSTS.slugs) >= 3
    kinds = Counter(taxonomy.PROVIDER_KINDS[r["provider"]["kind"]].slug for r in records)
    assert min(kinds[slug] for slug in taxonomy.PROVIDER_KINDS.slugs) >= 3


def test_paid_and_traded_listings_state_a_price(records: list[dict[str, Any]]) -> None:
    for listing in listings(records):
        if listing["cost"] in ("Paid", "Traded/buy-back"):
            assert "£" in (listing["price_note"] or ""), listing["title"]


def test_providers_serve_several_las_regions_nationally_and_online(
    records: list[dict[str, Any]], la_codes: set[str]
) -> None:
    served_las: set[str] = set()
    regions: set[str] = set()
    national = online = 0
    for listing in listings(records):
        areas = listing["areas_served"]
        assert set(areas["local_authorities"]) <= la_codes
        assert all(taxonomy.REGIONS.get(r) for r in areas["regions"])
        served_las |= set(areas["local_authorities"])
        regions |= {taxonomy.REGIONS[r].slug for r in areas["regions"]}
        national += areas["national"]
        online += "Online/remote" in listing["delivery"]
        assert areas["national"] or areas["local_authorities"] or areas["regions"]
    assert served_las == la_codes
    assert len(regions) >= 6
    assert national >= 10 and online >= 10
    assert all(r["provider"]["la_code"] in la_codes for r in records)


def test_school_providers_name_their_own_school_and_never_recommend_themselves(
    records: list[dict[str, Any]], schools: dict[str, dict[str, Any]]
) -> None:
    school_providers = [r for r in records if r["provider"]["kind"] == "School-to-school"]
    assert school_providers
    for record in school_providers:
        own = record["provider"]["school_urn"]
        assert own in schools
        assert own not in {rec["school_urn"] for rec in record["recommendations"]}
    others = [r for r in records if r["provider"]["kind"] != "School-to-school"]
    assert all(r["provider"]["school_urn"] is None for r in others)


def test_assured_providers_have_two_recent_recommendations_from_different_real_schools(
    records: list[dict[str, Any]], schools: dict[str, dict[str, Any]]
) -> None:
    earliest = date(REFERENCE_DATE.year - taxonomy.RECOMMENDATION_VALID_YEARS, 11, 22)
    for record in records:
        recs = record["recommendations"]
        titles = {listing["title"] for listing in record["listings"]}
        urns = [rec["school_urn"] for rec in recs]
        assert len(set(urns)) == len(urns), record["provider"]["name"]
        for rec in recs:
            assert rec["school_urn"] in schools
            assert rec["school_name"] == schools[rec["school_urn"]]["name"]
            assert rec["service_title"] in titles
            assert earliest < date.fromisoformat(rec["date"]) <= REFERENCE_DATE
            assert len(rec["impact"]) > 60
        if record["status"] == "assured":
            assert len(set(urns)) >= taxonomy.SCHOOLS_NEEDED, record["provider"]["name"]
        if record["status"] == "submitted":
            assert len(recs) <= 1


def test_statuses_are_mostly_assured_with_every_other_state_visible(
    records: list[dict[str, Any]],
) -> None:
    statuses = Counter(r["status"] for r in records)
    assert 0.8 <= statuses["assured"] / len(records) <= 0.9
    assert statuses["submitted"] and statuses["suspended"] and statuses["lapsed"]


def test_no_two_impact_statements_are_identical(records: list[dict[str, Any]]) -> None:
    impacts = [rec["impact"] for r in records for rec in r["recommendations"]]
    assert len(set(impacts)) == len(impacts)


def test_one_school_has_one_headteacher_in_every_recommendation(
    records: list[dict[str, Any]],
) -> None:
    heads: dict[str, set[str]] = {}
    for record in records:
        for rec in record["recommendations"]:
            heads.setdefault(rec["school_urn"], set()).add(rec["recommender_name"])
    assert all(len(names) == 1 for names in heads.values())


def test_demo_users_cover_every_role_and_point_at_existing_things(
    records: list[dict[str, Any]], schools: dict[str, dict[str, Any]], la_codes: set[str]
) -> None:
    users = reader.load_users()
    roles = Counter(u["role"] for u in users)
    assert set(roles) == set(taxonomy.ROLES.slugs)
    assert 3 <= roles["headteacher"] <= 4
    assert len({u["email"] for u in users}) == len(users)
    assert all(u["password"] == reader.demo_password() for u in users)
    assured = {r["provider"]["name"] for r in records if r["status"] == "assured"}
    for user in users:
        assert user["email"].endswith((".example.org", "@example.org", ".example.sch.uk"))
        if user["role"] == "provider":
            assert user["provider_name"] in assured
        elif user["role"] == "headteacher":
            assert user["school_urn"] in schools
        elif user["role"] == "sip":
            assert user["school_urns"] and set(user["school_urns"]) <= set(schools)
        elif user["role"] == "qa_officer":
            assert user["la_code"] in la_codes


def test_reader_reports_line_numbers(records: list[dict[str, Any]]) -> None:
    numbers = [n for n, _ in reader.iter_directory()]
    assert numbers == list(range(1, len(records) + 1))


def test_reader_imports_neither_flask_nor_the_orm() -> None:
    code = (
        "import sys, providers_seed.reader as r; r.load_schools(); "
        "print(any(m in sys.modules for m in ('flask', 'sqlmodel', 'sqlalchemy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_building_again_gives_byte_identical_files(tmp_path: Path) -> None:
    build(tmp_path)
    for name in ("local_authorities.json", "schools.json", "users.json", "directory.jsonl"):
        assert (tmp_path / name).read_bytes() == (reader.DATA_DIR / name).read_bytes(), name
