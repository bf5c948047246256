"""POST /api/v1/match: real responses against the OpenAPI document, field-named 400s, the rate
limit, and no 5xx whatever the body."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import close_app, make_app

SPEC_URI = "urn:broker:openapi"
_addresses = itertools.count(1)
URL = "/api/v1/match"
AUTISM = {
    "school": {"phase": "Primary", "la_code": "373", "type": "Community school"},
    "needs": [
        {
            "text": "Pupils with ASD in mainstream classes need support",
            "category": "Inclusion, SEN and Vulnerable Groups",
            "pupil_groups": ["SEN and disabilities"],
        }
    ],
}


@pytest.fixture(scope="module")
def client(seeded_app: Flask) -> FlaskClient:
    return seeded_app.test_client()


def _validator(document: dict[str, Any], ref: str) -> Draft202012Validator:
    registry: Registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": SPEC_URI + ref},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.fixture(scope="module")
def document(client: FlaskClient) -> dict[str, Any]:
    doc = client.get("/api/v1/openapi.json").get_json()
    validate_openapi(doc)
    return doc


def _schema_of(document: dict[str, Any], status: str) -> str:
    operation = document["paths"][URL]["post"]
    return operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]


def test_a_match_returns_suggestions_per_need_in_request_order(client: FlaskClient) -> None:
    body = {
        "school": {"phase": "primary", "la_code": "373"},
        "needs": [
            {"text": "autism outreach"},
            {"text": "governors data", "category": "GOVERNANCE"},
            {"text": "phonics in reception", "category": "curriculum-and-subject-support"},
        ],
        "limit": 3,
    }
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.get_json()
    needs = response.get_json()["needs"]
    assert len(needs) == 3
    assert all(1 <= len(n["results"]) <= 3 for n in needs)
    assert (
        "autis" in needs[0]["results"][0]["title"].lower()
        or "ASD" in needs[0]["results"][0]["title"]
    )
    # "governors" also finds its synonyms: governance, the governing body.
    assert "govern" in needs[1]["results"][0]["title"].lower()
    assert "phonics" in needs[2]["results"][0]["title"].lower()
    first = needs[1]["results"][0]
    assert first["score"] == 1.0
    assert "area: Governance" in first["reasons"]
    assert response.headers["Cache-Control"] == "no-store"


def test_real_responses_validate_against_the_openapi_document(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    ok = _validator(document, _schema_of(document, "200"))
    bad = _validator(document, _schema_of(document, "400"))
    request_schema = _validator(document, "#/components/schemas/MatchRequest")
    good_bodies = [
        AUTISM,
        {"needs": [{"text": "zzqx blorf", "category": "governance"}], "limit": 50},
        {"needs": [{"text": "zzqx blorf"}]},
        {
            "school": {"region": "North East", "sen_specialisms": ["BESD"]},
            "needs": [{"text": "behavour"}],
        },
        {
            "school": {"phase": "Special", "type": "foundation-special-school"},
            "needs": [{"text": "PMLD sensory"}] * 10,
        },
    ]
    for body in good_bodies:
        assert request_schema.is_valid(body), body
        response = client.post(URL, json=body)
        assert response.status_code == 200, (body, response.get_json())
        errors = [e.message for e in ok.iter_errors(response.get_json())]
        assert not errors, (body, errors)
    for body in ({"needs": []}, {"needs": [{"text": "x", "category": "Nope"}]}, {"limit": 5}):
        response = client.post(URL, json=body)
        assert response.status_code == 400
        assert bad.is_valid(response.get_json()), response.get_json()
        # Taxonomy values (labels or slugs, any case) are checked by the service, not the schema.
        assert "category" in json.dumps(body) or not request_schema.is_valid(body)


def test_the_schema_check_catches_a_wrong_response(document: dict[str, Any]) -> None:
    ok = _validator(document, _schema_of(document, "200"))
    assert not ok.is_valid({"needs": [{"results": [{"id": 1, "title": "x", "score": 1.0}]}]})
    assert not ok.is_valid(
        {
            "needs": [
                {
                    "results": [
                        {
                            "id": 1,
                            "title": "x",
                            "provider": {"name": "p"},
                            "score": 2,
                            "reasons": ["a"],
                        }
                    ]
                }
            ]
        }
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ("text", "body"),
        ({}, "needs"),
        ({"needs": "autism"}, "needs"),
        ({"needs": []}, "needs"),
        ({"needs": [{"text": "a"}] * 11}, "needs"),
        ({"needs": [{"text": "a"}], "extra": 1}, "extra"),
        ({"needs": [{"text": "a"}, {"text": "b", "category": "Knitting"}]}, "needs[1].category"),
        ({"needs": [{"text": "a", "category": 3}]}, "needs[0].category"),
        ({"needs": [{"text": "a", "ecm_outcomes": "Be healthy"}]}, "needs[0].ecm_outcomes"),
        (
            {"needs": [{"text": "a", "ecm_outcomes": ["Be healthy", "Be rich"]}]},
            "needs[0].ecm_outcomes[1]",
        ),
        ({"needs": [{"text": "a", "pupil_groups": ["Pirates"]}]}, "needs[0].pupil_groups[0]"),
        ({"needs": [{"text": "a", "colour": "red"}]}, "needs[0].colour"),
        ({"needs": [{"category": "governance"}]}, "needs[0].text"),
        ({"needs": [{"text": "   "}]}, "needs[0].text"),
        ({"needs": [{"text": 42}]}, "needs[0].text"),
        ({"needs": [{"text": "a" * 2001}]}, "needs[0].text"),
        ({"needs": ["autism"]}, "needs[0]"),
        ({"needs": [{"text": "a"}], "limit": 0}, "limit"),
        ({"needs": [{"text": "a"}], "limit": 51}, "limit"),
        ({"needs": [{"text": "a"}], "limit": "10"}, "limit"),
        ({"needs": [{"text": "a"}], "limit": True}, "limit"),
        ({"school": [], "needs": [{"text": "a"}]}, "school"),
        ({"school": {"phase": "Nursery"}, "needs": [{"text": "a"}]}, "school.phase"),
        ({"school": {"la_code": "999"}, "needs": [{"text": "a"}]}, "school.la_code"),
        (
            {"school": {"la_code": "886", "region": "London"}, "needs": [{"text": "a"}]},
            "school.region",
        ),
        ({"school": {"region": "Atlantis"}, "needs": [{"text": "a"}]}, "school.region"),
        ({"school": {"type": "Castle"}, "needs": [{"text": "a"}]}, "school.type"),
        (
            {"school": {"sen_specialisms": ["ADHD"]}, "needs": [{"text": "a"}]},
            "school.sen_specialisms[0]",
        ),
        ({"school": {"urn": "1"}, "needs": [{"text": "a"}]}, "school.urn"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client: FlaskClient, body: Any, field: str) -> None:
    response = client.post(URL, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field, error
    assert error["message"]


def test_a_body_that_is_not_json_is_a_400(client: FlaskClient) -> None:
    response = client.post(
        URL, data="needs=autism", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "body"


def test_an_oversized_body_is_refused(client: FlaskClient) -> None:
    body = {"needs": [{"text": "x" * 1000}] * 80}
    response = client.post(URL, json=body)
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_labels_and_slugs_in_any_case_give_the_same_answer(client: FlaskClient) -> None:
    labels = client.post(URL, json=AUTISM).get_json()
    slugs = client.post(
        URL,
        json={
            "school": {"phase": "PRIMARY", "la_code": "373", "type": "community-school"},
            "needs": [
                {
                    "text": AUTISM["needs"][0]["text"],
                    "category": "inclusion-sen-and-vulnerable-groups",
                    "pupil_groups": ["sen-and-disabilities"],
                }
            ],
        },
    ).get_json()
    assert labels == slugs
    assert labels["needs"][0]["results"]


def test_only_get_is_documented_for_listings_and_post_for_match(document: dict[str, Any]) -> None:
    assert set(document["paths"][URL]) == {"post"}
    assert set(document["paths"][URL]["post"]["responses"]) == {"200", "400", "413", "429"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "school",
        "needs",
        "limit",
        "text",
        "category",
        "phase",
        "la_code",
        "region",
        "type",
        "sen_specialisms",
        "ecm_outcomes",
        "pupil_groups",
    ]
)
near_valid = st.fixed_dictionaries(
    {},
    optional={
        "school": st.dictionaries(keys, json_values, max_size=4),
        "needs": st.lists(
            st.dictionaries(keys, json_values | st.text(max_size=50), max_size=4), max_size=3
        ),
        "limit": json_values,
    },
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=near_valid | json_values)
def test_no_body_gives_a_server_error(client: FlaskClient, body: Any) -> None:
    # A fresh client address per example: this test is about input, not the rate limit.
    n = next(_addresses)
    address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    response = client.post(URL, json=body, environ_base={"REMOTE_ADDR": address})
    assert response.status_code in (200, 400), (body, response.get_json())
    assert response.is_json


# --- the rate limit -------------------------------------------------------------------------------


@pytest.fixture
def limited_app(tmp_path: Path, sqlite_url: str) -> Iterator[Flask]:
    application = make_app(tmp_path, sqlite_url, MATCH_RATE_LIMIT="3 per minute")
    yield application
    close_app(application)


def test_a_client_over_the_rate_limit_gets_a_429_in_json(limited_app: Flask) -> None:
    client = limited_app.test_client()
    body = {"needs": [{"text": "phonics"}]}
    for _ in range(3):
        assert client.post(URL, json=body).status_code == 200
    response = client.post(URL, json=body)
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429
    assert "Retry-After" in response.headers
    # Another client is not limited by the first one's requests.
    other = client.post(URL, json=body, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_the_default_limit_is_sixty_a_minute(seeded_app: Flask) -> None:
    assert seeded_app.config["MATCH_RATE_LIMIT"] == "60 per minute"
