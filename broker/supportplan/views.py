"""The support plan of a school (a print-friendly page and an A4 PDF) and the form for the plan
details of one brokerage.

As confidential as the visit pack: the school's circle only (its head and authorised leaders, its
SIPs, its LA's QA officers, administrators); anonymous visitors are sent to sign in, anyone else
gets 403, and neither page nor PDF may be kept by a shared cache. The PDF is laid out by the
visit pack's machinery (broker.hardcopy.printing.to_pdf) with the visit pack's print stylesheet.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from broker import caseload, db
from broker.auth.access import can_see_school, roles_required, signed_in_user
from broker.brokerage import services as brokerage
from broker.errors import Forbidden
from broker.extensions import limiter
from broker.hardcopy.printing import LONDON, local_date, to_pdf
from broker.models import Brokerage, School
from broker.refusals import committed_or_shown
from broker.supportplan import forms, services
from broker.visitpack import PRINT_CSS, pdf_rate_limit, private

bp = Blueprint("supportplan", __name__)

Page = str | BaseResponse | tuple[str, int]
_REFUSAL = "Only the school's headteacher, its SIP and its LA can see this school's support plan."


def _school(school_id: int) -> School:
    school = caseload.get_school(db.get_session(), school_id)
    if not can_see_school(school_id):
        raise Forbidden(_REFUSAL)
    return school


def _context(school: School, *, pdf: bool) -> dict[str, Any]:
    plan = services.prepare(db.get_session(), school)
    return {
        "plan": plan,
        "produced_on": local_date(plan.produced_at),
        "produced_at": plan.produced_at.astimezone(LONDON).strftime("%H:%M"),
        "long_date": services.long_date,
        "confidential": caseload.CONFIDENTIAL,
        "service_name": current_app.config["SERVICE_NAME"],
        "pdf": pdf,
    }


@bp.get("/schools/<id:school_id>/support-plan")
@roles_required(*caseload.CIRCLE_ROLES)
def page(school_id: int) -> Response:
    school = _school(school_id)
    body = render_template("supportplan/page.html", **_context(school, pdf=False))
    return private(Response(body, mimetype="text/html"))


@bp.get("/schools/<id:school_id>/support-plan.pdf")
@roles_required(*caseload.CIRCLE_ROLES)
@limiter.limit(pdf_rate_limit)
def pdf(school_id: int) -> Response:
    school = _school(school_id)
    context = _context(school, pdf=True)
    html = current_app.jinja_env.get_template("supportplan/print.html").render(**context)
    response = Response(to_pdf(html, PRINT_CSS), mimetype="application/pdf")
    plan = context["plan"]
    name = services.filename(plan, plan.produced_at.astimezone(LONDON).date())
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


# --- the plan details of one brokerage ------------------------------------------------------------


@bp.app_template_global()
def may_set_plan_details(row: Brokerage) -> bool:
    """Say whether the signed-in user may change this brokerage's plan details now."""
    return services.may_set_details(db.get_session(), signed_in_user(), row)


@bp.app_template_global()
def plan_money(pence: int | None) -> str:
    """Return pence as pounds: £1,250 or £1,250.50 ("" for none)."""
    return services.money(pence)


def _cost_input(pence: int | None) -> str:
    """Return pence as the form shows them: 1250 or 1250.50."""
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}" if rest else str(pounds)


@bp.route("/brokerage/<id:brokerage_id>/plan-details", methods=["GET", "POST"])
@roles_required(*caseload.CIRCLE_ROLES)
def details(brokerage_id: int) -> Page:
    s = db.get_session()
    row = brokerage.get_brokerage(s, brokerage_id)
    if not can_see_school(row.school_id):
        raise Forbidden("Only the school's headteacher, its SIP and its LA can see this page.")
    user = signed_in_user()
    # Refuse at once (with the reason) rather than after the user fills in the form.
    services.check_may_set_details(s, user, row)
    form = forms.PlanDetailsForm()
    if not form.is_submitted():
        form.planned_start.data = row.planned_start
        form.planned_end.data = row.planned_end
        form.agreed_cost.data = _cost_input(row.agreed_cost_pence)
        form.cost_note.data = row.cost_note or ""
        form.success_criteria.data = row.success_criteria or ""
    elif form.validate():
        with committed_or_shown(s, form):
            changed = services.set_details(
                s,
                user,
                row,
                planned_start=form.planned_start.data,
                planned_end=form.planned_end.data,
                agreed_cost=form.agreed_cost.data,
                cost_note=form.cost_note.data,
                success_criteria=form.success_criteria.data,
            )
        if not form.errors:
            flash("Plan details saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("brokerage.detail", brokerage_id=brokerage_id))
    return render_template(
        "supportplan/details.html",
        view=brokerage.view_of(s, row),
        b=row,
        school=caseload.get_school(s, row.school_id),
        form=form,
    ), (400 if form.errors else 200)
