"""The visit pack of a school: a print-friendly page and an A4 PDF, for the school's circle only.

Same confidentiality as the school's page (head, assigned SIPs, the LA's QA officers, admins):
anonymous visitors are sent to sign in, anyone else gets 403. Neither the page nor the PDF may be
kept by a shared cache: both are sent with Cache-Control: private, no-store.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request

from broker import caseload, db
from broker.auth.access import can_see_school, roles_required
from broker.errors import Forbidden
from broker.extensions import limiter
from broker.hardcopy.printing import LONDON, local_date, to_pdf
from broker.models import School
from broker.search.engine import get_search
from broker.visitpack import PRINT_CSS, pdf_rate_limit, private, services

bp = Blueprint("visitpack", __name__, static_folder="static", static_url_path="/visit-pack-assets")


def _site_url() -> str:
    return str(current_app.config.get("BASE_URL") or request.url_root).rstrip("/")


def _school(school_id: int) -> School:
    school = caseload.get_school(db.get_session(), school_id)
    if not can_see_school(school_id):
        raise Forbidden(
            "Only the school's headteacher, its SIP and its LA can see this school's visit pack."
        )
    return school


def _context(app: Flask, school: School, *, pdf: bool) -> dict[str, Any]:
    site = _site_url()
    shown_site = site.removeprefix("https://").removeprefix("http://")
    pack = services.prepare(db.get_session(), get_search(), school, shown_site)
    return {
        "pack": pack,
        "produced_on": local_date(pack.produced_at),
        "produced_at": pack.produced_at.astimezone(LONDON).strftime("%H:%M"),
        "visited_on": (
            f"{pack.visited_on.day} {pack.visited_on.strftime('%B %Y')}" if pack.visited_on else ""
        ),
        "shown_site": shown_site,
        "confidential": caseload.CONFIDENTIAL,
        "service_name": app.config["SERVICE_NAME"],
        "pdf": pdf,
    }


@bp.get("/schools/<id:school_id>/visit-pack")
@roles_required(*caseload.CIRCLE_ROLES)
def page(school_id: int) -> Response:
    school = _school(school_id)
    body = render_template("visitpack/page.html", **_context(current_app, school, pdf=False))
    return private(Response(body, mimetype="text/html"))


@bp.get("/schools/<id:school_id>/visit-pack.pdf")
@roles_required(*caseload.CIRCLE_ROLES)
@limiter.limit(pdf_rate_limit)
def pdf(school_id: int) -> Response:
    school = _school(school_id)
    context = _context(current_app, school, pdf=True)
    html = current_app.jinja_env.get_template("visitpack/print.html").render(**context)
    response = Response(to_pdf(html, PRINT_CSS), mimetype="application/pdf")
    name = services.filename(context["pack"], context["pack"].produced_at.astimezone(LONDON).date())
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)
