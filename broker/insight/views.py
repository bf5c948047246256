"""The LA's supply and demand: a page of charts with their tables, and the same figures as CSV.

QA officers see their own LA; administrators choose any LA with ?la=CODE. Everyone else gets
403, and anonymous visitors are sent to sign in (broker.auth.access.roles_required).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from broker import db, local_authorities
from broker.auth.access import roles_required, signed_in_user
from broker.errors import InvalidInput
from broker.insight import services

bp = Blueprint("insight", __name__, url_prefix="/qa")

_ROLES = ("qa_officer", "admin")


@bp.get("/supply-and-demand")
@roles_required(*_ROLES)
def supply_demand() -> str:
    session = db.get_session()
    user = signed_in_user()
    la = services.local_authority_for(session, user, request.args.get("la"))
    choices = local_authorities.every(session) if user.role == "admin" else []
    result = services.report(session, la) if la is not None else None
    return render_template(
        "insight/supply_demand.html",
        report=result,
        la=la,
        choices=choices,
        min_schools=services.MIN_SCHOOLS,
        gap_ratio=services.GAP_RATIO,
        suppressed_text=services.SUPPRESSED,
    )


@bp.get("/supply-and-demand.csv")
@roles_required(*_ROLES)
def supply_demand_csv() -> Response:
    session = db.get_session()
    la = services.local_authority_for(session, signed_in_user(), request.args.get("la"))
    if la is None:
        raise InvalidInput("la", "Choose a local authority: add ?la= and its code.")
    result = services.report(session, la)
    response = Response(services.to_csv(result), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{services.csv_filename(result)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
