"""Brokerage pages: shortlisting a listing, the head's decision, the work's progress, its impact.

Private to the school's circle like the school pages: anonymous -> sign in, others -> 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from broker import caseload, db
from broker.auth.access import can_see_school, has_role, roles_required, signed_in_user
from broker.brokerage import forms, services
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.interests import services as interests
from broker.models import Brokerage, Listing, Priority, User
from broker.refusals import committed_or_shown
from broker.routing import parse_id

bp = Blueprint("brokerage", __name__)

Page = str | Response | tuple[str, int]
#: Endpoints of the assurance feature's "recommend this provider" page, tried in order.
_RECOMMEND_ENDPOINTS = ("recommendations.recommend_form",)


def _brokerage(brokerage_id: int) -> Brokerage:
    row = services.get_brokerage(db.get_session(), brokerage_id)
    if not can_see_school(row.school_id):
        raise Forbidden("Only the school's headteacher, its SIP and its LA can see this page.")
    return row


def _target_choices(user: User) -> list[Any]:
    from wtforms import SelectChoice

    choices = [SelectChoice("", "Choose a school's priority")]
    for school, priority in services.shortlist_targets(db.get_session(), user):
        words = (
            priority.description
            if len(priority.description) <= 70
            else priority.description[:67] + "…"
        )
        choices.append(SelectChoice(str(priority.id), words, optgroup=school.name))
    return choices


def recommend_url(view: services.BrokerageView) -> str:
    """Return where a head recommends the provider: the assurance flow, or the listing page."""
    for endpoint in _RECOMMEND_ENDPOINTS:
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, listing_id=view.listing.id)
            except BuildError:
                continue
    return url_for("directory.listing", listing_id=view.listing.id)


@bp.app_template_global()
def brokerage_panel(listing_id: int) -> dict[str, Any]:
    """Return what the listing page shows about brokerage: outcomes, and the SIP's shortlist form."""
    s = db.get_session()
    count, mean = services.brokerage_outcomes(s, [listing_id]).get(listing_id, (0, 0.0))
    panel: dict[str, Any] = {"count": count, "mean": mean, "form": None}
    if has_role("sip"):
        form = forms.ShortlistForm(formdata=None)
        form.priority_id.choices = _target_choices(signed_in_user())
        form.listing_id.data = listing_id
        panel["form"] = form
        panel["has_targets"] = len(form.priority_id.choices) > 1
        panel["shortlisted"] = services.shortlisted_for(s, signed_in_user(), listing_id)
        listing = s.get(Listing, listing_id)
        panel["interests"] = _interests_in(listing.provider_id) if listing else []
    return panel


def _interests_in(provider_id: int) -> list[str]:
    """Return the signed-in user's interests in the provider that count now, described."""
    found = interests.current_interests(db.get_session(), signed_in_user().id, provider_id)
    return [interests.describe(i) for i in found]


# --- shortlisting --------------------------------------------------------------------------


@bp.route("/brokerage/shortlist", methods=["GET", "POST"])
@roles_required("sip")
def shortlist() -> Page:
    s = db.get_session()
    user = signed_in_user()
    form = forms.ShortlistForm()
    form.priority_id.choices = _target_choices(user)
    raw_listing = request.values.get("listing_id", "")
    listing_id = parse_id(raw_listing)
    listing = services.public_listing(s, listing_id) if listing_id is not None else None
    if listing is None:
        raise NotFound("That listing is not in the directory.")
    if request.method == "GET":
        form.listing_id.data = listing.id
        form.priority_id.data = request.args.get("priority_id", "")
    elif form.validate_on_submit():
        raw = form.priority_id.data or ""
        priority_id = parse_id(raw)
        priority = s.get(Priority, priority_id) if priority_id is not None else None
        with committed_or_shown(s, form):
            if priority is None or not caseload.is_assigned_sip(s, user, priority.school_id):
                raise InvalidInput("priority_id", "Select one of your schools' priorities")
            services.shortlist(
                s,
                user,
                priority,
                int(listing.id or 0),
                "From a directory search",
                declaration=form.declaration.data,
            )
        if not form.errors:
            school = caseload.get_school(s, priority.school_id)
            flash(f"“{listing.title}” is on {school.name}’s shortlist.", "success")
            # To the priority's page: its shortlist now includes the listing.
            return redirect(
                url_for("schools.priority", school_id=school.id, priority_id=priority.id)
            )
    return render_template(
        "brokerage/shortlist.html",
        form=form,
        listing=listing,
        interests=_interests_in(listing.provider_id),
    ), (400 if form.errors else 200)


@bp.post("/schools/<id:school_id>/priorities/<id:priority_id>/shortlist")
@roles_required("sip")
def shortlist_suggestion(school_id: int, priority_id: int) -> Response:
    """Shortlist one of the matcher's suggestions from the priority page."""
    s = db.get_session()
    if not can_see_school(school_id):
        raise Forbidden("Only the school's SIP can shortlist support for it.")
    priority = caseload.get_priority(s, school_id, priority_id)
    form = forms.StepForm()
    raw = request.form.get("listing_id", "")
    back = url_for("schools.priority", school_id=school_id, priority_id=priority_id)
    listing_id = parse_id(raw)
    if not form.validate_on_submit() or listing_id is None:
        raise InvalidInput("listing_id", "Choose a listing to shortlist.")
    note = request.form.get("note", "")[:2000]
    try:
        row = services.shortlist(s, signed_in_user(), priority, listing_id, note)
    except InvalidInput as exc:
        s.rollback()
        flash(exc.message, "error")
        if exc.field == "declaration":
            # The one-click button cannot ask: the shortlist page does.
            return redirect(
                url_for("brokerage.shortlist", listing_id=listing_id, priority_id=priority_id)
            )
        return redirect(back)
    s.commit()
    listing = s.get(Listing, row.listing_id)
    flash(f"“{listing.title if listing else 'The listing'}” is on the shortlist.", "success")
    return redirect(back)


# --- one brokerage -------------------------------------------------------------------------


@bp.get("/brokerage/<id:brokerage_id>")
@roles_required(*caseload.CIRCLE_ROLES)
def detail(brokerage_id: int) -> str:
    row = _brokerage(brokerage_id)
    s = db.get_session()
    view = services.view_of(s, row)
    school = caseload.get_school(s, row.school_id)
    return render_template(
        "brokerage/detail.html",
        view=view,
        b=row,
        school=school,
        steps=services.allowed_steps(s, signed_in_user(), row),
        trail=services.audit_trail(s, brokerage_id),
        fatigue=services.fatigue(s, school),
        positive=services.is_positive(row),
        recommend_url=recommend_url(view),
        form=forms.StepForm(),
    )


def _step_values(form: FlaskForm) -> dict[str, Any]:
    if isinstance(form, forms.DeclineForm):
        return {"reason": form.reason.data or ""}
    if isinstance(form, forms.ImpactForm):
        return {"rating": form.rating.data, "impact": form.impact.data or ""}
    return {}


def _step_page(brokerage_id: int, to: str, template: str, form: FlaskForm) -> Page:
    row = _brokerage(brokerage_id)
    s = db.get_session()
    user = signed_in_user()
    # Refuse at once (with the reason) rather than after the user fills in the form.
    services.check_step(s, user, row, to)
    view = services.view_of(s, row)
    school = caseload.get_school(s, row.school_id)
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            services.move(s, user, row, to, **_step_values(form))
        if not form.errors:
            label = {
                "agreed": "You agreed to this support.",
                "declined": "You declined this support.",
                "evaluated": "Impact recorded. Thank you.",
            }[to]
            flash(label, "success")
            return redirect(url_for("brokerage.detail", brokerage_id=brokerage_id))
    return render_template(
        template,
        view=view,
        b=row,
        school=school,
        form=form,
        fatigue=services.fatigue(s, school, extra=row) if to == "agreed" else None,
    ), (400 if form.errors else 200)


@bp.route("/brokerage/<id:brokerage_id>/agree", methods=["GET", "POST"])
@roles_required(*caseload.CIRCLE_ROLES)
def agree(brokerage_id: int) -> Page:
    return _step_page(brokerage_id, "agreed", "brokerage/agree.html", forms.StepForm())


@bp.route("/brokerage/<id:brokerage_id>/decline", methods=["GET", "POST"])
@roles_required(*caseload.CIRCLE_ROLES)
def decline(brokerage_id: int) -> Page:
    return _step_page(brokerage_id, "declined", "brokerage/decline.html", forms.DeclineForm())


@bp.route("/brokerage/<id:brokerage_id>/impact", methods=["GET", "POST"])
@roles_required(*caseload.CIRCLE_ROLES)
def impact(brokerage_id: int) -> Page:
    return _step_page(brokerage_id, "evaluated", "brokerage/impact.html", forms.ImpactForm())


def _simple_step(brokerage_id: int, to: str, message: str) -> Response:
    row = _brokerage(brokerage_id)
    form = forms.StepForm()
    if not form.validate_on_submit():
        raise InvalidInput("csrf_token", "The form has expired: go back and try again.")
    s = db.get_session()
    services.move(s, signed_in_user(), row, to)
    s.commit()
    flash(message, "success")
    return redirect(url_for("brokerage.detail", brokerage_id=brokerage_id))


@bp.post("/brokerage/<id:brokerage_id>/engage")
@roles_required(*caseload.CIRCLE_ROLES)
def engage(brokerage_id: int) -> Response:
    return _simple_step(brokerage_id, "engaged", "Recorded: the work has started.")


@bp.post("/brokerage/<id:brokerage_id>/complete")
@roles_required(*caseload.CIRCLE_ROLES)
def complete(brokerage_id: int) -> Response:
    return _simple_step(
        brokerage_id,
        "completed",
        "Recorded: the work is complete. The head can now record its impact.",
    )
