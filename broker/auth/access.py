"""Who is signed in, and what they may do: the helpers every feature's views use.

- `roles_required(*roles)`: decorate a view; anonymous -> /sign-in?next=<this page>, a signed-in
  user without one of `roles` -> 403. With no roles, any signed-in user passes.
- `current_user` (from flask_login) is a `broker.models.User` or an anonymous user.
- `can_see_school(school_id)`, `visible_school_ids()`, `has_role(*roles)` answer for the current user.
- `safe_next(target)` returns `target` only when it is a path on this site.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from broker import db
from broker.auth import services
from broker.extensions import login_manager
from broker.models import User, UserSession, utcnow

F = TypeVar("F", bound=Callable[..., Any])

SESSION_TOKEN_KEY = "sid"  # noqa: S105 (the name of a session key, not a secret)
#: Endpoints a QA officer or admin may reach before passing the second factor.
_SECOND_FACTOR_OPEN = {
    "auth.two_factor",
    "auth.two_factor_setup",
    "auth.sign_out",
    "auth.sign_in",
    "static",
}


def request_path() -> str:
    """Return this request's path and query, for a `next` parameter."""
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def _unsafe_char(ch: str) -> bool:
    return ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirects).

    Refuses absolute and scheme-relative URLs (`http://h`, `//h`), backslash forms that browsers
    treat as slashes (`/\\h`, `https:\\\\h`), `javascript:`, control characters and whitespace, and
    each of these hidden behind percent-encoding in the path (checked after repeated decoding).
    """
    if not target or len(target) > 2000 or any(_unsafe_char(ch) for ch in target):
        return None
    # Only the path decides where a browser goes; an encoded space in the query is fine.
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    for _ in range(5):
        if any(_unsafe_char(ch) for ch in path):
            return None
        if not path.startswith("/") or path.startswith("//"):
            return None
        parts = urlsplit(path)
        if parts.scheme or parts.netloc:
            return None
        decoded = unquote(path)
        if decoded == path:
            return target
        path = decoded
    return None


def signed_in_user() -> User:
    """Return the signed-in user, a User of this request's Session (check it is signed in first)."""
    return cast(User, current_user._get_current_object())


def current_session_record() -> UserSession | None:
    """Return the server-side record of this browser's session, when signed in."""
    record: UserSession | None = g.get("auth_session")
    return record


def second_factor_pending(user: Any = None) -> bool:
    """Say whether the signed-in user still has to pass (or set up) the second factor."""
    user = current_user if user is None else user
    if not user.is_authenticated or not user.needs_second_factor:
        return False
    record = current_session_record()
    return record is None or record.second_factor_at is None


def has_role(*roles: str) -> bool:
    """Say whether the current user is fully signed in with one of `roles`."""
    return (
        bool(current_user.is_authenticated)
        and not second_factor_pending()
        and current_user.role in roles
    )


def _to_sign_in() -> Response:
    return redirect(url_for("auth.sign_in", next=request_path()))


def _to_second_factor() -> Response:
    user = cast(User, current_user)
    endpoint = "auth.two_factor" if user.totp_enrolled_at else "auth.two_factor_setup"
    return redirect(url_for(endpoint, next=request_path()))


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow the view to signed-in users with one of `roles` (any role when none are given)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _to_sign_in()
            if second_factor_pending():
                return _to_second_factor()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


login_required = roles_required()


def can_see_school(school_id: int, user: Any = None) -> bool:
    """Say whether the current user (fully signed in), or the given one, may see a school's private records."""
    if user is None:
        user = current_user
        if not user.is_authenticated or second_factor_pending(user):
            return False
    return services.can_see_school(db.get_session(), user, school_id)


def visible_school_ids(user: Any = None) -> set[int] | None:
    """Return the ids of schools the current (or given) user may see privately (None: all)."""
    if user is None:
        user = current_user
        if not user.is_authenticated or second_factor_pending(user):
            return set()
    return services.visible_school_ids(db.get_session(), user)


def _policy() -> services.SessionPolicy:
    return services.SessionPolicy.from_config(current_app.config)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    raw = session.get(SESSION_TOKEN_KEY)
    if not raw or not user_id.isdigit():
        return None
    s = db.get_session()
    loaded = services.load_session(s, int(user_id), raw, _policy(), utcnow())
    s.commit()
    if loaded is None:
        session.clear()
        return None
    user, record = loaded
    g.auth_session = record
    return user


@login_manager.unauthorized_handler
def _unauthorized() -> Response:
    return _to_sign_in()


def _second_factor_gate() -> Response | None:
    if request.endpoint in _SECOND_FACTOR_OPEN or request.endpoint is None:
        return None
    if "_user_id" not in session:
        return None
    if current_user.is_authenticated and second_factor_pending():
        return _to_second_factor()
    return None


def sign_out_current() -> None:
    """End this browser's session on the server and forget it in the cookie."""
    raw = session.get(SESSION_TOKEN_KEY)
    if raw:
        s = db.get_session()
        services.end_session(s, raw, utcnow())
        s.commit()
    logout_user()
    session.clear()


def init_app(app: Flask) -> None:
    """Bind the login manager and the second-factor gate to the app."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", True))
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    app.before_request(_second_factor_gate)
