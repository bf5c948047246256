"""The Open Referral UK read-only API under /openreferral/v3: parse the request, call a service."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from broker.db import get_session
from broker.errors import BrokerError, NotFound
from broker.openreferral import services

PREFIX = "/openreferral/v3"
bp = Blueprint("openreferral", __name__, url_prefix=PREFIX)


@bp.after_request
def _cors(response: Response) -> Response:
    # Read-only and public, as the standard expects of a directory's feed.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    # The same for everyone (it reads no cookie), as the JSON API: 30 s caching.
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


@bp.errorhandler(BrokerError)
def _error(exc: BrokerError) -> tuple[Response, int]:
    body: dict[str, object] = {"status": exc.status, "message": exc.message}
    field = getattr(exc, "field", None)
    if field:
        body["field"] = field
    return jsonify({"error": body}), exc.status


def _base_url() -> str:
    return str(current_app.config.get("BASE_URL") or request.host_url).rstrip("/")


def _query() -> services.ServiceQuery:
    return services.parse_query(request.args.to_dict())


@bp.get("/")
def root() -> Response:
    return jsonify(services.root(url_for("api.openapi_document", _external=True)))


@bp.get("/services")
def service_list() -> Response:
    return jsonify(services.services(get_session(), _query(), _base_url()))


@bp.get("/services/<sid>")
def service(sid: str) -> Response:
    found = services.find_service(get_session(), sid, _base_url())
    if found is None:
        raise NotFound("No public service has that id.")
    return jsonify(found)


@bp.get("/service_at_locations")
def service_at_location_list() -> Response:
    return jsonify(services.service_at_locations(get_session(), _query(), _base_url()))


@bp.get("/service_at_locations/<sal_id>")
def service_at_location(sal_id: str) -> Response:
    found = services.find_service_at_location(get_session(), sal_id, _base_url())
    if found is None:
        raise NotFound("No public service at location has that id.")
    return jsonify(found)


@bp.get("/taxonomies")
def taxonomy_list() -> Response:
    query = _query()
    return jsonify(services.taxonomies(query.page, query.per_page))


@bp.get("/taxonomies/<tid>")
def taxonomy(tid: str) -> Response:
    found = services.taxonomy(tid)
    if found is None:
        raise NotFound("No taxonomy has that id.")
    return jsonify(found)


@bp.get("/taxonomy_terms")
def taxonomy_term_list() -> Response:
    query = _query()
    return jsonify(services.taxonomy_terms(query.page, query.per_page, query.taxonomy_id))


@bp.get("/taxonomy_terms/<tid>")
def taxonomy_term(tid: str) -> Response:
    found = services.taxonomy_term(tid)
    if found is None:
        raise NotFound("No taxonomy term has that id.")
    return jsonify(found)
