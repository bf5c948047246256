"""The Open Referral UK feed of the demo directory: every response valid against the standard."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlmodel import select

from broker import db
from broker.evidence import public_clause
from broker.models import Listing, utcnow
from broker.openreferral import mapping, openapi_paths
from broker.taxonomy import CATEGORIES, PHASES
from tests.openreferral.conftest import assert_page, assert_valid

BASE = "/openreferral/v3"


@pytest.fixture(scope="module")
def client(seeded_app: Flask) -> FlaskClient:
    return seeded_app.test_client()


@pytest.fixture(scope="module")
def public_codes(seeded_app: Flask) -> set[str]:
    with db.new_session(seeded_app) as session:
        return set(session.exec(select(Listing.code).where(public_clause())))


def get(client: FlaskClient, path: str) -> dict:
    response = client.get(BASE + path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_root_says_version_profile_and_openapi_document(client: FlaskClient) -> None:
    body = get(client, "/")
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].endswith("/api/v1/openapi.json")


def test_every_page_of_services_is_valid_and_together_they_are_the_public_listings(
    client: FlaskClient, public_codes: set[str]
) -> None:
    ids: list[str] = []
    page = 1
    while True:
        body = get(client, f"/services?per_page=100&page={page}")
        assert_page(body, "service_list")
        assert body["page_number"] == page
        assert body["first_page"] == (page == 1)
        ids.extend(item["id"] for item in body["contents"])
        if body["last_page"]:
            break
        page += 1
    assert body["total_items"] == len(public_codes) == len(ids)
    assert body["total_pages"] == page == -(-len(public_codes) // 100)
    assert set(ids) == {mapping.service_id(code) for code in public_codes}


def test_a_page_past_the_end_and_a_search_finding_nothing_are_valid_empty_pages(
    client: FlaskClient,
) -> None:
    past = get(client, "/services?page=999")
    assert_page(past, "service_list")
    assert past["empty"] and past["contents"] == [] and past["total_items"] > 0
    nothing = get(client, "/services?search=zzqxnotaword")
    assert_page(nothing, "service_list")
    assert nothing["total_items"] == 0 and nothing["total_pages"] == 0
    assert nothing["empty"] and nothing["first_page"] and nothing["last_page"]


def test_full_services_are_valid_against_service_json(client: FlaskClient) -> None:
    listed = get(client, "/services?per_page=40")["contents"]
    for item in listed:
        full = get(client, f"/services/{item['id']}")
        assert_valid(full, "service")
        assert {k: v for k, v in full.items() if not isinstance(v, list)} == item | {
            "organization": full["organization"]
        }
        assert full["cost_options"] and full["attributes"]
        assert full["service_areas"], "every demo listing serves somewhere"
        for attribute in full["attributes"]:
            assert_valid(attribute["taxonomy_term"], "taxonomy_term")


def test_a_listing_that_is_not_public_is_not_published(
    seeded_app: Flask, client: FlaskClient, public_codes: set[str]
) -> None:
    with db.new_session(seeded_app) as session:
        hidden = session.exec(select(Listing.code).where(sa.not_(public_clause()))).first()
    assert hidden is not None and hidden not in public_codes
    response = client.get(f"{BASE}/services/{mapping.service_id(hidden)}")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"]


def test_text_search_finds_every_word_in_the_listing_or_provider(client: FlaskClient) -> None:
    body = get(client, "/services?search=phonics&per_page=100")
    assert_page(body, "service_list")
    assert body["total_items"] > 0
    for item in body["contents"]:
        text = f"{item['name']} {item['description']} {item['organization']['name']}"
        assert "phonics" in text.casefold()
    narrower = get(client, "/services?search=phonics+training&per_page=100")
    assert narrower["total_items"] <= body["total_items"]


def test_a_taxonomy_term_filters_services_to_those_with_it(client: FlaskClient) -> None:
    governance = mapping.term_id(CATEGORIES, "governance")
    body = get(client, f"/services?taxonomy_term_id={governance}&per_page=20")
    assert_page(body, "service_list")
    assert 0 < body["total_items"] < get(client, "/services")["total_items"]
    for item in body["contents"]:
        full = get(client, f"/services/{item['id']}")
        assert governance in {a["taxonomy_term_id"] for a in full["attributes"]}


def test_ages_and_modified_after_filter_services(client: FlaskClient) -> None:
    everything = get(client, "/services")["total_items"]
    post16 = get(client, "/services?minimum_age=17&per_page=100")
    assert 0 < post16["total_items"] < everything
    assert all(item["maximum_age"] >= 17 for item in post16["contents"])
    later = (utcnow() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert get(client, f"/services?modified_after={later}")["total_items"] == 0
    assert get(client, "/services?modified_after=2000-01-01T00:00:00Z")["total_items"] == everything


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=two", "page"),
        ("per_page=100000", "per_page"),
        ("taxonomy_term_id=nope", "taxonomy_term_id"),
        ("taxonomy_id=nope", "taxonomy_id"),
        ("minimum_age=-1", "minimum_age"),
        ("modified_after=yesterday", "modified_after"),
    ],
)
def test_a_bad_query_parameter_is_a_400_naming_it(
    client: FlaskClient, query: str, field: str
) -> None:
    response = client.get(f"{BASE}/services?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_taxonomies_and_terms_are_valid_pages_with_stable_ids(client: FlaskClient) -> None:
    taxonomies = get(client, "/taxonomies")
    assert_page(taxonomies, "taxonomy_term")  # envelope; items checked below
    assert [t["name"] for t in taxonomies["contents"]] == [
        "Area of support",
        "Every Child Matters outcome",
        "Phase",
        "SEN specialism",
        "Pupil group",
        "Provider kind",
        "Delivery",
        "Cost",
    ]
    terms = get(client, "/taxonomy_terms?per_page=500")
    assert_page(terms, "taxonomy_term")
    assert terms["total_items"] == sum(len(v) for v, _ in mapping.TAXONOMIES)
    # Published ids never change: consumers store them.
    leadership = mapping.term_id(CATEGORIES, "leadership-and-management")
    assert leadership == "2a9bf4d1-714c-5d07-a9e7-c73bdfdf7b1b"
    assert_valid(get(client, f"/taxonomy_terms/{leadership}"), "taxonomy_term")
    phase = get(client, f"/taxonomies/{mapping.taxonomy_id(PHASES)}")
    assert [t["term"] for t in phase["taxonomy_terms"]] == list(PHASES.slugs)
    only_phases = get(client, f"/taxonomy_terms?taxonomy_id={mapping.taxonomy_id(PHASES)}")
    assert only_phases["total_items"] == len(PHASES)
    assert client.get(f"{BASE}/taxonomies/nope").status_code == 404


def test_online_services_are_published_at_a_virtual_location(client: FlaskClient) -> None:
    body = get(client, "/service_at_locations?per_page=20")
    assert_page(body, "service_at_location_list")
    assert body["total_items"] > 0
    first = body["contents"][0]
    assert first["location"]["location_type"] == "virtual"
    full = get(client, f"/service_at_locations/{first['id']}")
    assert_valid(full, "service")
    assert full["id"] == first["service_id"]


def test_export_writes_every_public_service_as_served(
    seeded_app: Flask, client: FlaskClient, tmp_path: Path, public_codes: set[str]
) -> None:
    out = tmp_path / "feed.json"
    result = seeded_app.test_cli_runner().invoke(
        args=["export", "--format", "openreferral", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"Exported {len(public_codes)} public services" in result.output
    feed = json.loads(out.read_text())
    assert_page(feed, "service")
    served = get(client, f"/services/{feed['contents'][0]['id']}")
    exported = feed["contents"][0]
    assert {k: v for k, v in exported.items() if k != "url"} == {
        k: v for k, v in served.items() if k != "url"
    }


def test_unknown_format_is_a_message(seeded_app: Flask, tmp_path: Path) -> None:
    result = seeded_app.test_cli_runner().invoke(
        args=["export", "--format", "csv", str(tmp_path / "x")]
    )
    assert result.exit_code != 0
    assert "'csv' is not a format (choose from: jsonl, openreferral)" in result.output


def test_openapi_paths_cover_every_route_and_form_a_valid_document(seeded_app: Flask) -> None:
    paths = openapi_paths()
    routes = {
        rule.rule.replace("<sid>", "{id}").replace("<tid>", "{id}").replace("<sal_id>", "{id}")
        for rule in seeded_app.url_map.iter_rules()
        if rule.endpoint.startswith("openreferral.")
    }
    assert set(paths) == routes
    validate({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths})
