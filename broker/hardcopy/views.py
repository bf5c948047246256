"""The printed directory on the web: a print-friendly page and the PDF, for anyone.

Both are previews: a GET records nothing (a visitor or a crawler must not move the baseline of
"new since the last edition"). Editions are published with `broker hardcopy`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from broker import local_authorities
from broker.db import get_session
from broker.extensions import limiter
from broker.hardcopy import printing, services

bp = Blueprint("hardcopy", __name__, url_prefix="/hardcopy")

#: Laying out a PDF takes seconds of CPU: a public endpoint must not let one client queue many.
DEFAULT_PDF_RATE_LIMIT = "10 per minute"


def _pdf_rate_limit() -> str:
    return str(current_app.config.get("HARDCOPY_RATE_LIMIT") or DEFAULT_PDF_RATE_LIMIT)


def _site_url() -> str:
    return current_app.config.get("BASE_URL") or request.url_root


@bp.get("/")
def index() -> str:
    las = local_authorities.every(get_session())
    return render_template("hardcopy/index.html", local_authorities=las)


@bp.get("/<la_code>")
def page(la_code: str) -> str:
    hardcopy = services.prepare(get_session(), la_code)
    context = printing.page_context(current_app, hardcopy, _site_url())
    return render_template("hardcopy/page.html", **context)


@bp.get("/<la_code>.pdf")
@limiter.limit(_pdf_rate_limit)
def pdf(la_code: str) -> Response:
    hardcopy = services.prepare(get_session(), la_code)
    site = _site_url()
    key = f"{hardcopy.fingerprint()}|{site}"
    cache = printing.cache_for(current_app)
    body = cache.get(key)
    if body is None:
        body = printing.to_pdf(printing.render_html(current_app, hardcopy, site))
        cache.put(key, body)
    filename = f"directory-{hardcopy.la_code}-{hardcopy.produced_at.date().isoformat()}.pdf"
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
