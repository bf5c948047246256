"""The LA's insight pages: supply and demand, and how brokered work is spread between providers.
Each is a page of charts with their tables, and the same figures as CSV.

QA officers see their own LA; administrators choose any LA with ?la=CODE. Everyone else gets
403, and anonymous visitors are sent to sign in (broker.auth.access.roles_required).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from sqlmodel import Session

from broker import db, local_authorities
from broker.auth.access import roles_required, signed_in_user
from broker.errors import InvalidInput
from broker.insight import forms, services, spread
from broker.refusals import show_on_form

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


# --- how brokered work is spread ------------------------------------------------------------

_SPREAD = "spread of brokered work"


def _period(form: forms.PeriodForm) -> spread.Period | None:
    """Return the period the form asks for (None: the form now carries what to correct)."""
    if not form.validate():
        return None
    try:
        period = spread.period_for(form.period.data, form.start.data, form.end.data)
    except InvalidInput as exc:
        show_on_form(form, exc)
        return None
    form.period.data = period.choice
    return period


def _spread_csv_args(la_code: str, period: spread.Period) -> dict[str, object]:
    args: dict[str, object] = {"la": la_code, "period": period.choice}
    if period.choice == "custom":
        for name, day in (("start", period.first_day), ("end", period.last_day)):
            args[name] = [str(day.day), str(day.month), str(day.year)]
    return args


@bp.get("/brokering-spread")
@roles_required(*_ROLES)
def brokering_spread() -> tuple[str, int]:
    session: Session = db.get_session()
    user = signed_in_user()
    la = services.local_authority_for(session, user, request.args.get("la"), _SPREAD)
    form = forms.PeriodForm(request.args)
    period = _period(form)
    result = spread.spread(session, la, period) if la is not None and period else None
    return render_template(
        "insight/brokering_spread.html",
        form=form,
        result=result,
        la=la,
        choices=local_authorities.every(session) if user.role == "admin" else [],
        csv_args=_spread_csv_args(la.code, period) if la is not None and period else None,
        concentration_min=spread.CONCENTRATION_MIN,
        concentration_percent=spread.CONCENTRATION_PERCENT,
        chart_providers=spread.CHART_PROVIDERS,
        terms=spread.TERMS,
    ), (400 if form.errors else 200)


@bp.get("/brokering-spread.csv")
@roles_required(*_ROLES)
def brokering_spread_csv() -> Response:
    session = db.get_session()
    la = services.local_authority_for(session, signed_in_user(), request.args.get("la"), _SPREAD)
    if la is None:
        raise InvalidInput("la", "Choose a local authority: add ?la= and its code.")
    form = forms.PeriodForm(request.args)
    period = _period(form)
    if period is None:
        message = next(iter(e for errors in form.errors.values() for e in errors))
        raise InvalidInput("period", f"{message}.")
    result = spread.spread(session, la, period)
    response = Response(spread.to_csv_text(result), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{spread.csv_filename(result)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
