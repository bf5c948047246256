"""The OpenAPI `paths` of the Open Referral UK feed, to merge into the project's own document.

Bodies are described in outline and point to the standard's compiled schemas by URL (as text,
not $ref: a validator must not fetch them from the network).
"""

from __future__ import annotations

from typing import Any

from broker.input_guard import NO_CONTROL
from broker.openreferral import mapping
from broker.openreferral.services import MAX_PAGE, MAX_PER_PAGE, PER_PAGE
from broker.openreferral.views import PREFIX

SCHEMAS = "https://github.com/OpenReferralUK/uk-profile/tree/main/schema/compiled"
TAG = "Open Referral UK"


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


PAGING = [
    _param(
        "page",
        "Page number, from 1.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
    _param(
        "per_page",
        "Items in one page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE},
    ),
]
FILTERS = [
    _param(
        "search",
        "Every word must be in the title, description or organization name (any case).",
        {"type": "string", "pattern": NO_CONTROL},
    ),
    _param(
        "taxonomy_term_id",
        "Services with this term (see /taxonomy_terms).",
        {"type": "string", "enum": ["", *sorted(mapping.term_index())]},
    ),
    _param(
        "taxonomy_id",
        "Services with any term of this taxonomy.",
        {"type": "string", "enum": ["", *sorted(mapping.taxonomy_index())]},
    ),
    _param(
        "minimum_age", "Services for pupils of at least this age.", {"type": "number", "minimum": 0}
    ),
    _param(
        "maximum_age", "Services for pupils of at most this age.", {"type": "number", "minimum": 0}
    ),
    _param(
        "modified_after",
        "Services changed on or after this date and time (RFC 3339).",
        {"type": "string", "format": "date-time"},
    ),
]
PAGE = {
    "type": "object",
    "required": ["total_items", "total_pages", "page_number", "size", "contents"],
    "properties": {
        "total_items": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "page_number": {"type": "integer"},
        "size": {"type": "integer"},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array", "items": {"type": "object"}},
    },
}


def _get(
    operation_id: str,
    summary: str,
    schema_name: str,
    *,
    params: list[dict[str, Any]] | None = None,
    page: bool = False,
    by_id: bool = False,
) -> dict[str, Any]:
    schema = PAGE if page else {"type": "object"}
    responses: dict[str, Any] = {
        "200": {
            "description": f"{summary} Each item as {SCHEMAS}/{schema_name}.json.",
            "content": {"application/json": {"schema": schema}},
        },
        "400": {"description": "A query parameter is not valid (the error names it)."},
    }
    if by_id:
        responses["404"] = {"description": "No public item has that id."}
    entry: dict[str, Any] = {
        "get": {"operationId": operation_id, "summary": summary, "tags": [TAG]}
    }
    if params:
        entry["get"]["parameters"] = params
    entry["get"]["responses"] = responses
    if by_id:
        entry["parameters"] = [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": NO_CONTROL},
            }
        ]
    return entry


def paths() -> dict[str, Any]:
    """Return the OpenAPI 3 `paths` object of the feed's read-only endpoints."""
    return {
        f"{PREFIX}/": {
            "get": {
                "operationId": "openReferralRoot",
                "summary": "What this feed is: HSDS version, profile and OpenAPI document.",
                "tags": [TAG],
                "responses": {
                    "200": {
                        "description": "The feed's description.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "version": {"type": "string", "pattern": NO_CONTROL},
                                        "profile": {"type": "string", "pattern": NO_CONTROL},
                                        "openapi_url": {"type": "string", "pattern": NO_CONTROL},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        f"{PREFIX}/services": _get(
            "openReferralServices",
            "A page of public services.",
            "service_list",
            params=[*FILTERS, *PAGING],
            page=True,
        ),
        f"{PREFIX}/services/{{id}}": _get(
            "openReferralService", "One public service, fully nested.", "service", by_id=True
        ),
        f"{PREFIX}/service_at_locations": _get(
            "openReferralServiceAtLocations",
            "A page of public services at locations (online services: a virtual location).",
            "service_at_location_list",
            params=[*FILTERS, *PAGING],
            page=True,
        ),
        f"{PREFIX}/service_at_locations/{{id}}": _get(
            "openReferralServiceAtLocation",
            "The fully nested service behind one service at location.",
            "service",
            by_id=True,
        ),
        f"{PREFIX}/taxonomies": _get(
            "openReferralTaxonomies",
            "A page of the taxonomies (the directory's facets).",
            "taxonomy",
            params=PAGING,
            page=True,
        ),
        f"{PREFIX}/taxonomies/{{id}}": _get(
            "openReferralTaxonomy", "One taxonomy with its terms.", "taxonomy", by_id=True
        ),
        f"{PREFIX}/taxonomy_terms": _get(
            "openReferralTaxonomyTerms",
            "A page of taxonomy terms.",
            "taxonomy_term",
            params=[
                _param(
                    "taxonomy_id",
                    "Terms of this taxonomy only.",
                    {"type": "string", "enum": ["", *sorted(mapping.taxonomy_index())]},
                ),
                *PAGING,
            ],
            page=True,
        ),
        f"{PREFIX}/taxonomy_terms/{{id}}": _get(
            "openReferralTaxonomyTerm", "One taxonomy term.", "taxonomy_term", by_id=True
        ),
    }
