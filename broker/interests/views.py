"""The register of interests: /account/interests, for SIPs and QA officers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from broker import db, taxonomy
from broker.auth.access import roles_required, signed_in_user
from broker.errors import InvalidInput
from broker.interests import forms, services
from broker.refusals import committed_or_shown

bp = Blueprint("interests", __name__)

Page = str | Response | tuple[str, int]


@bp.route("/account/interests", methods=["GET", "POST"])
@roles_required(*services.REGISTER_ROLES)
def register() -> Page:
    s = db.get_session()
    user = signed_in_user()
    form = forms.InterestForm()
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            interest = services.add(
                s,
                user,
                provider_name=form.provider.data or "",
                kind=form.kind.data or "",
                started_on=form.started_on.data,
                ended_on=form.ended_on.data,
                details=form.details.data or "",
            )
        if not form.errors:
            flash(f"Added to your register: {services.describe(interest)}.", "success")
            return redirect(url_for("interests.register"))
    entries = services.register(s, user)
    return render_template(
        "interests/register.html",
        form=form,
        entries=entries,
        remove_form=forms.RemoveForm(),
        years=taxonomy.INTEREST_YEARS,
        kind_hints=[{"hint": {"text": t.hint}} for t in taxonomy.INTEREST_KINDS],
    ), (400 if form.errors else 200)


@bp.post("/account/interests/<id:interest_id>/remove")
@roles_required(*services.REGISTER_ROLES)
def remove(interest_id: int) -> Response:
    form = forms.RemoveForm()
    if not form.validate_on_submit():
        raise InvalidInput("csrf_token", "The form has expired: go back and try again.")
    s = db.get_session()
    interest = services.remove(s, signed_in_user(), interest_id)
    s.commit()
    flash(f"Removed from your register: {services.describe(interest)}.", "success")
    return redirect(url_for("interests.register"))
