"""The OpenAPI 3.1 description of the public API, built from the taxonomy so it cannot drift."""

from __future__ import annotations

from typing import Any

from broker.search.services import MAX_PER_PAGE, SORTS
from broker.taxonomy import LISTING_FACETS

FACET_PARAMS = {
    "category": "Area of support",
    "ecm": "Every Child Matters outcome",
    "phase": "Phase",
    "sen": "SEN specialism",
    "pupil_group": "Pupil group",
    "kind": "Provider kind",
    "delivery": "Delivery",
    "cost": "Cost",
    "region": "Region where the listing is available (serves the region, one of its LAs, nationally or online)",
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
        "description": {"type": "string"},
    },
}


def _filter_param(name: str, description: str) -> dict[str, Any]:
    vocabulary = LISTING_FACETS.get(name)
    values = (
        f" One of: {', '.join(t.label for t in vocabulary.terms)} (labels or slugs, any case)."
        if vocabulary
        else ""
    )
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + "." + values + " Repeat to select several (OR).",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    }


def document(service_name: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document."""
    parameters = [
        {
            "name": "q",
            "in": "query",
            "description": "Words to search for; abbreviations such as SEND, KS2 or EYFS are understood.",
            "schema": {"type": "string", "maxLength": 2000},
        },
        *[_filter_param(name, label) for name, label in FACET_PARAMS.items()],
        {
            "name": "la",
            "in": "query",
            "description": "Local authority code (e.g. 886): listings available there. Repeat to select several.",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        },
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
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
        },
        "components": {
            "schemas": {
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
                    },
                },
            }
        },
    }
