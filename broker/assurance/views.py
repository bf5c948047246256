"""QA officers' pages: the queue, one listing's evidence with the decisions, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from broker import db
from broker.assurance import forms, services
from broker.assurance.changes import field_labels
from broker.auth.access import roles_required
from broker.errors import InvalidInput
from broker.models import User
from broker.routing import parse_id

bp = Blueprint("assurance", __name__, cli_group="assurance")

Page = str | Response | tuple[str, int]
_QA = ("qa_officer", "admin")

bp.add_app_template_filter(field_labels, "field_labels")


def _actor() -> User:
    user = db.get_session().get(User, current_user.id)
    assert user is not None
    return user


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort(400, "The page number must be a whole number from 1.")
    return int(raw)


@bp.get("/qa")
@roles_required(*_QA)
def queue() -> str:
    found = services.qa_queue(
        db.get_session(), _actor(), request.args.get("show", "review"), _page_number()
    )
    return render_template("assurance/queue.html", queue=found, views=services.QUEUE_VIEWS)


def _forms() -> dict[str, FlaskForm]:
    return {
        "approve": forms.ApproveForm(prefix="approve"),
        "changes": forms.ChangesForm(prefix="changes"),
        "reject": forms.RejectForm(prefix="reject"),
        "suspend": forms.SuspendForm(prefix="suspend"),
        "reinstate": forms.ReinstateForm(prefix="reinstate"),
    }


def _render_review(
    listing_id: int, action_forms: dict[str, FlaskForm], problem: str | None = None
) -> tuple[str, int]:
    session = db.get_session()
    session.rollback()
    detail = services.review(session, listing_id, _actor())
    failed = any(f.errors for f in action_forms.values()) or problem
    page = render_template(
        "assurance/review.html",
        review=detail,
        forms=action_forms,
        page_forms=list(action_forms.values()),
        problem=problem,
    )
    return page, 400 if failed else 200


@bp.get("/qa/listings/<id:listing_id>")
@roles_required(*_QA)
def review(listing_id: int) -> Page:
    return _render_review(listing_id, _forms())


def _decision(
    listing_id: int,
    key: str,
    text_field: str,
    act: Callable[..., Any],
    done: str,
) -> Page:
    action_forms = _forms()
    form = action_forms[key]
    if not form.validate_on_submit():
        return _render_review(listing_id, action_forms)
    session = db.get_session()
    try:
        listing = act(session, listing_id, _actor(), getattr(form, text_field).data)
    except InvalidInput as exc:
        session.rollback()
        target = getattr(form, exc.field, None)
        if target is None:
            return _render_review(listing_id, action_forms, problem=exc.message)
        target.errors = [*target.errors, exc.message]
        return _render_review(listing_id, action_forms)
    session.commit()
    flash(done.format(title=listing.title), "success")
    return redirect(url_for("assurance.review", listing_id=listing_id))


@bp.post("/qa/listings/<id:listing_id>/approve")
@roles_required(*_QA)
def approve(listing_id: int) -> Page:
    return _decision(
        listing_id, "approve", "note", services.approve, "“{title}” is assured and published."
    )


@bp.post("/qa/listings/<id:listing_id>/request-changes")
@roles_required(*_QA)
def request_changes(listing_id: int) -> Page:
    return _decision(
        listing_id,
        "changes",
        "message",
        services.request_changes,
        "Changes requested: the provider has been emailed your message.",
    )


@bp.post("/qa/listings/<id:listing_id>/reject")
@roles_required(*_QA)
def reject(listing_id: int) -> Page:
    return _decision(listing_id, "reject", "reason", services.reject, "“{title}” is rejected.")


@bp.post("/qa/listings/<id:listing_id>/suspend")
@roles_required(*_QA)
def suspend(listing_id: int) -> Page:
    return _decision(
        listing_id,
        "suspend",
        "reason",
        services.suspend,
        "“{title}” is suspended and hidden from the directory.",
    )


@bp.post("/qa/listings/<id:listing_id>/reinstate")
@roles_required(*_QA)
def reinstate(listing_id: int) -> Page:
    return _decision(
        listing_id, "reinstate", "reason", services.reinstate, "“{title}” is reinstated."
    )


@bp.get("/qa/audit")
@roles_required(*_QA)
def audit() -> Page:
    form = forms.AuditFilterForm(request.args)
    provider_raw = request.args.get("provider", "")
    provider_id = None
    if provider_raw:
        provider_id = parse_id(provider_raw)
        if provider_id is None:
            abort(400, "The provider must be given by its number.")
    name = form.name.data if form.validate() else None
    found = services.audit_trail(
        db.get_session(), _actor(), provider_id=provider_id, name=name, page=_page_number()
    )
    return render_template(
        "assurance/audit.html", found=found, form=form, page_forms=[form]
    ), 400 if form.errors else 200


@bp.cli.command("remind")
def remind_command() -> None:
    """Email providers whose assurance ends within 30 days (once per assurance period)."""
    from broker import mail

    if not current_app.config.get("BASE_URL"):
        raise click.ClickException(
            "Set BROKER_BASE_URL to the service's public address first: reminders carry links."
        )
    with current_app.app_context():
        session = db.new_session(current_app._get_current_object())  # type: ignore[attr-defined]
        try:
            sent = services.send_renewal_reminders(session)
            session.commit()
            mail.deliver_committed(session)
        finally:
            session.close()
    click.echo(f"Sent {sent} renewal reminder{'s' if sent != 1 else ''}.")


@bp.cli.command("lapse")
def lapse_command() -> None:
    """Record the lapse of every assurance that has run out (status, audit row, index change).

    Run it from cron as often as you like (the server also runs it every
    BROKER_LAPSE_INTERVAL_SECONDS); a lapsed listing is hidden at once whether or not it has run.
    """
    from broker.lifecycle import scheduler

    count = scheduler.run_once(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"Recorded {count} lapsed assurance{'s' if count != 1 else ''}.")
