"""The API answers through its pydantic models, and its OpenAPI document is generated from them
and from the index schema: a change to either changes the document."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel
from sqlmodel import Session

from broker.api import openapi, schemas
from broker.errors import ErrorResponse
from broker.matching.forms import MatchRequest, accepted
from broker.taxonomy import LISTING_FACETS
from index import schema
from tests import factories as f


@pytest.fixture
def listing_id(session: Session) -> int:
    f.local_authority(session, code="886", name="Kent", region="south-east")
    provider = f.assured_provider(session, listings=0)
    first = f.listing(session, provider, title="Phonics for infants", local_authorities=["886"])
    f.listing(session, provider, title="Governor training", local_authorities=["886"])
    session.commit()
    return first.id or 0


def _answer(response: Any, model: type[BaseModel]) -> None:
    body = response.get_json()
    # Valid, and exactly what the model serialises: nothing added or left out on the way
    # (an error leaves out a field it does not name).
    dumped = model.model_validate(body).model_dump(mode="json", exclude_none=model is ErrorResponse)
    assert dumped == body


def test_every_api_answer_validates_against_its_model(client: FlaskClient, listing_id: int) -> None:
    _answer(client.get("/api/v1/listings", query_string={"q": "phonics"}), schemas.SearchResults)
    _answer(client.get("/api/v1/listings"), schemas.SearchResults)
    # The search answer is built as plain data (its hot path): every state of it is checked.
    for words in ("Year 4 phonics", "phonicz", "phonics infants zebra", "wheelchair user"):
        _answer(client.get("/api/v1/listings", query_string={"q": words}), schemas.SearchResults)
    _answer(
        client.get("/api/v1/listings", query_string={"la": "886", "phase": "primary", "page": 2}),
        schemas.SearchResults,
    )
    _answer(client.get(f"/api/v1/listings/{listing_id}"), schemas.Listing)
    _answer(client.get("/api/v1/listings/424242"), ErrorResponse)
    _answer(client.get("/api/v1/listings", query_string={"colour": "red"}), ErrorResponse)
    match = client.post("/api/v1/match", json={"needs": [{"text": "phonics"}]})
    assert match.status_code == 200
    _answer(match, schemas.MatchResponse)
    _answer(client.post("/api/v1/match", json={"needs": []}), ErrorResponse)


def test_an_error_names_its_field_only_when_there_is_one(client: FlaskClient) -> None:
    assert "field" not in client.get("/api/v1/listings/424242").get_json()["error"]
    error = client.post("/api/v1/match", json={"needs": []}).get_json()["error"]
    assert error["field"] == "needs"


def test_the_document_holds_every_model_schema(app: Flask) -> None:
    components = openapi.component_schemas(["886"])
    for model in (*openapi.REQUESTS, *openapi.ANSWERS):
        assert model.__name__ in components
    assert components["SearchResults"]["required"] == list(schemas.SearchResults.model_fields)
    assert set(components["MatchRequest"]["properties"]) == set(MatchRequest.model_fields)
    assert components["MatchSchool"]["properties"]["la_code"]["enum"] == ["", "886"]
    assert "$defs" not in str(components)


def test_facets_filters_and_sorts_come_from_the_index_schema_and_taxonomy() -> None:
    document = openapi.document("Test", ["886"])
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/listings"]["get"]["parameters"]}
    for name in schema.FACETS:
        enum = parameters[name]["schema"]["items"]["enum"]
        vocabulary = LISTING_FACETS.get(name)
        assert enum == ["", *(accepted(vocabulary) if vocabulary else ["886"])], name
        assert schema.facet_label(name) in parameters[name]["description"]
    assert parameters["sort"]["schema"]["enum"] == ["", *schema.SORTS]
    facets = document["components"]["schemas"]["SearchResults"]["properties"]["facets"]
    assert facets["propertyNames"]["enum"] == list(schema.FACETS)
