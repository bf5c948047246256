"""The public read-only JSON API: search listings, one listing, and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from pydantic import BaseModel

from broker import availability
from broker.api import openapi, schemas
from broker.db import get_session
from broker.directory import services as directory
from broker.errors import NotFound
from broker.search import services as search
from broker.search.engine import get_search
from broker.taxonomy import CATEGORIES, COSTS, PHASES, PROVIDER_KINDS

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _cors(response: Response) -> Response:
    # Read-only and public: any site may call it from a browser.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


def answer(model: BaseModel) -> Response:
    """Return a model as the JSON response (every answer but the search page's, the hot path,
    goes through its model; that one is checked against its model by the tests)."""
    return jsonify(model.model_dump(mode="json"))


def _listing_fields(item: search.ResultItem | directory.ListingDetail) -> dict[str, object]:
    """Return what every answer says of a listing (schemas.ListingSummary's fields), as JSON data."""
    listing, provider = item.listing, item.provider
    return {
        "id": listing.id,
        "title": listing.title,
        "summary": listing.summary,
        "provider": {
            "id": provider.id or 0,
            "name": provider.name,
            "kind": PROVIDER_KINDS.label_of(provider.kind),
        },
        "categories": [CATEGORIES.label_of(s) for s in listing.categories],
        "phases": [PHASES.label_of(s) for s in listing.phases],
        "cost": COSTS.label_of(listing.cost),
        "recommendations": item.recommending_schools,
        "capacity": _capacity(item.capacity),
        "url": _listing_url(listing.id or 0),
    }


def _capacity(capacity: availability.Capacity) -> dict[str, object]:
    """Return a provider's capacity as of today (schemas.Capacity's fields), as JSON data."""
    today = availability.today()
    taking = capacity.taking(today)
    return {
        "taking_new_work": taking,
        "not_taking_until": None
        if taking or capacity.until is None
        else capacity.until.isoformat(),
        "days_available": capacity.days if taking and capacity.until is None else None,
        "text": capacity.describe(today),
    }


def _listing_url(listing_id: int) -> str:
    """Return a listing page's absolute URL (url_for once per request; ids fill it in)."""
    pattern: str | None = g.get("listing_url")
    if pattern is None:
        pattern = g.listing_url = url_for("directory.listing", listing_id=0, _external=True)
    return pattern[: pattern.rindex("0")] + str(listing_id) + pattern[pattern.rindex("0") + 1 :]


@bp.get("/listings")
def listings() -> Response:
    session = get_session()
    vocabularies = search.facet_vocabularies(session)
    req = search.parse(request.args.to_dict(flat=False), vocabularies, strict=True)
    page = search.search(session, get_search(), req, vocabularies, snippets=False)
    # The hot path: built as plain JSON data, not through pydantic (about 0.6 ms a search, a
    # model per facet value); tests/search/test_api_models.py checks every kind of answer is
    # exactly schemas.SearchResults' serialisation, so the document and the answer cannot part.
    return jsonify(
        {
            "total": page.total,
            "page": req.page,
            "per_page": req.per_page,
            "results": [
                _listing_fields(item)
                | {"score": round(item.score, 4), "missing": list(item.missing)}
                for item in page.items
            ],
            "facets": {
                view.name: [
                    {"value": term.slug, "label": term.label, "count": count}
                    for term, count, _selected in view.options
                ]
                for view in page.facets
            },
            "suggestion": page.results.suggestion,
            "corrected": page.results.corrected,
            "partial": page.partial,
            "by_topic": page.results.by_topic,
            "understood": [
                {
                    "facet": u.facet,
                    "value": u.value,
                    "label": f"{u.facet_label}: {u.label}",
                    "because": u.because,
                }
                for u in page.understood
            ],
            "close_words": [
                {"word": word, "close": list(close)} for word, close in page.results.close_words
            ],
        }
    )


@bp.get("/listings/<id:listing_id>")
def listing(listing_id: int) -> Response:
    detail = directory.listing_detail(get_session(), listing_id)
    # Public means what search shows: assured, in date, and two schools behind the provider.
    if detail is None:
        raise NotFound("No public listing has that id.")
    fields = _listing_fields(detail) | {"description": detail.listing.description}
    return answer(schemas.Listing.model_validate(fields))


@bp.get("/openapi.json")
def openapi_document() -> Response:
    la = search.facet_vocabularies(get_session())["la"]
    document = openapi.document(current_app.config["SERVICE_NAME"], la.slugs)
    # Other features' JSON endpoints (the Open Referral UK feed) register their paths here.
    for paths in current_app.extensions.get(openapi.EXTRA_PATHS, ()):
        document["paths"].update(paths())
    return jsonify(document)
