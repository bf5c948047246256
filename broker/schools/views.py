"""School pages: the SIP's schools, a school's priorities over time, visits, priorities, SIPs.

Every page here is private to the school's circle (head, assigned SIPs, the LA's QA officers,
administrators): anonymous visitors are sent to sign in, anyone else gets 403.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from werkzeug.wrappers import Response

from broker import caseload, db
from broker.auth.access import can_see_school, roles_required, signed_in_user
from broker.auth.views import invitation_link
from broker.brokerage import services as brokerage
from broker.errors import Forbidden, InvalidInput
from broker.models import School
from broker.refusals import committed_or_shown
from broker.schools import forms, leaders, services
from broker.search.engine import get_search

bp = Blueprint("schools", __name__)

Page = str | Response | tuple[str, int]
#: Roles that can have a school in their circle (providers never do).


def _school(school_id: int) -> School:
    """Return the school if the current user may see its private records (else 404 / 403)."""
    school = caseload.get_school(db.get_session(), school_id)
    if not can_see_school(school_id):
        raise Forbidden("Only the school's headteacher, its SIP and its LA can see this page.")
    return school


@bp.app_template_global()
def form_errors(form: FlaskForm) -> dict[str, Any]:
    """Return the error summary for a form, linking date fields to their day box."""
    params: dict[str, Any] = wtforms_errors(form)
    for item in params["errorList"]:
        name = item["href"].lstrip("#")
        field = getattr(form, name, None)
        if isinstance(field, forms.GovDateField):
            item["href"] = f"#{name}-day"
    return params


def _status(form: FlaskForm) -> int:
    return 400 if form.errors else 200


# --- lists and the school page ----------------------------------------------------------------


@bp.get("/schools")
@roles_required(*caseload.CIRCLE_ROLES)
def index() -> Page:
    user = signed_in_user()
    if user.role in caseload.SCHOOL_ROLES and user.school_id is not None:
        return redirect(url_for("schools.school", school_id=user.school_id))
    s = db.get_session()
    if user.role == "sip":
        rows = services.caseload(s, user)
        waiting = brokerage.waiting(s, [int(r.school.id or 0) for r in rows])
        return render_template(
            "schools/caseload.html",
            rows=rows,
            for_head=[w for w in waiting if w.waits_on == "headteacher"],
            for_either=[w for w in waiting if w.waits_on != "headteacher"],
            today=date.today(),
        )
    words = request.args.get("q", "")[:100]
    found = services.schools_for(s, user, words)
    return render_template("schools/index.html", found=found, q=words)


@bp.get("/schools/<id:school_id>")
@roles_required(*caseload.CIRCLE_ROLES)
def school(school_id: int) -> str:
    found = _school(school_id)
    s = db.get_session()
    user = signed_in_user()
    return render_template(
        "schools/school.html",
        school=found,
        la=found.la,
        sips=services.assigned_sips(s, school_id),
        history=services.history(s, school_id),
        brokerages=brokerage.for_school(s, school_id),
        fatigue=brokerage.fatigue(s, found),
        is_sip=caseload.is_assigned_sip(s, user, school_id),
        may_assign=services.may_assign_sips(user, found),
        is_head=user.role == "headteacher" and user.school_id == school_id,
    )


# --- SIP assignments -----------------------------------------------------------------------


@bp.route("/schools/<id:school_id>/sips", methods=["GET", "POST"])
@roles_required("qa_officer", "admin")
def sips(school_id: int) -> Page:
    found = _school(school_id)
    s = db.get_session()
    user = signed_in_user()
    if not services.may_assign_sips(user, found):
        raise Forbidden("Only an administrator or a QA officer of the school's LA can do this.")
    form = forms.AssignSipForm()
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            sip = services.assign_sip(s, user, found, form.email.data or "")
        if not form.errors:
            flash(f"{sip.name} is now SIP for {found.name}.", "success")
            return redirect(url_for("schools.sips", school_id=school_id))
    return render_template(
        "schools/sips.html",
        school=found,
        sips=services.assigned_sips(s, school_id),
        form=form,
        remove_form=forms.ConfirmForm(),
    ), _status(form)


@bp.post("/schools/<id:school_id>/sips/<id:user_id>/remove")
@roles_required("qa_officer", "admin")
def remove_sip(school_id: int, user_id: int) -> Response:
    found = _school(school_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        raise InvalidInput("csrf_token", "The form has expired: go back and try again.")
    s = db.get_session()
    sip = services.unassign_sip(s, signed_in_user(), found, user_id)
    s.commit()
    flash(f"{sip.name} is no longer SIP for {found.name}.", "success")
    return redirect(url_for("schools.sips", school_id=school_id))


# --- authorised leaders -----------------------------------------------------------------------


@bp.route("/schools/<id:school_id>/leaders", methods=["GET", "POST"])
@roles_required("headteacher")
def leaders_page(school_id: int) -> Page:
    found = _school(school_id)
    s = db.get_session()
    head = signed_in_user()
    current = leaders.leaders(s, head, found)  # refuses anyone but the school's head
    form = forms.LeaderForm()
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            authority = leaders.authorise(
                s,
                head,
                found,
                email=form.email.data or "",
                name=form.name.data or "",
                title=form.title.data or "",
                link=invitation_link(),
                lifetime=timedelta(days=current_app.config["INVITATION_DAYS"]),
            )
        if not form.errors:
            flash(f"{form.name.data} can now act for {found.name} as {authority.title}.", "success")
            return redirect(url_for("schools.leaders_page", school_id=school_id))
        current = leaders.leaders(s, head, found)
    return render_template(
        "schools/leaders.html",
        school=found,
        leaders=current,
        form=form,
        withdraw_form=forms.ConfirmForm(),
    ), _status(form)


@bp.post("/schools/<id:school_id>/leaders/<id:authority_id>/withdraw")
@roles_required("headteacher")
def withdraw_leader(school_id: int, authority_id: int) -> Response:
    found = _school(school_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        raise InvalidInput("csrf_token", "The form has expired: go back and try again.")
    s = db.get_session()
    leaders.withdraw(s, signed_in_user(), found, authority_id)
    s.commit()
    flash(f"That leader can no longer act for {found.name}.", "success")
    return redirect(url_for("schools.leaders_page", school_id=school_id))


# --- visits ------------------------------------------------------------------------------------


def _visit_values(form: forms.VisitForm) -> services.VisitValues:
    return {
        "visited_on": form.visited_on.data,
        "evidence": form.evidence.data or [],
        "evidence_notes": form.evidence_notes.data or "",
        "support_category": form.support_category.data,
        "next_visit_on": form.next_visit_on.data,
    }


@bp.route("/schools/<id:school_id>/visits/new", methods=["GET", "POST"])
@roles_required("sip")
def new_visit(school_id: int) -> Page:
    found = _school(school_id)
    s = db.get_session()
    user = signed_in_user()
    caseload.require_sip(s, user, found)
    form = forms.VisitForm()
    if request.method == "GET":
        form.support_category.data = found.support_category
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            visit = services.record_visit(s, user, found, **_visit_values(form))
        if not form.errors:
            flash("Visit recorded. Now add the priorities you agreed with the head.", "success")
            return redirect(url_for("schools.new_priority", school_id=school_id, visit_id=visit.id))
    return render_template("schools/visit_form.html", school=found, form=form, visit=None), _status(
        form
    )


@bp.route("/schools/<id:school_id>/visits/<id:visit_id>/edit", methods=["GET", "POST"])
@roles_required("sip")
def edit_visit(school_id: int, visit_id: int) -> Page:
    found = _school(school_id)
    s = db.get_session()
    user = signed_in_user()
    caseload.require_sip(s, user, found)
    visit = services.get_visit(s, school_id, visit_id)
    form = forms.VisitForm(obj=visit if request.method == "GET" else None)
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            services.update_visit(s, user, visit, **_visit_values(form))
        if not form.errors:
            flash("Visit updated.", "success")
            return redirect(url_for("schools.visit", school_id=school_id, visit_id=visit_id))
    return render_template(
        "schools/visit_form.html", school=found, form=form, visit=visit
    ), _status(form)


@bp.get("/schools/<id:school_id>/visits/<id:visit_id>")
@roles_required(*caseload.CIRCLE_ROLES)
def visit(school_id: int, visit_id: int) -> str:
    found = _school(school_id)
    s = db.get_session()
    record = services.get_visit(s, school_id, visit_id)
    priorities = caseload.priorities_of(s, visit_id)
    return render_template(
        "schools/visit.html",
        school=found,
        visit=record,
        priorities=priorities,
        is_sip=caseload.is_assigned_sip(s, signed_in_user(), school_id),
        max_priorities=services.MAX_PRIORITIES,
    )


# --- priorities -------------------------------------------------------------------------------


def _priority_values(form: forms.PriorityForm) -> services.PriorityValues:
    return {
        "description": form.description.data or "",
        "category": form.category.data,
        "ecm_outcomes": form.ecm_outcomes.data or [],
        "pupil_groups": form.pupil_groups.data or [],
        "rag": form.rag.data,
    }


@bp.route("/schools/<id:school_id>/visits/<id:visit_id>/priorities/new", methods=["GET", "POST"])
@roles_required("sip")
def new_priority(school_id: int, visit_id: int) -> Page:
    found = _school(school_id)
    s = db.get_session()
    user = signed_in_user()
    caseload.require_sip(s, user, found)
    record = services.get_visit(s, school_id, visit_id)
    count = len(caseload.priorities_of(s, visit_id))
    form = forms.PriorityForm()
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            services.add_priority(s, user, record, **_priority_values(form))
        if not form.errors:
            flash(f"Priority {count + 1} saved.", "success")
            if form.another.data and count + 1 < services.MAX_PRIORITIES:
                return redirect(
                    url_for("schools.new_priority", school_id=school_id, visit_id=visit_id)
                )
            return redirect(url_for("schools.visit", school_id=school_id, visit_id=visit_id))
    return render_template(
        "schools/priority_form.html",
        school=found,
        visit=record,
        form=form,
        priority=None,
        number=count + 1,
        full=count >= services.MAX_PRIORITIES,
        max_priorities=services.MAX_PRIORITIES,
    ), _status(form)


@bp.route("/schools/<id:school_id>/priorities/<id:priority_id>/edit", methods=["GET", "POST"])
@roles_required("sip")
def edit_priority(school_id: int, priority_id: int) -> Page:
    found = _school(school_id)
    s = db.get_session()
    user = signed_in_user()
    caseload.require_sip(s, user, found)
    priority = caseload.get_priority(s, school_id, priority_id)
    record = services.get_visit(s, school_id, priority.visit_id)
    form = forms.PriorityForm(obj=priority if request.method == "GET" else None)
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            services.update_priority(s, user, priority, **_priority_values(form))
        if not form.errors:
            flash("Priority updated.", "success")
            return redirect(
                url_for("schools.priority", school_id=school_id, priority_id=priority_id)
            )
    return render_template(
        "schools/priority_form.html",
        school=found,
        visit=record,
        form=form,
        priority=priority,
        number=None,
        full=False,
        max_priorities=services.MAX_PRIORITIES,
    ), _status(form)


@bp.get("/schools/<id:school_id>/priorities/<id:priority_id>")
@roles_required(*caseload.CIRCLE_ROLES)
def priority(school_id: int, priority_id: int) -> str:
    found = _school(school_id)
    s = db.get_session()
    user = signed_in_user()
    record = caseload.get_priority(s, school_id, priority_id)
    is_sip = caseload.is_assigned_sip(s, user, school_id)
    shortlist = brokerage.for_priority(s, priority_id)
    shortlisted = {row.brokerage.listing_id for row in shortlist}
    return render_template(
        "schools/priority.html",
        school=found,
        priority=record,
        visit=services.get_visit(s, school_id, record.visit_id),
        shortlist=shortlist,
        shortlisted=shortlisted,
        suggestions=brokerage.suggestions(s, get_search(), found, record),
        is_sip=is_sip,
        fatigue=brokerage.fatigue(s, found),
    )
