"""The public directory: home page, assured listings, listing details, short codes."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from broker import taxonomy
from broker.db import get_session
from broker.directory import services
from broker.errors import NotFound

bp = Blueprint("directory", __name__)

#: Ids are 32-bit integers on PostgreSQL; anything larger cannot exist (and must not reach SQL).
_MAX_ID = 2**31 - 1
#: Longest keyword text and most words the interim keyword filter takes.
_MAX_QUERY_CHARS = 200
_MAX_WORDS = 10


def _page_number(value: str | None) -> int:
    """Read ?page=: anything that is not a positive whole number means page 1."""
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return max(number, 1)


@bp.get("/")
def home() -> str:
    figures = services.figures(get_session())
    return render_template("directory/home.html", figures=figures)


@bp.get("/directory")
def results() -> str:
    query = request.args.get("q", "").strip()[:_MAX_QUERY_CHARS]
    words = query.split()[:_MAX_WORDS]
    category_arg = request.args.get("category", "").strip()
    category = taxonomy.CATEGORIES.get(category_arg) if category_arg else None
    page_number = _page_number(request.args.get("page"))
    try:
        page = services.public_listings(
            get_session(),
            page_number,
            current_app.config["PAGE_SIZE"],
            words=words,
            category=category.slug if category else None,
        )
    except services.PageOutOfRange as exc:
        pages = "1 page" if exc.pages == 1 else f"{exc.pages} pages"
        raise NotFound(f"There is no page {exc.number}: these results have {pages}.") from None
    return render_template(
        "directory/results.html",
        page=page,
        query=query,
        category=category,
        unknown_category=category_arg if category_arg and category is None else None,
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
