"""The public directory: home page, assured listings, listing details, short codes."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from broker.db import get_session
from broker.directory import services
from broker.errors import NotFound
from broker.search import services as search
from broker.search.engine import get_engine

bp = Blueprint("directory", __name__)

#: Ids are 32-bit integers on PostgreSQL; anything larger cannot exist (and must not reach SQL).
_MAX_ID = 2**31 - 1
@bp.get("/")
def home() -> str:
    figures = services.figures(get_session())
    return render_template("directory/home.html", figures=figures)


@bp.get("/directory")
def results() -> str:
    session = get_session()
    vocabularies = search.facet_vocabularies(session)
    req = search.parse(
        request.args.to_dict(flat=False),
        vocabularies,
        strict=False,
        default_per_page=current_app.config["PAGE_SIZE"],
    )
    found = search.search(session, get_engine(), req, vocabularies)
    if req.page > found.page.pages and found.total:
        pages = "1 page" if found.page.pages == 1 else f"{found.page.pages} pages"
        raise NotFound(f"There is no page {req.page}: these results have {pages}.")
    return render_template(
        "directory/results.html", found=found, page=found.page, req=req, sorts=search.SORTS
    )


@bp.get("/directory/listings/<int:listing_id>")
def listing(listing_id: int) -> str:
    detail = services.listing_detail(get_session(), listing_id) if listing_id <= _MAX_ID else None
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
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for("directory.results", **{k: v for k, v in args.items() if v})
