"""Notifications: the events that need someone, in their in-service list and, if they want, by email.

`tell()` adds a row to the person's list and queues the email in the caller's transaction,
unless they chose not to get that kind by email. Every email ends with absolute links (from
BROKER_BASE_URL, else the request's own address) to the page it is about and to the page where
the person chooses their emails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request
from sqlmodel import Session, col, select
from werkzeug.routing import BuildError

from broker.errors import InvalidInput
from broker.mail import queue
from broker.models import Notification, NotificationSetting, User, utcnow

#: Where links point when neither BROKER_BASE_URL nor a request says.
FALLBACK_BASE_URL = "http://localhost"
#: Key in app.extensions: whether the missing BROKER_BASE_URL has been logged.
_WARNED = "broker.base_url_warned"


@dataclass(frozen=True)
class Kind:
    slug: str
    #: What the person is told about, as the preferences page lists it.
    label: str
    #: Roles that ever get this kind.
    roles: tuple[str, ...]


KINDS: tuple[Kind, ...] = (
    Kind("shortlisted", "Support shortlisted for your school", ("headteacher", "school_leader")),
    Kind(
        "recommendation-requested",
        "A provider asks your school for a recommendation",
        ("headteacher", "school_leader"),
    ),
    Kind("head-decision", "A headteacher's decision on support you shortlisted", ("sip",)),
    Kind("qa-decision", "Quality assurance decisions on your listings", ("provider",)),
    Kind("assurance-lapsing", "Assurance of your listings about to run out", ("provider",)),
    Kind("qa-alert", "Providers who drop below two recommending schools", ("qa_officer", "admin")),
    Kind("feedback-received", "Feedback from schools on your completed work", ("provider",)),
    Kind(
        "feedback-reply",
        "A provider's reply to your feedback",
        ("headteacher", "school_leader", "sip"),
    ),
)
_BY_SLUG = {k.slug: k for k in KINDS}


def kinds_for(role: str) -> list[Kind]:
    """Return the kinds of notification a role can get."""
    return [k for k in KINDS if role in k.roles]


def base_url() -> str:
    """Return the service's public address: BROKER_BASE_URL, else this request's host."""
    if not has_app_context():  # a service called on its own, as in a unit test
        return FALLBACK_BASE_URL
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        base = request.host_url
    if not base:
        if not current_app.extensions.get(_WARNED):  # once a process, not once a link
            current_app.extensions[_WARNED] = True
            current_app.logger.warning(
                "BROKER_BASE_URL is not set: an emailed link points at %s", FALLBACK_BASE_URL
            )
        base = FALLBACK_BASE_URL
    return str(base).rstrip("/")


def path_for(endpoint: str, default: str = "/", **values: object) -> str:
    """Return the path of `endpoint` with `values`, with or without a request (else `default`)."""
    if not has_app_context():
        return default
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return default


def wants_email(session: Session, user: User, kind: str) -> bool:
    """Say whether the user gets this kind of notification by email (yes unless they said no)."""
    setting = session.get(NotificationSetting, (user.id, kind))
    return setting is None or setting.email


def tell(
    session: Session,
    users: list[User],
    kind: str,
    subject: str,
    body: str,
    path: str,
    emails: bool = True,
) -> list[Notification]:
    """Notify each active user: a row in their list, and the email unless they opted out.

    With `emails=False` (the demo data, loaded without anyone acting) only the list.
    """
    if kind not in _BY_SLUG:
        raise ValueError(f"unknown notification kind {kind!r}")
    made = []
    base = base_url()
    seen: set[int] = set()
    for user in users:
        if user.id is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        note = Notification(user_id=user.id, kind=kind, subject=subject[:200], path=path[:300])
        session.add(note)
        made.append(note)
        if emails and wants_email(session, user, kind):
            queue(session, user.email, subject[:200], email_body(body, base, path))
    session.flush()
    return made


def email_body(body: str, base: str, path: str) -> str:
    """Return the body with its closing links, absolute: the page it is about, the choices."""
    settings = path_for("auth.notification_settings", "/account")
    return (
        f"{body.rstrip()}\n\n"
        f"See it in the service:\n{base}{path}\n\n"
        f"You get this email because of your account with us. Choose which emails you get:\n"
        f"{base}{settings}\n"
    )


def users_with_addresses(session: Session, addresses: list[str]) -> dict[str, User]:
    """Return the accounts of these email addresses (any case), by address as given."""
    if not addresses:
        return {}
    wanted = {a.casefold(): a for a in addresses}
    found = session.exec(
        select(User).where(sa.func.lower(col(User.email)).in_(sorted(wanted)))
    ).all()
    return {wanted[u.email.casefold()]: u for u in found if u.email.casefold() in wanted}


# --- the list and the choices -------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    notification: Notification
    label: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def recent(session: Session, user: User, limit: int = 50) -> list[Listed]:
    """Return the user's newest notifications."""
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    ).all()
    return [Listed(n, _BY_SLUG[n.kind].label if n.kind in _BY_SLUG else n.kind) for n in rows]


def unread_count(session: Session, user: User) -> int:
    """Return how many of the user's notifications are unread."""
    return int(
        session.exec(
            select(sa.func.count(col(Notification.id))).where(
                Notification.user_id == user.id, col(Notification.read_at).is_(None)
            )
        ).one()
    )


def mark_all_read(session: Session, user: User, now: datetime | None = None) -> int:
    """Mark the user's unread notifications read; return how many."""
    result = session.execute(
        sa.update(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=now or utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def email_choices(session: Session, user: User) -> dict[str, bool]:
    """Return kind -> emailed, for the kinds the user's role gets."""
    return {k.slug: wants_email(session, user, k.slug) for k in kinds_for(user.role)}


def choose_emails(session: Session, user: User, emailed: list[str]) -> None:
    """Record which kinds the user wants by email (the others are listed in the service only)."""
    offered = {k.slug for k in kinds_for(user.role)}
    for slug in emailed:
        if slug not in offered:
            raise InvalidInput("emailed", "Choose from the list: that is not one of your emails")
    for kind in kinds_for(user.role):
        setting = session.get(NotificationSetting, (user.id, kind.slug))
        if setting is None:
            setting = NotificationSetting(user_id=int(user.id or 0), kind=kind.slug)
        setting.email = kind.slug in emailed
        session.add(setting)
    session.flush()
