"""Account pages: sign in and out, registration, emailed links, second factor, invitations."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from govuk_frontend_wtf.main import wtforms_errors
from werkzeug.wrappers import Response

from broker import db, navigation, taxonomy
from broker.auth import forms, services, totp
from broker.auth.access import (
    SESSION_TOKEN_KEY,
    current_session_record,
    login_required,
    roles_required,
    safe_next,
    second_factor_pending,
    sign_out_current,
    signed_in_user,
)
from broker.errors import InvalidInput
from broker.mail import notifications
from broker.models import User, utcnow
from broker.refusals import committed_or_shown, show_on_form

bp = Blueprint("auth", __name__)
bp.add_app_template_global(wtforms_errors, "wtforms_errors")

Page = str | Response | tuple[str, int]


def _address() -> str:
    return request.remote_addr or "unknown"


def _policy() -> services.SessionPolicy:
    return services.SessionPolicy.from_config(current_app.config)


def _link(endpoint: str) -> services.LinkBuilder:
    """Build emailed links from BROKER_BASE_URL when set (never from a forged Host header)."""
    base: str | None = current_app.config.get("BASE_URL")

    def build(token: str) -> str:
        if base:
            return base + url_for(endpoint, token=token)
        return url_for(endpoint, token=token, _external=True)

    return build


#: Where each role lands after signing in: its own daily work (broker/navigation.py names them).
LANDING = {
    "sip": "schools.index",
    "headteacher": "recommendations.decisions",
    "school_leader": "recommendations.decisions",
    "provider": "submissions.dashboard",
    "qa_officer": "assurance.queue",
    "admin": "assurance.queue",
}


def invitation_link() -> services.LinkBuilder:
    """Return the builder of emailed invitation links (for features that invite people)."""
    return _link("auth.accept_invitation")


def _landing(user: User) -> str:
    endpoint = LANDING.get(user.role, "auth.account")
    if endpoint not in current_app.view_functions:
        endpoint = "auth.account"
    return url_for(endpoint)


def _no_store(page: Any, status: int = 200) -> Response:
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def _begin_session(user: User, second_factor: bool = False) -> None:
    """Open a fresh server-side session for `user` in this browser (new cookie contents)."""
    s = db.get_session()
    raw = services.start_session(s, user, _address(), utcnow(), second_factor=second_factor)
    s.commit()
    session.clear()
    login_user(user)
    session[SESSION_TOKEN_KEY] = raw
    session.permanent = True


# --- sign in and out ----------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Page:
    form = forms.SignInForm()
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        form.next.data = target or ""
        if current_user.is_authenticated and not second_factor_pending():
            return redirect(target or _landing(current_user))
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form), 400 if form.errors else 200
    s = db.get_session()
    now = utcnow()
    policy = _policy()
    attempt = services.note_attempt(s, form.email.data, _address(), policy, now)
    s.commit()
    if attempt is None:
        minutes = int(policy.failure_window.total_seconds() // 60)
        form.email.errors = [
            f"Too many attempts to sign in. Wait {minutes} minutes and try again, "
            "or reset your password."
        ]
        response = current_app.make_response((render_template("auth/sign_in.html", form=form), 429))
        response.headers["Retry-After"] = str(int(policy.failure_window.total_seconds()))
        return response
    result = services.check_credentials(
        s, form.email.data, form.password.data, attempt, _link("auth.confirm_email"),
        _confirm_lifetime(), now, _address(),
    )  # fmt: skip
    s.commit()
    if result.user is None:
        if result.problem == "unconfirmed":
            message = "Confirm your email address first: we have emailed you a new link"
        else:
            message = "Enter a correct email address and password"
        form.email.errors = [message]
        return render_template("auth/sign_in.html", form=form), 400
    _begin_session(result.user)
    if result.user.needs_second_factor:
        endpoint = "auth.two_factor" if result.user.totp_enrolled_at else "auth.two_factor_setup"
        return redirect(url_for(endpoint, next=target) if target else url_for(endpoint))
    return redirect(target or _landing(result.user))


@bp.post("/sign-out")
def sign_out() -> Response:
    sign_out_current()
    flash("You have signed out.", "success")
    response = redirect(url_for("auth.sign_in"))
    # The device's offline copy of a SIP's schools (broker/offline) goes with the session, even
    # when the page's own script did not run: browsers delete the site's storage on this header.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


# --- provider registration ----------------------------------------------------------------


def _confirm_lifetime() -> timedelta:
    return timedelta(days=current_app.config["EMAIL_CONFIRMATION_DAYS"])


@bp.route("/register", methods=["GET", "POST"])
def register() -> Page:
    form = forms.RegisterForm()
    if form.validate_on_submit():
        s = db.get_session()
        with committed_or_shown(s, form):
            services.register_provider(
                s,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                confirm=form.confirm.data,
                organisation=form.organisation.data,
                kind=form.kind.data,
                link=_link("auth.confirm_email"),
                lifetime=_confirm_lifetime(),
                now=utcnow(),
            )
        if not form.errors:
            return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.get("/register/check-your-email")
def check_email() -> str:
    return render_template("auth/check_email.html")


@bp.get("/confirm-email/<token>")
def confirm_email(token: str) -> Page:
    s = db.get_session()
    try:
        services.confirm_email(s, token, utcnow())
    except services.InvalidToken as exc:
        s.rollback()
        return render_template("auth/link_problem.html", message=exc.message), 400
    s.commit()
    flash("Your email address is confirmed. You can now sign in.", "success")
    return redirect(url_for("auth.sign_in"))


# --- passwords ----------------------------------------------------------------------------


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset_request() -> Page:
    form = forms.EmailForm()
    if form.validate_on_submit():
        s = db.get_session()
        services.request_password_reset(
            s, form.email.data, _address(), _link("auth.password_reset"),
            timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"]), utcnow(),
        )  # fmt: skip
        s.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/reset_request.html", form=form), 400 if form.errors else 200


def _set_password_page(token: str, purpose: str, template: str) -> Page:
    s = db.get_session()
    form = forms.NewPasswordForm()
    try:
        user = services.peek_token(s, token, purpose, utcnow())
    except services.InvalidToken as exc:
        return render_template("auth/link_problem.html", message=exc.message), 400
    if form.validate_on_submit():
        action = services.reset_password if purpose == "reset" else services.accept_invitation
        try:
            action(s, token, form.password.data, form.confirm.data, utcnow())
        except InvalidInput as exc:
            s.rollback()
            show_on_form(form, exc)
        except services.InvalidToken as exc:
            s.rollback()
            return render_template("auth/link_problem.html", message=exc.message), 400
        else:
            s.commit()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.sign_in"))
    page = render_template(template, form=form, user=user)
    return _no_store(page, 400 if form.errors else 200)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def password_reset(token: str) -> Page:
    return _set_password_page(token, "reset", "auth/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Page:
    return _set_password_page(token, "invite", "auth/accept_invitation.html")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Page:
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        s = db.get_session()
        user = s.get(User, current_user.id)
        assert user is not None
        record = current_session_record()
        with committed_or_shown(s, form):
            services.change_password(
                s, user, form.current.data, form.password.data, form.confirm.data, utcnow()
            )
        if not form.errors:
            # Every session ended; this browser gets a new one so the user stays signed in here.
            _begin_session(user, second_factor=bool(record and record.second_factor_at))
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200


# --- second factor ------------------------------------------------------------------------


def _after_second_factor(user: User) -> None:
    """Swap the session for a new one marked as having passed the second factor."""
    s = db.get_session()
    old = session.get(SESSION_TOKEN_KEY)
    if old:
        services.end_session(s, old, utcnow())
    s.commit()
    _begin_session(user, second_factor=True)


def _keeping_next(endpoint: str, target: str | None) -> Response:
    """Redirect to the other second-factor page, passing on where to go afterwards."""
    return redirect(url_for(endpoint, next=target) if target else url_for(endpoint))


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
def two_factor_setup() -> Page:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    s = db.get_session()
    user = signed_in_user()
    target = safe_next(request.values.get("next"))
    if user.totp_enrolled_at is not None:
        return _keeping_next("auth.two_factor", target)
    form = forms.CodeForm()
    if form.validate_on_submit():
        with committed_or_shown(s, form):
            codes = services.confirm_enrolment(s, user, form.code.data, utcnow())
        if not form.errors:
            _after_second_factor(user)
            page = render_template(
                "auth/recovery_codes.html", codes=codes, next=target or _landing(user)
            )
            return _no_store(page)
    secret = services.begin_enrolment(s, user)
    s.commit()
    form.next.data = target or ""
    uri = totp.provisioning_uri(secret, user.email, current_app.config["SERVICE_NAME"])
    grouped = " ".join(re.findall(".{1,4}", secret))
    page = render_template("auth/two_factor_setup.html", form=form, secret=grouped, uri=uri)
    return _no_store(page, 400 if form.errors else 200)


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor() -> Page:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    s = db.get_session()
    user = signed_in_user()
    target = safe_next(request.values.get("next"))
    if user.totp_enrolled_at is None:
        return _keeping_next("auth.two_factor_setup", target)
    if not second_factor_pending():
        return redirect(target or _landing(user))
    form = forms.CodeForm()
    if request.method == "GET":
        form.next.data = target or ""
    if form.validate_on_submit():
        try:
            kind = services.check_second_factor(s, user, form.code.data, _policy(), utcnow())
        except InvalidInput as exc:
            s.commit()  # keep the counted failure
            show_on_form(form, exc)
        else:
            s.commit()
            _after_second_factor(user)
            if kind == "recovery":
                left = services.recovery_codes_left(s, user)
                flash(f"You used a recovery code. You have {left} left.", "success")
            return redirect(target or _landing(user))
    return render_template("auth/two_factor.html", form=form), 400 if form.errors else 200


# --- the account page and invitations -----------------------------------------------------


@bp.get("/account")
@login_required
def account() -> str:
    s = db.get_session()
    user = s.get(User, current_user.id)
    assert user is not None
    return render_template(
        "auth/account.html",
        user=user,
        role=taxonomy.ROLES.label_of(user.role),
        recovery_left=services.recovery_codes_left(s, user) if user.totp_enrolled_at else None,
    )


# --- notifications -----------------------------------------------------------------------


def _unread() -> int:
    return notifications.unread_count(db.get_session(), signed_in_user())


@bp.record_once
def _count_in_navigation(state: Any) -> None:
    navigation.add_counter(state.app, "auth.notifications_list", _unread)


@bp.get("/notifications")
@login_required
def notifications_list() -> str:
    s = db.get_session()
    user = signed_in_user()
    return render_template(
        "auth/notifications.html",
        items=notifications.recent(s, user),
        unread=notifications.unread_count(s, user),
        form=forms.MarkReadForm(),
    )


@bp.post("/notifications/read")
@login_required
def notifications_read() -> Response:
    if not forms.MarkReadForm().validate_on_submit():
        raise InvalidInput("csrf_token", "The form has expired: go back and try again.")
    s = db.get_session()
    count = notifications.mark_all_read(s, signed_in_user())
    s.commit()
    if count:
        flash("Your notifications are marked as read.", "success")
    return redirect(url_for("auth.notifications_list"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_settings() -> Page:
    s = db.get_session()
    user = signed_in_user()
    kinds = notifications.kinds_for(user.role)
    form = forms.EmailChoicesForm()
    form.emailed.choices = [(k.slug, k.label) for k in kinds]
    if request.method == "GET":
        chosen = notifications.email_choices(s, user)
        form.emailed.data = [slug for slug, on in chosen.items() if on]
    elif form.validate_on_submit():
        with committed_or_shown(s, form):
            notifications.choose_emails(s, user, list(form.emailed.data or []))
        if not form.errors:
            flash("Your email choices are saved.", "success")
            return redirect(url_for("auth.notification_settings"))
    page = render_template("auth/notification_settings.html", form=form, kinds=kinds)
    return page, 400 if form.errors else 200


@bp.route("/invite", methods=["GET", "POST"])
@roles_required("admin", "qa_officer")
def invite() -> Page:
    form = forms.InviteForm()
    if current_user.role == "qa_officer":
        form.la_code.description = (
            "Not needed: you invite QA officers for your own local authority."
        )
    if form.validate_on_submit():
        s = db.get_session()
        inviter = s.get(User, current_user.id)
        assert inviter is not None
        urns = [u for u in re.split(r"[\s,;]+", form.schools.data or "") if u]
        with committed_or_shown(s, form):
            invited = services.invite(
                s,
                inviter,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                school_urns=urns,
                la_code=form.la_code.data or "",
                link=_link("auth.accept_invitation"),
                lifetime=timedelta(days=current_app.config["INVITATION_DAYS"]),
                now=utcnow(),
            )
        if not form.errors:
            flash(f"Invitation sent to {invited.email}.", "success")
            return redirect(url_for("auth.invite"))
    return render_template("auth/invite.html", form=form), 400 if form.errors else 200
