"""GET /healthz: JSON, 200 when this process can serve, 503 when it cannot."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from broker import db
from broker.extensions import limiter
from broker.health import services
from broker.search.engine import get_search
from broker.search.listener import KEY as LISTENER
from index.backends.base import SearchBackend

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    try:
        backend: SearchBackend | None = get_search().backend
    except Exception:
        current_app.logger.exception("Health check: the index cannot be opened")
        backend = None
    listener = current_app.extensions.get(LISTENER)
    listening = listener.listening.is_set() if listener is not None else None
    health = services.check(db.get_session(), backend, listening)
    response = jsonify(health.as_json())
    response.status_code = 200 if health.ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
