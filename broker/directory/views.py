"""The public directory: home page, assured listings, listing details, short codes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import Session
from werkzeug.wrappers import Response

from broker.auth.access import can_see_school
from broker.db import get_session
from broker.directory import school_context, services
from broker.errors import Forbidden, NotFound
from broker.search import services as search
from broker.search.engine import get_search

bp = Blueprint("directory", __name__)


@bp.get("/")
def home() -> str:
    cache: services.FiguresCache = current_app.extensions["broker.directory.figures"]
    figures = cache.get(get_session())
    return render_template("directory/home.html", figures=figures)


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement: what the service is tested against, and what it is not."""
    return render_template("directory/accessibility.html")


def _school_context(session: Session) -> tuple[school_context.SchoolContext | None, str]:
    """Return the school this search is for (?for=<id>), or None and a note why it was ignored."""
    raw = request.args.get(search.CONTEXT_PARAM, "")
    if not raw.strip():
        return None, ""
    if not current_user.is_authenticated:
        # Never look the school up for an anonymous visitor: not even its name may show.
        return None, (
            "Sign in to search the directory for one of your schools. "
            "These results are the whole public directory."
        )
    school_id = school_context.school_id_of(raw)
    if not can_see_school(school_id):
        raise Forbidden(
            "You can search the directory for a school only if you are its headteacher, "
            "its School Improvement Partner or a QA officer of its local authority."
        )
    return school_context.for_school(session, school_id), ""


@bp.get("/directory")
def results() -> str | Response:
    session = get_session()
    vocabularies = search.facet_vocabularies(session)
    req = search.parse(
        request.args.to_dict(flat=False),
        vocabularies,
        strict=False,
        default_per_page=current_app.config["PAGE_SIZE"],
    )
    context, context_note = _school_context(session)
    if context is not None:
        req = search.lock_filters(req, context.locked, vocabularies)
    found = search.search(session, get_search(), req, vocabularies)
    if req.page > found.page.pages and found.total:
        pages = "1 page" if found.page.pages == 1 else f"{found.page.pages} pages"
        raise NotFound(f"There is no page {req.page}: these results have {pages}.")
    body = render_template(
        "directory/results.html",
        found=found,
        page=found.page,
        req=req,
        sorts=search.SORTS,
        passed_filters=search.PASSED,
        passed_term=search.passed_term,
        school_context=context,
        context_note=context_note,
        context_args={search.CONTEXT_PARAM: context.school_id} if context else {},
        stop_url=search_url(**{search.CONTEXT_PARAM: None}),
    )
    if context is None:
        return body
    # The marks say what one school did: never kept by a shared cache.
    response = make_response(body)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/directory/listings/<id:listing_id>")
def listing(listing_id: int) -> str:
    detail = services.listing_detail(get_session(), listing_id)
    if detail is None:
        raise NotFound()
    return render_template("directory/listing.html", detail=detail)


@bp.get("/l/<code>")
def short_code(code: str) -> Response:
    listing_id = services.public_listing_id_for_code(get_session(), code)
    if listing_id is None:
        raise NotFound(f"No listing in the directory has the code {code[:20]}.")
    return redirect(url_for("directory.listing", listing_id=listing_id))


@bp.app_template_global()
def search_url(remove: tuple[str, str] | None = None, **changes: object) -> str:
    """Return this search's URL with one filter value removed and/or parameters changed.

    Any change returns to page 1 unless `page` is given.
    """
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    if remove is not None:
        name, value = remove
        args[name] = [v for v in args.get(name, []) if search.is_other_value(name, v, value)]
    for key, changed in changes.items():
        if changed is None:
            args.pop(key, None)
        else:
            args[key] = [str(changed)]
    values: dict[str, Any] = {k: v for k, v in args.items() if v}
    return url_for("directory.results", **values)
