"""The comparison page: `/directory/compare?id=1&id=2` (a GET form or links; no JavaScript needed)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from broker.auth.access import safe_next
from broker.comparison import services
from broker.db import get_session
from broker.errors import InvalidInput

bp = Blueprint("comparison", __name__)


@bp.get("/directory/compare")
def compare() -> tuple[str, int]:
    ids = services.chosen_ids(request.args.getlist("id"))
    back = safe_next(request.args.get("back"))
    problem = ""
    try:
        services.check_count(ids)
    except InvalidInput as exc:
        problem = exc.message
    found = services.compare(get_session(), ids)
    if problem:
        status = 400
    elif ids and not found.columns:
        status = 404
    else:
        status = 200
    return render_template(
        "comparison/compare.html",
        found=found,
        chosen=ids,
        problem=problem,
        back=back,
        max_listings=services.MAX_LISTINGS,
        without=lambda listing_id: url_for(
            "comparison.compare",
            id=[i for i in found.ids if i != listing_id],
            back=back,
        ),
    ), status
