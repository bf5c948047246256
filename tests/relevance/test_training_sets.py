"""The training sets (training_queries.json, training_needs.json) are consistent with the seed.

No engine and no database: every check is computed from the two files, the seed directory
(providers_seed/data/directory.jsonl), its LAs and the taxonomy. The rules are DOMAIN.md's: a
listing is public when it is assured and its provider has valid recommendations from two
different schools (confirmed, not withdrawn, within three years, not the provider's own school);
a listing serves the LAs it names, every LA of the regions it names, or every LA when national
(online delivery does not widen that).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from broker import taxonomy
from index import schema

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SEED = ROOT / "providers_seed" / "data"
#: The day the sets were judged: recommendations are counted as valid on this day.
JUDGED_ON = date(2026, 12, 2)
GRADES = {0, 1, 2, 3}
#: Filter facets whose values are taxonomy slugs (the LA facet takes LA codes instead).
VOCABULARIES: dict[str, taxonomy.Vocabulary | None] = {**taxonomy.LISTING_FACETS, "la": None}
#: School types that match as a phase of their own, whatever phase the school gives.
TYPE_PHASE = {
    "community-special-school": "special",
    "foundation-special-school": "special",
    "pru": "pru",
    "nursery-school": "early-years",
}
#: Why a listing must never be shown: the reason's first words.
REASONS = ("not public", "wrong phase", "out of area")

Key = tuple[str, str]


@dataclass(frozen=True)
class Listing:
    title: str
    provider: str
    status: str  # assured, submitted, suspended, lapsed, or "one-school" (below the rule)
    facets: dict[str, frozenset[str]]
    national: bool
    regions: frozenset[str]
    local_authorities: frozenset[str]

    @property
    def public(self) -> bool:
        return self.status == "assured"

    def serves_la(self, code: str) -> bool:
        return self.national or code in self.local_authorities or la_regions()[code] in self.regions

    def serves_region(self, region: str) -> bool:
        return self.national or region in self.regions

    def touches_region(self, region: str) -> bool:
        """Serves the region, or at least one of its LAs."""
        return self.serves_region(region) or any(
            la_regions()[code] == region for code in self.local_authorities
        )


@cache
def la_regions() -> dict[str, str]:
    las = json.loads((SEED / "local_authorities.json").read_text(encoding="utf-8"))
    return {la["code"]: la["region"] for la in las}


@cache
def records() -> tuple[dict[str, Any], ...]:
    lines = (SEED / "directory.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def _slugs(vocabulary: taxonomy.Vocabulary, values: list[str]) -> frozenset[str]:
    return frozenset(vocabulary[value].slug for value in values)


def _valid_schools(record: dict[str, Any]) -> set[str]:
    own = record["provider"].get("school_urn")
    valid = set()
    for rec in record["recommendations"]:
        made_on = date.fromisoformat(rec["date"])
        if rec.get("status", "confirmed") != "confirmed" or rec.get("withdrawn_at"):
            continue
        if made_on > JUDGED_ON or (JUDGED_ON - made_on).days > 365 * 3:
            continue
        if rec["school_urn"] != own:
            valid.add(rec["school_urn"])
    return valid


def _listings_of(record: dict[str, Any]) -> Iterator[Listing]:
    provider = record["provider"]
    enough = len(_valid_schools(record)) >= taxonomy.SCHOOLS_NEEDED
    for item in record["listings"]:
        status = taxonomy.LISTING_STATUSES[item.get("status") or record["status"]].slug
        if status == "assured" and not enough:
            status = "one-school"
        areas = item["areas_served"]
        yield Listing(
            title=item["title"],
            provider=provider["name"],
            status=status,
            facets={
                "category": _slugs(taxonomy.CATEGORIES, item["categories"]),
                "ecm": _slugs(taxonomy.ECM_OUTCOMES, item["ecm_outcomes"]),
                "phase": _slugs(taxonomy.PHASES, item["phases"]),
                "sen": _slugs(taxonomy.SEN_SPECIALISMS, item["sen_specialisms"]),
                "pupil_group": _slugs(taxonomy.PUPIL_GROUPS, item["pupil_groups"]),
                "kind": _slugs(taxonomy.PROVIDER_KINDS, [provider["kind"]]),
                "delivery": _slugs(taxonomy.DELIVERY, item["delivery"]),
                "cost": _slugs(taxonomy.COSTS, [item["cost"]]),
            },
            national=areas["national"],
            regions=_slugs(taxonomy.REGIONS, areas["regions"]),
            local_authorities=frozenset(areas["local_authorities"]),
        )


@cache
def directory() -> dict[Key, Listing]:
    out: dict[Key, Listing] = {}
    for record in records():
        for listing in _listings_of(record):
            out[(listing.title, listing.provider)] = listing
    return out


@cache
def queries() -> tuple[dict[str, Any], ...]:
    data = json.loads((HERE / "training_queries.json").read_text(encoding="utf-8"))
    assert data["about"].strip()
    return tuple(data["queries"])


@cache
def needs() -> tuple[dict[str, Any], ...]:
    data = json.loads((HERE / "training_needs.json").read_text(encoding="utf-8"))
    assert data["about"].strip()
    return tuple(data["needs"])


def _key(entry: dict[str, Any]) -> Key:
    return (entry["title"], entry["provider"])


def _passes(listing: Listing, filters: dict[str, list[str]]) -> bool:
    for facet, values in filters.items():
        if facet == "la":
            ok = any(listing.serves_la(code) for code in values)
        elif facet == "region":
            ok = any(listing.serves_region(region) for region in values)
        else:
            ok = bool(listing.facets[facet] & set(values))
        if not ok:
            return False
    return True


def _query_exclusion(listing: Listing, filters: dict[str, list[str]]) -> str | None:
    """Why `listing` must not be shown for a search with `filters`, or None if it may be."""
    if not listing.public:
        return "not public"
    if "phase" in filters and not listing.facets["phase"] & set(filters["phase"]):
        return "wrong phase"
    if "la" in filters and not any(listing.serves_la(code) for code in filters["la"]):
        return "out of area"
    if "region" in filters and not any(listing.touches_region(r) for r in filters["region"]):
        return "out of area"
    return None


def _school_phases(school: dict[str, Any]) -> set[str]:
    phase = TYPE_PHASE.get(school["type"]) or school["phase"]
    return {"all-through", "primary", "secondary"} if phase == "all-through" else {phase}


def _need_exclusion(listing: Listing, school: dict[str, Any]) -> str | None:
    """Why `listing` can never be offered to `school`, or None if it can."""
    if not listing.public:
        return "not public"
    if not listing.facets["phase"] & _school_phases(school):
        return "wrong phase"
    if not listing.serves_la(school["la_code"]):
        return "out of area"
    return None


# --- the files -------------------------------------------------------------------------------


def test_both_files_load_with_enough_queries_and_needs() -> None:
    assert len(queries()) >= 100
    assert len(needs()) >= 40
    assert len(directory()) == sum(len(record["listings"]) for record in records())


def test_query_and_need_ids_are_unique_and_no_search_is_repeated() -> None:
    for entries in (queries(), needs()):
        ids = [entry["id"] for entry in entries]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    searches = [
        (query["query"].lower(), json.dumps(query["filters"], sort_keys=True))
        for query in queries()
    ]
    assert len(searches) == len(set(searches))


def test_queries_are_written_in_the_ways_sips_and_heads_type_them() -> None:
    texts = [query["query"] for query in queries()]
    filtered = [query["filters"] for query in queries() if query["filters"]]
    assert sum(1 for text in texts if text.startswith('"')) >= 3, "quoted phrases"
    assert sum(1 for text in texts if len(text.split()) >= 6) >= 8, "whole sentences"
    assert sum(1 for text in texts if re.fullmatch(r"[A-Z&]{2,5}s?", text)) >= 5, "abbreviations"
    assert sum(1 for f in filtered if "la" in f) >= 20
    assert sum(1 for f in filtered if "phase" in f) >= 4
    assert {facet for f in filtered for facet in f} >= {"la", "phase", "region", "cost"}


# --- the queries -----------------------------------------------------------------------------


def test_every_query_has_an_intent_and_at_least_one_listing_that_is_exactly_the_need() -> None:
    for query in queries():
        assert query["query"].strip() and query["intent"].strip(), query["id"]
        grades = [item["grade"] for item in query["judgements"]]
        assert set(grades) <= GRADES, query["id"]
        assert 3 in grades, f"{query['id']} has no grade-3 listing"


def test_query_filters_name_real_facets_and_values() -> None:
    for query in queries():
        for facet, values in query["filters"].items():
            assert facet in schema.FACETS and facet in VOCABULARIES, (query["id"], facet)
            assert values and isinstance(values, list), query["id"]
            vocabulary = VOCABULARIES[facet]
            for value in values:
                if vocabulary is None:
                    assert value in la_regions(), (query["id"], value)
                else:
                    assert value in vocabulary.slugs, (query["id"], facet, value)


def test_every_judged_or_forbidden_query_listing_exists_in_the_seed_directory() -> None:
    for query in queries():
        named = [_key(item) for item in query["judgements"] + query["must_not"]]
        missing = [key for key in named if key not in directory()]
        assert not missing, (query["id"], missing)
        assert len(named) == len(set(named)), f"{query['id']} names a listing twice"


def test_listings_graded_for_a_query_are_public_and_those_graded_relevant_pass_its_filters() -> (
    None
):
    for query in queries():
        for item in query["judgements"]:
            listing = directory()[_key(item)]
            assert listing.public, (query["id"], item["title"], listing.provider)
            if item["grade"] > 0:
                assert _passes(listing, query["filters"]), (query["id"], item["title"])


def test_query_must_nots_are_hidden_wrong_phase_or_out_of_area_for_the_reason_given() -> None:
    for query in queries():
        for item in query["must_not"]:
            reason = _query_exclusion(directory()[_key(item)], query["filters"])
            assert reason is not None, (query["id"], item["title"], item["provider"])
            assert item["why"].startswith(reason), (query["id"], item["title"], reason)


# --- the needs -------------------------------------------------------------------------------


def test_needs_describe_a_real_school_and_use_taxonomy_slugs() -> None:
    for need in needs():
        school, words = need["school"], need["need"]
        assert school["phase"] in taxonomy.PHASES.slugs, need["id"]
        assert school["type"] in taxonomy.SCHOOL_TYPES.slugs, need["id"]
        assert school["la_code"] in la_regions(), need["id"]
        assert set(school["sen_specialisms"]) <= set(taxonomy.SEN_SPECIALISMS.slugs), need["id"]
        assert words["category"] in taxonomy.CATEGORIES.slugs, need["id"]
        assert set(words["ecm_outcomes"]) <= set(taxonomy.ECM_OUTCOMES.slugs), need["id"]
        assert set(words["pupil_groups"]) <= set(taxonomy.PUPIL_GROUPS.slugs), need["id"]


def test_needs_are_written_as_a_sip_writes_a_priority_in_full_sentences() -> None:
    for need in needs():
        text = need["need"]["text"]
        assert len(text.split()) >= 12 and text.rstrip().endswith("."), need["id"]
    types = {TYPE_PHASE.get(need["school"]["type"]) for need in needs()}
    assert {"special", "pru", "early-years"} <= types
    assert any(need["school"]["phase"] == "all-through" for need in needs())


def test_every_need_has_a_listing_that_is_what_the_school_needs() -> None:
    for need in needs():
        grades = [item["grade"] for item in need["judgements"]]
        assert set(grades) <= GRADES - {0}, need["id"]
        assert 3 in grades, f"{need['id']} has no grade-3 listing"


def test_every_judged_or_forbidden_need_listing_exists_in_the_seed_directory() -> None:
    for need in needs():
        named = [_key(item) for item in need["judgements"] + need["must_not"]]
        missing = [key for key in named if key not in directory()]
        assert not missing, (need["id"], missing)
        assert len(named) == len(set(named)), f"{need['id']} names a listing twice"


def test_needs_judge_only_listings_that_can_serve_the_school() -> None:
    for need in needs():
        for item in need["judgements"]:
            reason = _need_exclusion(directory()[_key(item)], need["school"])
            assert reason is None, (need["id"], item["title"], item["provider"], reason)


def test_need_must_nots_are_hidden_wrong_phase_or_out_of_area_for_the_reason_given() -> None:
    for need in needs():
        for item in need["must_not"]:
            reason = _need_exclusion(directory()[_key(item)], need["school"])
            assert reason is not None, (need["id"], item["title"], item["provider"])
            assert item["why"].startswith(reason), (need["id"], item["title"], reason)


# --- the rules the checks rely on ------------------------------------------------------------


def test_the_seed_holds_listings_of_every_hidden_status_that_the_sets_forbid() -> None:
    statuses = {listing.status for listing in directory().values()}
    assert {"assured", "submitted", "suspended", "lapsed"} <= statuses
    forbidden = {
        directory()[_key(item)].status
        for entry in queries() + needs()
        for item in entry["must_not"]
    }
    assert {"assured", "submitted", "suspended", "lapsed"} <= forbidden


def test_reasons_are_one_of_the_three_that_hide_a_listing() -> None:
    for entry in queries() + needs():
        for item in entry["must_not"]:
            assert item["why"].startswith(REASONS), (entry["id"], item["why"])


@pytest.mark.parametrize(
    ("areas", "code", "serves"),
    [
        ({"national": True, "regions": [], "local_authorities": []}, "878", True),
        ({"national": False, "regions": ["north-west"], "local_authorities": []}, "888", True),
        ({"national": False, "regions": ["north-west"], "local_authorities": []}, "886", False),
        ({"national": False, "regions": [], "local_authorities": ["383"]}, "373", False),
    ],
)
def test_a_listing_serves_exactly_the_area_it_names_even_when_delivered_online(
    areas: dict[str, Any], code: str, serves: bool
) -> None:
    listing = Listing(
        title="t",
        provider="p",
        status="assured",
        facets={"delivery": frozenset({"online-remote"})},
        national=areas["national"],
        regions=frozenset(areas["regions"]),
        local_authorities=frozenset(areas["local_authorities"]),
    )
    assert listing.serves_la(code) is serves


@pytest.mark.parametrize(
    ("school", "phases"),
    [
        ({"phase": "primary", "type": "community-school"}, {"primary"}),
        ({"phase": "secondary", "type": "community-special-school"}, {"special"}),
        ({"phase": "secondary", "type": "pru"}, {"pru"}),
        ({"phase": "early-years", "type": "nursery-school"}, {"early-years"}),
        ({"phase": "all-through", "type": "academy"}, {"all-through", "primary", "secondary"}),
    ],
)
def test_special_schools_prus_and_nurseries_match_by_type_and_all_through_takes_both(
    school: dict[str, Any], phases: set[str]
) -> None:
    assert _school_phases(school) == phases
