"""The provider's capacity page: /provider/capacity."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from broker import availability, db
from broker.auth.access import roles_required, signed_in_user
from broker.capacity import forms, services
from broker.refusals import committed_or_shown

bp = Blueprint("capacity", __name__, url_prefix="/provider")

Page = str | Response | tuple[str, int]


@bp.route("/capacity", methods=["GET", "POST"])
@roles_required("provider")
def capacity() -> Page:
    s = db.get_session()
    user = signed_in_user()
    provider, said = services.current(s, user)
    today = availability.today()
    if request.method == "GET":
        data: dict[str, object] = {}
        if said.said:
            data["taking"] = services.TAKING if said.taking(today) else services.NOT_TAKING
            data["days"] = str(said.days) if said.days is not None else ""
            data["until"] = said.until if not said.taking(today) else None
        form = forms.CapacityForm(data=data)
    else:
        form = forms.CapacityForm()
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            saved = services.save(
                s,
                user,
                taking=form.taking.data or "",
                days=form.days.data or "",
                until=form.until.data,
                today=today,
            )
        if not form.errors:
            flash(
                f"Your capacity is saved: {saved.describe(today) or 'Taking new work'}.", "success"
            )
            return redirect(url_for("submissions.dashboard"))
    return render_template(
        "capacity/capacity.html", form=form, provider=provider, said=said, today=today
    ), (400 if form.errors else 200)
