"""The OpenAPI 3.1 description of the public API, built from the taxonomy so it cannot drift."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from broker.search.services import MAX_PER_PAGE, SORTS
from broker.taxonomy import (
    CATEGORIES,
    ECM_OUTCOMES,
    LISTING_FACETS,
    PHASES,
    PUPIL_GROUPS,
    REGIONS,
    SCHOOL_TYPES,
    SEN_SPECIALISMS,
)
from index import schema

#: What a facet's label alone does not say (the index schema names the facets and labels them).
FACET_NOTES = {
    "region": "where the listing is available: it names the region or one of its LAs, or works nationally",
    "la": "a local authority code (e.g. 886): listings available there",
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "title", "message"],
            "properties": {
                "status": {"type": "integer"},
                "title": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
        }
    },
}

LISTING_SUMMARY = {
    "type": "object",
    "required": [
        "id",
        "title",
        "summary",
        "provider",
        "categories",
        "phases",
        "cost",
        "recommendations",
        "url",
    ],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "provider": {
            "type": "object",
            "required": ["id", "name", "kind"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {"type": "string"},
            },
        },
        "categories": {"type": "array", "items": {"type": "string"}},
        "phases": {"type": "array", "items": {"type": "string"}},
        "cost": {"type": "string"},
        "recommendations": {
            "type": "integer",
            "description": "Number of different schools with a valid recommendation",
        },
        "url": {"type": "string", "format": "uri"},
        "score": {"type": "number"},
        "missing": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The searched words (as typed) this listing does not contain: a listing may miss one word in three of a longer search",
        },
        "description": {"type": "string"},
    },
}


def _values(vocabulary: Any) -> str:
    return (
        "One of: " + ", ".join(t.label for t in vocabulary.terms) + " (labels or slugs, any case)."
    )


#: Words in a web address: no control characters at all (the service refuses them).
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f]*$"
#: Text in a JSON body: tab, newline and carriage return allowed, no other control character.
NO_CONTROL_IN_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"


def _enum(vocabulary: Any) -> list[str]:
    """Return a vocabulary's values as the API takes them: slugs and labels."""
    return sorted({t.slug for t in vocabulary.terms} | {t.label for t in vocabulary.terms})


def _term(vocabulary: Any, description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "enum": ["", *_enum(vocabulary)],  # empty: not given
        "description": f"{description}. {_values(vocabulary)}",
    }


def _terms(vocabulary: Any, description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "maxItems": 20,
        "items": {"type": "string", "enum": _enum(vocabulary)},
        "description": f"{description}. {_values(vocabulary)}",
    }


#: POST /api/v1/match: the matcher (broker.matching.services).
MATCH_SCHEMAS: dict[str, Any] = {
    "MatchRequest": {
        "type": "object",
        "required": ["needs"],
        "additionalProperties": False,
        "properties": {
            "school": {
                "type": "object",
                "additionalProperties": False,
                "description": "The school the needs belong to. Every field is optional; "
                "give la_code or region, not both.",
                "not": {"required": ["la_code", "region"]},
                "properties": {
                    "phase": _term(
                        PHASES,
                        "The school's phase: only listings serving it are proposed (a special "
                        "school by type matches as Special; an all-through school is served by "
                        "All-through, Primary or Secondary listings)",
                    ),
                    "la_code": {
                        "type": "string",
                        "description": "The school's local authority code (e.g. 886): only "
                        "listings serving that LA (naming it or its region, or national) are "
                        "proposed.",
                    },
                    "region": _term(
                        REGIONS,
                        "The school's region, when no LA code is given (an LA code decides the "
                        "region): only listings serving the whole region, or national, are "
                        "proposed",
                    ),
                    "type": _term(SCHOOL_TYPES, "The school's type"),
                    "sen_specialisms": _terms(
                        SEN_SPECIALISMS, "The SEN the school serves (raises matching listings)"
                    ),
                },
            },
            "needs": {
                "type": "array",
                "minItems": 1,
                "maxItems": 10,
                "items": {"$ref": "#/components/schemas/MatchNeed"},
            },
            "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        },
    },
    "MatchNeed": {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2000,
                "allOf": [{"pattern": "\\S"}, {"pattern": NO_CONTROL_IN_TEXT}],
                "description": "The need in the SIP's own words; spelling is corrected against "
                "the directory and abbreviations (SEND, KS2, EAL...) are understood.",
            },
            "category": _term(CATEGORIES, "Area of support (raises matching listings)"),
            "ecm_outcomes": _terms(ECM_OUTCOMES, "Every Child Matters outcomes (raise)"),
            "pupil_groups": _terms(PUPIL_GROUPS, "Pupil groups concerned (raise)"),
        },
    },
    "MatchResponse": {
        "type": "object",
        "required": ["needs"],
        "properties": {
            "needs": {
                "type": "array",
                "description": "One entry per need, in request order.",
                "items": {
                    "type": "object",
                    "required": ["results"],
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/MatchResult"},
                        }
                    },
                },
            }
        },
    },
    "MatchResult": {
        "type": "object",
        "required": ["id", "title", "provider", "score", "reasons"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "provider": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
            "score": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "Relative to the best result for the same need (1).",
            },
            "reasons": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string"},
                "description": 'Why it was proposed, e.g. "area: Governance", "serves your '
                'LA", "recommended by 4 schools", "words: autism, outreach".',
            },
            "url": {"type": "string", "format": "uri"},
        },
    },
}

MATCH_PATH: dict[str, Any] = {
    "post": {
        "operationId": "matchNeeds",
        "summary": "Propose assured listings for a school's needs, with the reasons",
        "description": "Stateless. Never proposes a listing that does not serve the school's "
        "phase or area (unless national), suspended, lapsed or unassured listings; "
        "at most two per provider in the first ten. Rate limited per client (default 60 a "
        "minute).",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/MatchRequest"}}
            },
        },
        "responses": {
            "200": {
                "description": "Suggestions per need, best first",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/MatchResponse"}}
                },
            },
            **{
                status: {
                    "description": description,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
                for status, description in (
                    ("400", "Bad input; `error.field` names it (e.g. needs[1].category)"),
                    ("413", "The body is too large"),
                    ("429", "Too many requests from this client; see Retry-After"),
                )
            },
        },
    }
}


def _filter_param(name: str, la_codes: Sequence[str]) -> dict[str, Any]:
    vocabulary = LISTING_FACETS.get(name)
    description = schema.facet_label(name)
    if name in FACET_NOTES:
        description += f" ({FACET_NOTES[name]})"
    values = (
        f" One of: {', '.join(t.label for t in vocabulary.terms)} (labels or slugs, any case)."
        if vocabulary
        else ""
    )
    # An empty value (a form sent with nothing chosen) is ignored.
    if vocabulary is not None:
        items: dict[str, Any] = {"type": "string", "enum": ["", *_enum(vocabulary)]}
    else:
        items = {"type": "string", "enum": ["", *sorted(la_codes)]}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + "." + values + " Repeat to select several (OR).",
        "schema": {"type": "array", "items": items},
        "style": "form",
        "explode": True,
    }


def _match_schemas(la_codes: Sequence[str]) -> dict[str, Any]:
    """Return the match schemas with the LA codes the directory knows."""
    schemas = copy.deepcopy(MATCH_SCHEMAS)
    school = schemas["MatchRequest"]["properties"]["school"]["properties"]
    school["la_code"]["enum"] = ["", *sorted(la_codes)]  # empty: not given
    return schemas


def document(service_name: str, la_codes: Sequence[str] = ()) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document (`la_codes`: the local authorities the directory knows)."""
    parameters = [
        {
            "name": "q",
            "in": "query",
            "description": "Words to search for; abbreviations such as SEND, KS2 or EYFS are understood.",
            "schema": {"type": "string", "maxLength": 2000, "pattern": NO_CONTROL},
        },
        *[_filter_param(name, la_codes) for name in schema.FACETS],
        {
            "name": "sort",
            "in": "query",
            "description": "; ".join(f"{s.name}: {s.label}" for s in schema.SORTS.values()),
            "schema": {"type": "string", "enum": list(SORTS)},
        },
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
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
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
    ]
    facet_count = {
        "type": "object",
        "required": ["value", "label", "count"],
        "properties": {
            "value": {"type": "string"},
            "label": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
        },
    }
    bad_request = {
        "description": "An unknown parameter or value; the error names it",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
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
                        "200": {
                            "description": "A page of results with facet counts",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/SearchResults"}
                                }
                            },
                        },
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
                        "200": {
                            "description": "The listing",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Listing"}
                                }
                            },
                        },
                        "400": {
                            "description": "The web address holds a control character",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                        "404": {
                            "description": "No public listing has that id",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    },
                }
            },
            "/api/v1/match": MATCH_PATH,
        },
        "components": {
            "schemas": {
                **_match_schemas(la_codes),
                "Error": ERROR,
                "Listing": LISTING_SUMMARY,
                "FacetCount": facet_count,
                "SearchResults": {
                    "type": "object",
                    "required": ["total", "page", "per_page", "results", "facets", "suggestion"],
                    "properties": {
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1},
                        "results": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Listing"},
                        },
                        "facets": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/FacetCount"},
                            },
                        },
                        "suggestion": {"type": ["string", "null"]},
                        "corrected": {"type": "boolean"},
                        "partial": {
                            "type": "boolean",
                            "description": "True when no listing had every word, so the results have some of them, best first",
                        },
                        "by_topic": {
                            "type": "boolean",
                            "description": "True when no listing had any of the words, so the results are the listings of the topics the words name (see `understood`)",
                        },
                        "understood": {
                            "type": "array",
                            "description": "Facet values the words imply (a year group implies a phase): listings with them come first; `understand=0` turns this off",
                            "items": {
                                "type": "object",
                                "required": ["facet", "value", "label", "because"],
                                "properties": {
                                    "facet": {"type": "string"},
                                    "value": {"type": "string"},
                                    "label": {"type": "string"},
                                    "because": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            }
        },
    }
