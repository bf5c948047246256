"""The offline pages and the device's data: /sw.js, /offline, the bundles, and drafts sent back.

- /sw.js: the service worker, at the root so that its scope is the whole site; `no-cache`, so
  a browser checks for a new one on every visit.
- /offline: the page the service worker answers with when there is no network. The same for
  everyone (it names no one), so it may be kept; JavaScript fills it from the device's copy.
- /offline/directory/<LA>.json: an LA's public directory, as a compact bundle (anyone; cached
  per change, gzipped, with an ETag; sent gzipped to clients that accept it).
- /offline/mine.json: the SIP's own schools (SIPs only; never kept by a cache but the device's).
- POST /offline/drafts: a draft typed offline; saved once by its key, or returned with a reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import IntegrityError

from broker import db
from broker.auth.access import roles_required, signed_in_user
from broker.errors import BrokerError, InvalidInput
from broker.offline import services

bp = Blueprint("offline", __name__)

SERVICE_WORKER = Path(__file__).resolve().parents[1] / "static" / "js" / "sw.js"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    response = Response(SERVICE_WORKER.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def page() -> Response:
    response = Response(render_template("offline/page.html"), mimetype="text/html")
    # The same page for everyone (it names no one): the service worker keeps it; a browser
    # checks for a newer one each time.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline/directory/<la_code>.json")
def directory(la_code: str) -> Response:
    cache: services.BundleCache = current_app.extensions["broker.offline.bundles"]
    bundle = cache.get(db.get_session(), la_code)
    etag = hashlib.sha256(bundle.generation.encode()).hexdigest()[:32]
    if request.accept_encodings["gzip"]:
        # Kept gzipped, sent as kept: browsers (the device's fetch) decompress it themselves.
        response = Response(bundle.gzipped, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
        # Each encoding is its own representation, with its own validator.
        etag += "-gzip"
    else:
        response = Response(bundle.chunks(), mimetype="application/json")
        response.headers["Content-Length"] = str(bundle.size)
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, no-cache"
    response.make_conditional(request)
    return response


def draft_secret(user_id: int) -> str:
    """Return the key that seals the user's drafts on a device (the same each time, unguessable)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"offline-drafts:{user_id}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@bp.get("/offline/mine.json")
@roles_required("sip")
def mine() -> Response:
    user = signed_in_user()
    bundle: dict[str, Any] = services.personal_bundle(db.get_session(), user)
    for school in bundle["schools"]:
        school["visit_pack"] = url_for("visitpack.page", school_id=school["id"])
    bundle["csrf_token"] = generate_csrf()
    bundle["draft_secret"] = draft_secret(int(user.id or 0))
    return _private(jsonify(bundle))


def _returned(status: int, message: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {"status": "returned", "message": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return _private(response)


@bp.post("/offline/drafts")
@roles_required("sip")
def drafts() -> Response:
    session = db.get_session()
    user = signed_in_user()
    payload = request.get_json(silent=True)
    try:
        received = services.receive_draft(session, user, payload)
        session.commit()
    except InvalidInput as exc:
        session.rollback()
        return _returned(422, exc.message, exc.field)
    except BrokerError as exc:
        session.rollback()
        return _returned(exc.status, exc.message)
    except IntegrityError:
        # The same draft, sent twice at once: the other upload saved it.
        session.rollback()
        try:
            again = services.saved_before(session, user, services.draft_key(payload))
        except InvalidInput as exc:
            return _returned(422, exc.message, exc.field)
        if again is None:
            return _returned(409, "The draft could not be saved just now: it will be sent again")
        received = again
    if received.kind == "visit":
        url = url_for("schools.visit", school_id=received.school_id, visit_id=received.visit_id)
    else:
        url = url_for(
            "schools.priority", school_id=received.school_id, priority_id=received.saved_id
        )
    response = jsonify(
        {
            "status": "saved",
            "duplicate": received.duplicate,
            "key": received.key,
            "kind": received.kind,
            "id": received.saved_id,
            "visit_id": received.visit_id,
            "url": url,
        }
    )
    response.status_code = 200 if received.duplicate else 201
    return _private(response)
