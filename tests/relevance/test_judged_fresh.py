"""Each judged set over a directory of its own (benchmarks/judged/, exam/, holdout/, blind/,
unseen/, final/) is consistent with its directory file.

No engine and no database: every check is computed from the three files, the taxonomy, England's
LAs (broker/reference/, as `broker init-db` loads them) and the seed's schools. The rules are
DOMAIN.md's: a listing is public when it is assured and its provider has valid recommendations
from two different schools (confirmed, not withdrawn, within three years, not the provider's own
school); a listing serves the LAs it names, every LA of the regions it names, or every LA when
national (online delivery does not widen that).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from benchmarks import relevance
from broker import taxonomy
from index import schema

ROOT = Path(__file__).resolve().parents[2]
#: The judged sets over directories of their own, as benchmarks.relevance registers them (its
#: docstring says when each was written and what it is used for): a set added there is checked
#: here too.
SETS = tuple(
    judged.directory.parent for judged in relevance.SETS.values() if judged.directory is not None
)
SEED = ROOT / "providers_seed" / "data"
LOCAL_AUTHORITIES = ROOT / "broker" / "reference" / "local_authorities.json"
#: The day the set was judged: recommendations are counted as valid on this day.
JUDGED_ON = date(2026, 12, 2)
GRADES = {0, 1, 2, 3}
#: Filter facets whose values are taxonomy slugs (the LA facet takes LA codes instead).
VOCABULARIES = {**taxonomy.LISTING_FACETS, "la": None}
#: School types that match as a phase of their own, whatever phase the school gives.
TYPE_PHASE = {
    "community-special-school": "special",
    "foundation-special-school": "special",
    "pru": "pru",
    "nursery-school": "early-years",
}

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


def _read_json(judged: Path, name: str) -> Any:
    return json.loads((judged / name).read_text(encoding="utf-8"))


@cache
def la_regions() -> dict[str, str]:
    las = json.loads(LOCAL_AUTHORITIES.read_text(encoding="utf-8"))["local_authorities"]
    return {la["code"]: la["region"] for la in las}


@cache
def school_urns() -> frozenset[str]:
    schools = json.loads((SEED / "schools.json").read_text(encoding="utf-8"))
    return frozenset(school["urn"] for school in schools)


@cache
def records(judged: Path) -> tuple[dict[str, Any], ...]:
    lines = (judged / "directory.jsonl").read_text(encoding="utf-8").splitlines()
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
def directory(judged: Path) -> dict[Key, Listing]:
    out: dict[Key, Listing] = {}
    for record in records(judged):
        for listing in _listings_of(record):
            out[(listing.title, listing.provider)] = listing
    return out


@cache
def queries(judged: Path) -> tuple[dict[str, Any], ...]:
    return tuple(_read_json(judged, "queries.json")["queries"])


@cache
def needs(judged: Path) -> tuple[dict[str, Any], ...]:
    return tuple(_read_json(judged, "needs.json")["needs"])


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


def _excluded_by_query(listing: Listing, filters: dict[str, list[str]]) -> bool:
    """Not public, wrong phase for a phase filter, or out of area for an LA or region filter."""
    if not listing.public:
        return True
    if "phase" in filters and not listing.facets["phase"] & set(filters["phase"]):
        return True
    if "la" in filters and not any(listing.serves_la(code) for code in filters["la"]):
        return True
    return "region" in filters and not any(
        listing.touches_region(region) for region in filters["region"]
    )


def _school_phases(school: dict[str, Any]) -> set[str]:
    phase = TYPE_PHASE.get(school["type"]) or school["phase"]
    return {"all-through", "primary", "secondary"} if phase == "all-through" else {phase}


def _can_serve(listing: Listing, school: dict[str, Any]) -> bool:
    return (
        listing.public
        and bool(listing.facets["phase"] & _school_phases(school))
        and listing.serves_la(school["la_code"])
    )


@pytest.fixture(params=SETS, ids=lambda path: path.name)
def judged(request: pytest.FixtureRequest) -> Path:
    return Path(request.param)


# --- the files -------------------------------------------------------------------------------


def test_the_three_files_load_with_enough_entries(judged: Path) -> None:
    assert 110 <= len(records(judged)) <= 260
    assert 220 <= len(directory(judged)) <= 300
    assert len(queries(judged)) >= 110
    assert len(needs(judged)) >= 55


def test_query_and_need_ids_are_unique(judged: Path) -> None:
    for entries in (queries(judged), needs(judged)):
        ids = [entry["id"] for entry in entries]
        assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def test_listing_titles_are_unique_within_each_provider_and_providers_are_unique(
    judged: Path,
) -> None:
    names = [record["provider"]["name"] for record in records(judged)]
    assert len(names) == len(set(names))
    total = sum(len(record["listings"]) for record in records(judged))
    assert total == len(directory(judged))


# --- the directory ---------------------------------------------------------------------------


def test_the_directory_covers_every_value_of_the_taxonomy(judged: Path) -> None:
    listings = directory(judged).values()
    for facet in ("category", "ecm", "phase", "sen", "pupil_group", "kind", "delivery", "cost"):
        used = set().union(*(listing.facets[facet] for listing in listings))
        assert used == set(taxonomy.LISTING_FACETS[facet].slugs), facet
    regions = set().union(*(listing.regions for listing in listings))
    assert regions == set(taxonomy.REGIONS.slugs)


def test_the_directory_holds_every_kind_of_listing_that_must_never_be_shown(judged: Path) -> None:
    statuses = {listing.status for listing in directory(judged).values()}
    assert {"assured", "submitted", "suspended", "lapsed", "one-school"} <= statuses


def test_listings_work_nationally_regionally_and_for_one_la_including_online_ones(
    judged: Path,
) -> None:
    listings = list(directory(judged).values())
    assert any(listing.national for listing in listings)
    assert any(listing.regions and not listing.national for listing in listings)
    local_online = [
        listing
        for listing in listings
        if "online-remote" in listing.facets["delivery"]
        and not listing.national
        and not listing.regions
        and len(listing.local_authorities) == 1
    ]
    assert len(local_online) >= 3


def test_every_la_exists_and_every_recommending_school_is_known_or_says_where_it_is(
    judged: Path,
) -> None:
    for record in records(judged):
        codes = {record["provider"].get("la_code")} - {None}
        for item in record["listings"]:
            codes |= set(item["areas_served"]["local_authorities"])
        assert codes <= set(la_regions()), record["provider"]["name"]
        for rec in record["recommendations"]:
            if rec["school_urn"] in school_urns():
                continue
            # A school the register lacks is added by the importer from its name and LA.
            assert rec.get("school_name", "").strip(), (record["provider"]["name"], rec)
            assert rec.get("school_la_code") in la_regions(), (record["provider"]["name"], rec)


def test_every_public_provider_is_recommended_by_two_other_schools_with_impact(
    judged: Path,
) -> None:
    for record in records(judged):
        if not any(
            directory(judged)[(item["title"], record["provider"]["name"])].public
            for item in record["listings"]
        ):
            continue
        assert len(_valid_schools(record)) >= taxonomy.SCHOOLS_NEEDED, record["provider"]["name"]
        assert all(rec["impact"].strip() for rec in record["recommendations"])


# --- the queries -----------------------------------------------------------------------------


def test_every_query_has_an_intent_and_at_least_one_listing_that_is_exactly_the_need(
    judged: Path,
) -> None:
    for query in queries(judged):
        assert query["query"].strip() and query["intent"].strip(), query["id"]
        grades = [item["grade"] for item in query["judgements"]]
        assert set(grades) <= GRADES, query["id"]
        assert 3 in grades, f"{query['id']} has no grade-3 listing"


def test_query_filters_name_real_facets_and_values(judged: Path) -> None:
    for query in queries(judged):
        for facet, values in query["filters"].items():
            assert facet in schema.FACETS and facet in VOCABULARIES, (query["id"], facet)
            assert values and isinstance(values, list), query["id"]
            for value in values:
                if facet == "la":
                    assert value in la_regions(), (query["id"], value)
                else:
                    assert value in VOCABULARIES[facet].slugs, (query["id"], facet, value)


def test_every_judged_or_forbidden_query_listing_exists_in_the_directory(judged: Path) -> None:
    for query in queries(judged):
        named = [_key(item) for item in query["judgements"] + query["must_not"]]
        missing = [key for key in named if key not in directory(judged)]
        assert not missing, (query["id"], missing)
        assert len(named) == len(set(named)), f"{query['id']} names a listing twice"


def test_listings_graded_relevant_for_a_query_are_public_and_pass_its_filters(judged: Path) -> None:
    for query in queries(judged):
        for item in query["judgements"]:
            listing = directory(judged)[_key(item)]
            assert listing.public, (query["id"], item["title"])
            if item["grade"] > 0:
                assert _passes(listing, query["filters"]), (query["id"], item["title"])


def test_query_must_nots_are_hidden_wrong_phase_or_out_of_area(judged: Path) -> None:
    for query in queries(judged):
        for item in query["must_not"]:
            assert item["why"].strip(), query["id"]
            listing = directory(judged)[_key(item)]
            assert _excluded_by_query(listing, query["filters"]), (query["id"], item["title"])


# --- the needs -------------------------------------------------------------------------------


def test_needs_describe_a_real_school_and_use_taxonomy_slugs(judged: Path) -> None:
    for need in needs(judged):
        school, words = need["school"], need["need"]
        assert school["phase"] in taxonomy.PHASES.slugs, need["id"]
        assert school["type"] in taxonomy.SCHOOL_TYPES.slugs, need["id"]
        assert school["la_code"] in la_regions(), need["id"]
        assert set(school["sen_specialisms"]) <= set(taxonomy.SEN_SPECIALISMS.slugs)
        assert words["text"].strip(), need["id"]
        assert words["category"] in taxonomy.CATEGORIES.slugs, need["id"]
        assert set(words["ecm_outcomes"]) <= set(taxonomy.ECM_OUTCOMES.slugs), need["id"]
        assert set(words["pupil_groups"]) <= set(taxonomy.PUPIL_GROUPS.slugs), need["id"]


def test_every_judged_or_forbidden_need_listing_exists_in_the_directory(judged: Path) -> None:
    for need in needs(judged):
        named = [_key(item) for item in need["judgements"] + need["must_not"]]
        missing = [key for key in named if key not in directory(judged)]
        assert not missing, (need["id"], missing)
        assert len(named) == len(set(named)), f"{need['id']} names a listing twice"
        assert {item["grade"] for item in need["judgements"]} <= GRADES - {0}, need["id"]


def test_needs_judge_only_listings_that_can_serve_the_school(judged: Path) -> None:
    for need in needs(judged):
        for item in need["judgements"]:
            assert _can_serve(directory(judged)[_key(item)], need["school"]), (
                need["id"],
                item["title"],
            )


def test_need_must_nots_are_hidden_wrong_phase_or_out_of_area_for_the_school(judged: Path) -> None:
    for need in needs(judged):
        for item in need["must_not"]:
            assert item["why"].strip(), need["id"]
            listing = directory(judged)[_key(item)]
            assert not _can_serve(listing, need["school"]), (need["id"], item["title"])


@pytest.mark.parametrize(
    ("areas", "code", "serves"),
    [
        ({"national": True, "regions": [], "local_authorities": []}, "878", True),
        ({"national": False, "regions": ["north-west"], "local_authorities": []}, "888", True),
        ({"national": False, "regions": ["north-west"], "local_authorities": []}, "886", False),
        ({"national": False, "regions": [], "local_authorities": ["383"]}, "373", False),
    ],
)
def test_a_listing_serves_exactly_the_area_it_names(
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
