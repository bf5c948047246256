"""Heads' pages: their school's requests and recommendations, and recommending from a listing page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from broker import caseload, db
from broker.assurance import forms, services
from broker.auth.access import roles_required, signed_in_user
from broker.brokerage import services as brokerage
from broker.directory import services as directory
from broker.errors import Forbidden
from broker.models import Provider, School, User
from broker.refusals import committed_or_shown
from broker.schools import services as schools

bp = Blueprint("recommendations", __name__)

Page = str | Response | tuple[str, int]
#: Who recommends for a school: its head and the leaders they authorised (checked per school).
_HEAD = ("headteacher", "school_leader")


def _speaker() -> User:
    """Return the signed-in head or authorised leader, refusing a leader whose authority ended."""
    actor = signed_in_user()
    if not caseload.speaks_for_school(db.get_session(), actor, actor.school_id):
        raise Forbidden("Your authority to act for your school has been withdrawn.")
    return actor


@bp.app_template_global()
def recommend_refusal(provider: Provider) -> str | None:
    """Say why the signed-in head may not recommend this provider (None: they may)."""
    return services.self_recommendation(provider, signed_in_user())


@bp.get("/decisions")
@roles_required(*_HEAD)
def decisions() -> str:
    """The head's landing page: what waits for their decision, then their school."""
    session = db.get_session()
    actor = signed_in_user()
    school = session.get(School, actor.school_id) if actor.school_id else None
    waiting = brokerage.decisions_for_head(session, int(school.id or 0)) if school else {}
    history = schools.history(session, int(school.id or 0)) if school else []
    return render_template(
        "recommendations/decisions.html",
        school=school,
        to_agree=waiting.get("agree", []),
        to_evaluate=waiting.get("impact", []),
        requests=services.pending_requests(session, actor),
        latest=history[0].visit if history else None,
        under_way=brokerage.waiting(session, [int(school.id or 0)], ("agreed", "engaged"))
        if school
        else [],
    )


@bp.get("/recommendations")
@roles_required(*_HEAD)
def dashboard() -> str:
    session = db.get_session()
    actor = _speaker()
    school = session.get(School, actor.school_id) if actor.school_id else None
    made = (
        services.recommendation_views(session, school_id=actor.school_id) if actor.school_id else []
    )
    return render_template(
        "recommendations/dashboard.html",
        school=school,
        requests=services.pending_requests(session, actor),
        made=[v for v in made if v.recommendation.status != "requested"],
        withdraw_form=forms.ReasonForm(prefix="withdraw"),
    )


def _answer_page(
    recommendation_id: int, form: forms.RecommendForm, decline: forms.ReasonForm
) -> tuple[str, int]:
    session = db.get_session()
    session.rollback()
    request_view = services.request_for(session, recommendation_id, signed_in_user())
    page = render_template(
        "recommendations/answer.html",
        ask=request_view,
        form=form,
        decline_form=decline,
        page_forms=[form, decline],
    )
    return page, 400 if form.errors or decline.errors else 200


@bp.get("/recommendations/<id:recommendation_id>")
@roles_required(*_HEAD)
def answer(recommendation_id: int) -> Page:
    session = db.get_session()
    view = services.request_for(session, recommendation_id, signed_in_user())
    form = forms.RecommendForm()
    if not form.service_title.data and len(view.listings) == 1:
        form.service_title.data = view.listings[0].title
    if view.recommendation.status == "confirmed":
        form.service_title.data = view.recommendation.service_title
        form.impact.data = view.recommendation.impact
    return _answer_page(recommendation_id, form, forms.ReasonForm(prefix="decline"))


@bp.post("/recommendations/<id:recommendation_id>")
@roles_required(*_HEAD)
def confirm(recommendation_id: int) -> Page:
    form = forms.RecommendForm()
    decline = forms.ReasonForm(prefix="decline", formdata=None)
    if not form.validate_on_submit():
        return _answer_page(recommendation_id, form, decline)
    session = db.get_session()
    with committed_or_shown(session, form, default=form.impact):
        rec = services.confirm_recommendation(
            session, recommendation_id, signed_in_user(), form.service_title.data, form.impact.data
        )
    if form.errors:
        return _answer_page(recommendation_id, form, decline)
    flash(f"You recommended {rec.provider.name if rec.provider else 'the provider'}.", "success")
    return redirect(url_for("recommendations.dashboard"))


@bp.post("/recommendations/<id:recommendation_id>/decline")
@roles_required(*_HEAD)
def decline(recommendation_id: int) -> Page:
    form = forms.ReasonForm(prefix="decline")
    if not form.validate_on_submit():
        return _answer_page(recommendation_id, forms.RecommendForm(formdata=None), form)
    session = db.get_session()
    services.decline_recommendation(session, recommendation_id, signed_in_user(), form.reason.data)
    session.commit()
    flash("You declined the request.", "success")
    return redirect(url_for("recommendations.dashboard"))


@bp.post("/recommendations/<id:recommendation_id>/withdraw")
@roles_required(*_HEAD)
def withdraw(recommendation_id: int) -> Page:
    form = forms.ReasonForm(prefix="withdraw")
    if not form.validate_on_submit():
        abort(400, "The reason must be 2000 characters or fewer.")
    session = db.get_session()
    rec = services.withdraw_recommendation(
        session, recommendation_id, signed_in_user(), form.reason.data
    )
    session.commit()
    name = rec.provider.name if rec.provider else "the provider"
    flash(f"You withdrew your school's recommendation of {name}.", "success")
    return redirect(url_for("recommendations.dashboard"))


def _recommend_page(listing_id: int, form: forms.RecommendForm) -> tuple[str, int]:
    session = db.get_session()
    session.rollback()
    detail = directory.listing_detail(session, listing_id)
    if detail is None:
        abort(404)
    actor = signed_in_user()
    existing = services.existing_recommendation(
        session, int(detail.provider.id or 0), actor.school_id or -1
    )
    school = session.get(School, actor.school_id) if actor.school_id else None
    page = render_template(
        "recommendations/recommend.html",
        detail=detail,
        form=form,
        existing=existing,
        school=school,
        page_forms=[form],
    )
    return page, 400 if form.errors else 200


@bp.get("/directory/listings/<id:listing_id>/recommend")
@roles_required(*_HEAD)
def recommend_form(listing_id: int) -> Page:
    _speaker()
    form = forms.RecommendForm()
    session = db.get_session()
    detail = directory.listing_detail(session, listing_id)
    if detail is None:
        abort(404)
    refusal = services.self_recommendation(detail.provider, signed_in_user())
    if refusal is not None:
        raise Forbidden(f"{refusal}.")
    existing = services.existing_recommendation(
        session, int(detail.provider.id or 0), signed_in_user().school_id or -1
    )
    if existing is not None and existing.status == "confirmed":
        form.service_title.data, form.impact.data = existing.service_title, existing.impact
    else:
        form.service_title.data = detail.listing.title
    return _recommend_page(listing_id, form)


@bp.post("/directory/listings/<id:listing_id>/recommend")
@roles_required(*_HEAD)
def recommend(listing_id: int) -> Page:
    form = forms.RecommendForm()
    if not form.validate_on_submit():
        return _recommend_page(listing_id, form)
    session = db.get_session()
    detail = directory.listing_detail(session, listing_id)
    if detail is None:
        abort(404)
    with committed_or_shown(session, form, default=form.impact):
        services.recommend(
            session,
            int(detail.provider.id or 0),
            signed_in_user(),
            form.service_title.data,
            form.impact.data,
            listing_id=listing_id,
        )
    if form.errors:
        return _recommend_page(listing_id, form)
    flash(f"Your school now recommends {detail.provider.name}.", "success")
    return redirect(url_for("recommendations.dashboard"))
