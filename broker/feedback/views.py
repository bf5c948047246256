"""Feedback pages: leaving feedback on completed brokered work, the provider's list and its reply.

The brokerage page (the author's own feedback and its reply) and the QA review page (all the
feedback on a listing) show it through the template globals `brokerage_feedback` and
`listing_feedback`, which answer only what the signed-in user may read.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from broker import caseload, db
from broker.auth.access import roles_required, second_factor_pending, signed_in_user
from broker.brokerage import services as brokerage
from broker.feedback import forms, services
from broker.models import Brokerage
from broker.refusals import committed_or_shown

bp = Blueprint("feedback", __name__)

Page = str | Response | tuple[str, int]


def _signed_in() -> bool:
    return bool(current_user.is_authenticated) and not second_factor_pending()


@bp.app_template_global()
def brokerage_feedback(brokerage_id: int) -> dict[str, Any]:
    """Return the signed-in user's own feedback on the brokerage and whether they may leave one."""
    found: dict[str, Any] = {"mine": None, "can_write": False}
    if not _signed_in():
        return found
    s = db.get_session()
    row = s.get(Brokerage, brokerage_id)
    if row is None:
        return found
    user = signed_in_user()
    found["mine"] = services.own_feedback(s, user, brokerage_id)
    found["can_write"] = found["mine"] is None and services.may_write(s, user, row)
    return found


@bp.app_template_global()
def listing_feedback(listing_id: int) -> list[services.FeedbackView]:
    """Return all feedback on a listing for a QA officer who assures it (else nothing)."""
    if not _signed_in():
        return []
    return services.for_listing(db.get_session(), signed_in_user(), listing_id)


@bp.app_template_global()
def feedback_awaiting_reply() -> int:
    """Return how many feedbacks on the signed-in provider's work have no reply yet."""
    if not _signed_in() or current_user.role != "provider":
        return 0
    found = services.for_provider(db.get_session(), signed_in_user())
    return sum(1 for view in found if not view.replied)


# --- the author --------------------------------------------------------------------------------


@bp.route("/brokerage/<id:brokerage_id>/feedback", methods=["GET", "POST"])
@roles_required(*services.WRITER_ROLES)
def give(brokerage_id: int) -> Page:
    s = db.get_session()
    user = signed_in_user()
    row = brokerage.get_brokerage(s, brokerage_id)
    # Refuse at once (with the reason) rather than after the user writes their feedback.
    services.check_writer(s, user, row)
    detail = url_for("brokerage.detail", brokerage_id=brokerage_id, _anchor="feedback")
    form = forms.FeedbackForm()
    if not form.is_submitted() and services.own_feedback(s, user, brokerage_id) is not None:
        # Already given: the brokerage page shows it (and any reply).
        return redirect(detail)
    view = brokerage.view_of(s, row)
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            services.give(
                s, user, row, text=form.text.data, would_use_again=form.would_use_again.data
            )
        if not form.errors:
            flash(f"Feedback sent to {view.provider.name}.", "success")
            return redirect(detail)
    return render_template(
        "feedback/give.html",
        form=form,
        view=view,
        b=row,
        school=caseload.get_school(s, row.school_id),
    ), (400 if form.errors else 200)


# --- the provider ------------------------------------------------------------------------------


@bp.get("/provider/feedback")
@roles_required("provider")
def for_provider() -> Page:
    found = services.for_provider(db.get_session(), signed_in_user())
    return render_template("feedback/provider.html", found=found)


@bp.route("/provider/feedback/<id:feedback_id>/reply", methods=["GET", "POST"])
@roles_required("provider")
def reply(feedback_id: int) -> Page:
    s = db.get_session()
    user = signed_in_user()
    view = services.to_reply(s, user, feedback_id)
    back = url_for("feedback.for_provider", _anchor=f"feedback-{feedback_id}")
    form = forms.ReplyForm()
    if not form.is_submitted() and view.replied:
        return redirect(back)
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            services.reply(s, user, feedback_id, form.reply.data)
        if not form.errors:
            flash(f"Reply sent to {view.author.name}.", "success")
            return redirect(back)
        # Show what is saved now (a reply sent meanwhile, from another browser).
        view = services.to_reply(s, user, feedback_id)
    return render_template("feedback/reply.html", form=form, view=view), (
        400 if form.errors else 200
    )
