"""The OpenAPI 3.1 description of the public API, generated so it cannot drift.

Bodies come from the pydantic models the views answer through (broker.api.schemas,
broker.errors) and the match request is checked with (broker.matching.forms); the search
parameters come from the index schema (facets, sorts) and the taxonomy (their values).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from broker.api import schemas
from broker.errors import ErrorResponse
from broker.input_guard import NO_CONTROL_IN_TEXT
from broker.matching.forms import MatchRequest, accepted, values_note
from broker.search.services import MAX_PAGE, MAX_PER_PAGE, MAX_TEXT, PASSED, SORTS
from broker.taxonomy import LISTING_FACETS
from index import schema

#: What a facet's label alone does not say (the index schema names the facets and labels them).
FACET_NOTES = {
    "region": "where the listing is available: it names the region or one of its LAs, or works nationally",
    "la": "a local authority code (e.g. 886): listings available there",
}


#: Key in app.extensions: functions returning more `paths` for the document (features that the
#: API may not import register them from their own init_app).
EXTRA_PATHS = "broker.api.openapi_paths"

#: Request bodies (validated as input) and answers (as serialised).
REQUESTS: tuple[type[BaseModel], ...] = (MatchRequest,)
ANSWERS: tuple[type[BaseModel], ...] = (
    schemas.SearchResults,
    schemas.Listing,
    schemas.MatchResponse,
    ErrorResponse,
)
REF = "#/components/schemas/{model}"


def component_schemas(la_codes: Sequence[str] = ()) -> dict[str, Any]:
    """Return components.schemas: every model's JSON schema, with its `$defs` beside it."""
    _, top = models_json_schema(
        [(m, "validation") for m in REQUESTS] + [(m, "serialization") for m in ANSWERS],
        ref_template=REF,
    )
    components: dict[str, Any] = _tidy(top["$defs"])
    # The LA codes are data, not vocabulary: the directory knows them when the document is asked for.
    la_code = components["MatchSchool"]["properties"]["la_code"]
    la_code["enum"] = ["", *sorted(la_codes)]  # empty: not given
    return components


def _tidy(value: Any) -> Any:
    """Drop `default: null` (an optional field left out is not null) and pydantic's titles."""
    if isinstance(value, dict):
        return {
            k: _tidy(v)
            for k, v in value.items()
            if not (k == "default" and v is None)
            and not (k == "title" and isinstance(v, str) and "properties" not in value)
        }
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


MATCH_PATH: dict[str, Any] = {
    "post": {
        "operationId": "matchNeeds",
        "summary": "Propose assured listings for a school's needs, with the reasons",
        "description": "Stateless. Never proposes a listing that does not serve the school's "
        "phase or area (unless national), suspended, lapsed or unassured listings; "
        "at most two per provider in the first ten; listings of providers not taking new work "
        "come after the others that match about as well, and their reasons say so. Rate limited per client (default 60 a "
        "minute).",
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref(MatchRequest)}},
        },
        "responses": {
            "200": _json(schemas.MatchResponse, "Suggestions per need, best first"),
            "400": _json(
                ErrorResponse, "Bad input; `error.field` names it (e.g. needs[1].category)"
            ),
            "413": _json(ErrorResponse, "The body is too large"),
            "429": _json(ErrorResponse, "Too many requests from this client; see Retry-After"),
        },
    }
}


def _filter_param(name: str, la_codes: Sequence[str]) -> dict[str, Any]:
    """Return the query parameter of facet `name`, its values from the taxonomy (LAs: data)."""
    vocabulary = LISTING_FACETS.get(name)
    description = schema.facet_label(name)
    if name in FACET_NOTES:
        description += f" ({FACET_NOTES[name]})"
    values = f" {values_note(vocabulary)}" if vocabulary else ""
    # An empty value (a form sent with nothing chosen) is ignored.
    enum = accepted(vocabulary) if vocabulary is not None else sorted(la_codes)
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + "." + values + " Repeat to select several (OR).",
        "schema": {"type": "array", "items": {"type": "string", "enum": ["", *enum]}},
        "style": "form",
        "explode": True,
    }


def _whole_number(name: str, high: int, description: str) -> dict[str, Any]:
    """Return a whole-number query parameter; empty (a form sent with it blank) is the default."""
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": high},
                {"type": "string", "enum": [""]},
            ]
        },
    }


def document(service_name: str, la_codes: Sequence[str] = ()) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document (`la_codes`: the local authorities the directory knows)."""
    parameters = [
        {
            "name": "q",
            "in": "query",
            "description": "Words to search for; abbreviations such as SEND, KS2 or EYFS are understood.",
            "schema": {"type": "string", "maxLength": MAX_TEXT, "pattern": NO_CONTROL_IN_TEXT},
        },
        *[_filter_param(name, la_codes) for name in schema.FACETS],
        *[
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": f"1: {passed.label.lower()} only (listings of providers that "
                "say they are not, as of today, are left out)",
                "schema": {"type": "string", "enum": ["", "1"]},
            }
            for name, passed in PASSED.items()
        ],
        {
            "name": "sort",
            "in": "query",
            "description": "; ".join(f"{s.name}: {s.label}" for s in schema.SORTS.values()),
            "schema": {"type": "string", "enum": ["", *SORTS]},
        },
        _whole_number("page", MAX_PAGE, "The page of results (1 when empty)"),
        {
            "name": "understand",
            "in": "query",
            "description": "0: rank every listing alike, whatever phases or topics the words imply",
            "schema": {"type": "string", "enum": ["", "0", "1"]},
        },
        {
            "name": "original",
            "in": "query",
            "description": "1: search the words as typed, without correcting their spelling",
            "schema": {"type": "string", "enum": ["", "0", "1"]},
        },
        _whole_number("per_page", MAX_PER_PAGE, "Results per page (20 when empty)"),
    ]
    bad_request = _json(ErrorResponse, "An unknown parameter or value; the error names it")
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": f"{service_name} API",
            "version": "1.0.0",
            "description": "Search the quality-assured directory of school improvement support.",
        },
        "paths": {
            "/api/v1/listings": {
                "get": {
                    "operationId": "searchListings",
                    "summary": "Search assured listings with facets",
                    "parameters": parameters,
                    "responses": {
                        "200": _json(schemas.SearchResults, "A page of results with facet counts"),
                        "400": bad_request,
                    },
                }
            },
            "/api/v1/listings/{id}": {
                "get": {
                    "operationId": "getListing",
                    "summary": "One assured listing",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": _json(schemas.Listing, "The listing"),
                        "400": _json(ErrorResponse, "The web address holds a control character"),
                        "404": _json(ErrorResponse, "No public listing has that id"),
                    },
                }
            },
            "/api/v1/match": MATCH_PATH,
        },
        "components": {"schemas": component_schemas(la_codes)},
    }
    return document
