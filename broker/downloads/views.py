"""Downloads: `/directory/results.csv` (the search page's words and filters, as CSV), and a
priority's shortlist as CSV or a printable page, for the school's circle only.

The shortlist follows the priority page's rules: anonymous -> sign in, outside the school's circle
-> 403; its answers are never kept by a shared cache.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user

from broker import caseload, db
from broker.auth.access import can_see_school, roles_required
from broker.directory import school_context
from broker.downloads import services
from broker.errors import Forbidden
from broker.extensions import limiter
from broker.models import Priority, School
from broker.search import services as search
from broker.search.engine import get_search
from broker.spreadsheet import to_csv

bp = Blueprint("downloads", __name__, static_folder="static", static_url_path="/download-assets")

#: One results download runs up to ten searches (1,000 rows): one client may not queue many.
DEFAULT_SEARCH_CSV_RATE_LIMIT = "30 per minute"


def _search_csv_rate_limit() -> str:
    return str(current_app.config.get("SEARCH_CSV_RATE_LIMIT") or DEFAULT_SEARCH_CSV_RATE_LIMIT)


def _site_url() -> str:
    return str(current_app.config.get("BASE_URL") or request.url_root).rstrip("/")


def _csv(text: str, filename: str, *, private: bool) -> Response:
    # UTF-8 with a byte order mark, so spreadsheets read "£" and accents as written.
    response = Response("\ufeff" + text, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/directory/results.csv")
@limiter.limit(_search_csv_rate_limit)
def search_csv() -> Response:
    """The search's results as CSV: the same words, filters, order and school as the page."""
    session = db.get_session()
    vocabularies = search.facet_vocabularies(session)
    args = request.args.to_dict(flat=False)
    req = search.parse(args, vocabularies, strict=False)
    private = False
    raw = request.args.get(search.CONTEXT_PARAM, "").strip()
    if raw and current_user.is_authenticated:
        # As the results page: only the school's circle may search for it; the public never.
        school_id = school_context.school_id_of(raw)
        if not can_see_school(school_id):
            raise Forbidden(
                "You can search the directory for a school only if you are its headteacher, "
                "its School Improvement Partner or a QA officer of its local authority."
            )
        context = school_context.for_school(session, school_id)
        req = search.lock_filters(req, context.locked, vocabularies)
        private = True
    rows, _total = services.search_rows(session, get_search(), req, vocabularies, _site_url())
    return _csv(to_csv(rows), services.search_filename(req, date.today()), private=private)


def _shortlist_of(school_id: int, priority_id: int) -> tuple[School, Priority]:
    s = db.get_session()
    school = caseload.get_school(s, school_id)
    if not can_see_school(school_id):
        raise Forbidden("Only the school's headteacher, its SIP and its LA can see its shortlist.")
    return school, caseload.get_priority(s, school_id, priority_id)


@bp.get("/schools/<id:school_id>/priorities/<id:priority_id>/shortlist.csv")
@roles_required(*caseload.CIRCLE_ROLES)
def shortlist_csv(school_id: int, priority_id: int) -> Response:
    school, priority = _shortlist_of(school_id, priority_id)
    entries = services.shortlist(db.get_session(), priority, _site_url())
    name = services.shortlist_filename(school, priority, date.today())
    return _csv(to_csv(services.shortlist_rows(entries)), name, private=True)


@bp.get("/schools/<id:school_id>/priorities/<id:priority_id>/shortlist/print")
@roles_required(*caseload.CIRCLE_ROLES)
def shortlist_print(school_id: int, priority_id: int) -> Response:
    school, priority = _shortlist_of(school_id, priority_id)
    entries = services.shortlist(db.get_session(), priority, _site_url())
    body = render_template(
        "downloads/shortlist_print.html",
        school=school,
        priority=priority,
        entries=entries,
        confidential=caseload.CONFIDENTIAL,
        today=date.today(),
    )
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-store"
    return response
