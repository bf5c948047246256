"""The provider's pages: the dashboard, the task list of a listing, its pages, submission, withdrawal."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from broker import db
from broker.auth.access import roles_required
from broker.errors import InvalidInput, NotFound
from broker.models import Listing, School, User
from broker.submissions import forms, services

bp = Blueprint("submissions", __name__, url_prefix="/provider")

Page = str | Response | tuple[str, int]
_PAGE_NAMES = "about,audience,delivery,cost,contact"


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _listing(listing_id: int) -> Listing:
    return services.own_listing(db.get_session(), _user(), listing_id)


def _attach(form: FlaskForm, exc: InvalidInput) -> None:
    """Put a service's message on the field it names (the first field when it names none)."""
    field = getattr(form, exc.field, None)
    if field is None or not hasattr(field, "errors"):
        field = next(f for f in form if f.type not in ("CSRFTokenField", "SubmitField"))
    field.errors = [*field.errors, exc.message]


def _shape_errors_ignoring_blanks(form: FlaskForm) -> bool:
    """For "save and come back later": drop "required" errors of empty fields; say if any remain."""
    remaining = False
    for field in form:
        if field.errors and not field.data:
            field.errors = []
        remaining = remaining or bool(field.errors)
    return remaining


def _after_page(listing: Listing) -> Response:
    if request.args.get("return") == "check":
        tasks = services.task_list(db.get_session(), listing)
        if tasks.ready:
            return redirect(url_for("submissions.check", listing_id=listing.id))
    return redirect(url_for("submissions.task_list", listing_id=listing.id))


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"vocab_items": _vocab_items, "answer": _answer}


def _vocab_items(vocabulary: Any) -> list[dict[str, Any]]:
    """Return per-term extras for GOV.UK checkboxes/radios: each term's hint, if it has one."""
    return [{"hint": {"text": t.hint}} if t.hint else {} for t in vocabulary]


def _answer(key: str, value: Any, href: str, hidden: str, editable: bool) -> dict[str, Any]:
    """Return one check-answers row (GOV.UK summary list) with its Change link."""
    row: dict[str, Any] = {"key": {"text": key}, "value": {"text": value or "Not given"}}
    if editable:
        row["actions"] = {"items": [{"href": href, "text": "Change", "visuallyHiddenText": hidden}]}
    return row


# --- dashboard and new listings -----------------------------------------------------------


@bp.get("")
@roles_required("provider")
def dashboard() -> Page:
    board = services.dashboard(db.get_session(), _user())
    return render_template("submissions/dashboard.html", board=board, form=forms.ConfirmForm())


@bp.route("/listings/new", methods=["GET", "POST"])
@roles_required("provider")
def new_listing() -> Page:
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        s = db.get_session()
        listing = services.create_draft(s, _user())
        s.commit()
        return redirect(url_for("submissions.task_list", listing_id=listing.id))
    provider = services.provider_of(db.get_session(), _user())
    return render_template("submissions/new.html", form=form, provider=provider)


@bp.get("/listings/<id:listing_id>")
@roles_required("provider")
def task_list(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    tasks = services.task_list(s, listing)
    return render_template(
        "submissions/task_list.html",
        tasks=tasks,
        listing=listing,
        editable=services.can_edit(s, listing),
        via_revision=services.edits_through_revision(s, listing),
        changed=services.changed_fields(s, listing),
        form=forms.ConfirmForm(),
    )


# --- organisation -------------------------------------------------------------------------


@bp.route("/listings/<id:listing_id>/organisation", methods=["GET", "POST"])
@roles_required("provider")
def organisation(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    provider = services.provider_of(s, _user())
    if request.method == "GET":
        school = s.get(School, provider.school_id) if provider.school_id else None
        form = forms.OrganisationForm(data=services.provider_values(provider, school))
    else:
        form = forms.OrganisationForm()
    form.la.choices = [SelectChoice("", "Not based in one local authority")] + [
        SelectChoice(code, name) for code, name in services.local_authority_choices(s)
    ]
    if form.validate_on_submit():
        try:
            services.save_organisation(s, _user(), form.data)
        except InvalidInput as exc:
            s.rollback()
            _attach(form, exc)
        else:
            s.commit()
            return _after_page(listing)
    status = 400 if request.method == "POST" else 200
    return render_template("submissions/organisation.html", form=form, listing=listing), status


# --- the listing pages --------------------------------------------------------------------


@bp.route(f"/listings/<id:listing_id>/<any({_PAGE_NAMES}):page>", methods=["GET", "POST"])
@roles_required("provider")
def page(listing_id: int, page: str) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    if not services.can_edit(s, listing):
        flash("You cannot change this listing while it is being reviewed.", "info")
        return redirect(url_for("submissions.task_list", listing_id=listing.id))
    form_class = forms.PAGE_FORMS[page]
    if request.method == "GET":
        values = services.working_values(s, listing)
        form = form_class(data={k: v for k, v in values.items() if v is not None})
    else:
        form = form_class()
    if page == "delivery":
        form.local_authorities.choices = [
            SelectChoice(code, name) for code, name in services.local_authority_choices(s)
        ]
    via_revision = services.edits_through_revision(s, listing)
    if request.method == "POST":
        later = bool(form.later.data) and not via_revision
        valid = form.validate_on_submit()
        if later and not valid:
            valid = not _shape_errors_ignoring_blanks(form)
        if valid:
            try:
                services.save_page(s, listing, page, form.data, _user(), complete=not later)
            except InvalidInput as exc:
                s.rollback()
                _attach(form, exc)
            else:
                s.commit()
                if later:
                    flash(
                        "Your answers are saved. You can come back to them at any time.", "success"
                    )
                    return redirect(url_for("submissions.dashboard"))
                return _after_page(listing)
    return render_template(
        f"submissions/{page}.html",
        form=form,
        listing=listing,
        page=page,
        page_title=services.PAGE_TITLES[page],
        via_revision=via_revision,
    ), 400 if request.method == "POST" else 200


# --- referees -----------------------------------------------------------------------------


def _render_referees(listing: Listing, search: FlaskForm, status: int = 200) -> Page:
    s = db.get_session()
    text = (search.q.data or "").strip()
    matches: list[School] = []
    if text and not search.q.errors:
        matches = services.search_schools(s, text)
    provider = services.provider_of(s, _user())
    chosen = services.referees(s, listing)
    chosen_ids = {r.school.id for r in chosen}
    return render_template(
        "submissions/referees.html",
        listing=listing,
        search=search,
        form=search,
        text=text,
        matches=matches,
        chosen=chosen,
        chosen_ids=chosen_ids,
        own_school_id=provider.school_id,
        editable=services.can_edit(s, listing),
        button=forms.ConfirmForm(),
    ), status


@bp.get("/listings/<id:listing_id>/referees")
@roles_required("provider")
def referees(listing_id: int) -> Page:
    listing = _listing(listing_id)
    search = forms.SchoolSearchForm(request.args)
    search.validate()
    return _render_referees(listing, search)


def _school_id() -> int:
    raw = request.form.get("school_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 11 else 0


@bp.post("/listings/<id:listing_id>/referees/add")
@roles_required("provider")
def add_referee(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    form = forms.ConfirmForm()
    search = forms.SchoolSearchForm(request.args)
    search.validate()
    if not form.validate_on_submit():
        search.q.errors = ["Your session expired: try again"]
        return _render_referees(listing, search, 400)
    try:
        school = services.add_referee(s, listing, _school_id(), _user())
    except InvalidInput as exc:
        s.rollback()
        _attach(search, exc)
        return _render_referees(listing, search, 400)
    s.commit()
    flash(f"{school.name} added as a referee.", "success")
    return redirect(url_for("submissions.referees", listing_id=listing.id, q=search.q.data or None))


@bp.post("/listings/<id:listing_id>/referees/remove")
@roles_required("provider")
def remove_referee(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    if forms.ConfirmForm().validate_on_submit():
        try:
            services.remove_referee(s, listing, _school_id())
        except InvalidInput:
            s.rollback()
        else:
            s.commit()
    return redirect(url_for("submissions.referees", listing_id=listing.id))


@bp.post("/listings/<id:listing_id>/referees")
@roles_required("provider")
def confirm_referees(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    search = forms.SchoolSearchForm(formdata=None)
    if not forms.ConfirmForm().validate_on_submit():
        return redirect(url_for("submissions.referees", listing_id=listing.id))
    try:
        services.confirm_referees(s, listing)
    except InvalidInput as exc:
        s.rollback()
        _attach(search, exc)
        return _render_referees(listing, search, 400)
    s.commit()
    return _after_page(listing)


# --- check answers and submit -------------------------------------------------------------


@bp.get("/listings/<id:listing_id>/check")
@roles_required("provider")
def check(listing_id: int) -> Page:
    return _render_check(_listing(listing_id), forms.ConfirmForm(), [])


def _render_check(listing: Listing, form: FlaskForm, problems: list[dict[str, Any]]) -> Page:
    s = db.get_session()
    tasks = services.task_list(s, listing)
    provider = tasks.provider
    school = s.get(School, provider.school_id) if provider.school_id else None
    return render_template(
        "submissions/check.html",
        listing=listing,
        tasks=tasks,
        provider=provider,
        provider_school=school,
        la=provider.la,
        summary=services.summary(s, listing),
        via_revision=services.edits_through_revision(s, listing),
        editable=services.can_edit(s, listing),
        form=form,
        problems=problems,
    ), 400 if problems else 200


@bp.post("/listings/<id:listing_id>/submit")
@roles_required("provider")
def submit(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("submissions.check", listing_id=listing.id))
    try:
        what = services.submit(s, listing, _user())
    except InvalidInput as exc:
        s.rollback()
        anchor = {"school_ids": "referees", "listing": "main-content"}.get(exc.field, exc.field)
        href = "#" + anchor
        return _render_check(listing, form, [{"text": exc.message, "href": href}])
    s.commit()
    if what == "revision":
        flash(
            "Your changes have been sent for review. The published listing stays as it was "
            "until they are approved.",
            "success",
        )
    else:
        flash(
            "Your listing has been submitted. We have asked your referee schools to recommend "
            "you; QA will review it once two schools have.",
            "success",
        )
    return redirect(url_for("submissions.dashboard"))


# --- after assurance ----------------------------------------------------------------------


@bp.route("/listings/<id:listing_id>/withdraw", methods=["GET", "POST"])
@roles_required("provider")
def withdraw(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    form = forms.WithdrawForm()
    if listing.status == "withdrawn":
        raise NotFound("This listing is already withdrawn.")
    if form.validate_on_submit():
        try:
            services.withdraw(s, listing, _user(), form.reason.data or "")
        except InvalidInput as exc:
            s.rollback()
            _attach(form, exc)
        else:
            s.commit()
            flash(f"“{listing.title or 'Untitled listing'}” has been withdrawn.", "success")
            return redirect(url_for("submissions.dashboard"))
    status = 400 if request.method == "POST" else 200
    return render_template("submissions/withdraw.html", form=form, listing=listing), status


@bp.post("/listings/<id:listing_id>/renew")
@roles_required("provider")
def renew(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    if not forms.ConfirmForm().validate_on_submit():
        return redirect(url_for("submissions.dashboard"))
    try:
        services.renew(s, listing, _user())
    except InvalidInput as exc:
        s.rollback()
        flash(exc.message, "error")
        return redirect(url_for("submissions.dashboard"))
    s.commit()
    flash(f"Renewal of “{listing.title}” requested.", "success")
    return redirect(url_for("submissions.dashboard"))


@bp.post("/listings/<id:listing_id>/discard")
@roles_required("provider")
def discard(listing_id: int) -> Page:
    s = db.get_session()
    listing = _listing(listing_id)
    if forms.ConfirmForm().validate_on_submit():
        try:
            services.discard_revision(s, listing, _user())
        except InvalidInput as exc:
            s.rollback()
            flash(exc.message, "error")
        else:
            s.commit()
            flash("Your unsubmitted changes have been discarded.", "success")
    return redirect(url_for("submissions.dashboard"))
