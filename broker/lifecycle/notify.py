"""Who hears about an assurance event, and the emails they get (queued in the caller's transaction)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from sqlmodel import Session, col, select

from broker import mail
from broker.mail import notifications
from broker.models import Listing, LocalAuthority, Provider, SchoolAuthority, User


def link(path: str) -> str:
    """Return an absolute link to `path`: BROKER_BASE_URL, else (in a request) this site's address."""
    return f"{notifications.base_url()}{path}"


def path_of(endpoint: str, default: str = "/") -> str:
    """Return the path of an argument-free endpoint, or `default` when it is not registered.

    Works without a request (the reminder command runs from the CLI).
    """
    try:
        rules = list(current_app.url_map.iter_rules(endpoint))
    except KeyError:
        return default
    return next((rule.rule for rule in rules if not rule.arguments), default)


#: The kind of notification (broker.mail.notifications.KINDS) each email is, and the page it is
#: about when it names none (`link`).
_KINDS: dict[str, tuple[str, str]] = {
    "approved.txt": ("qa-decision", "submissions.dashboard"),
    "changes_requested.txt": ("qa-decision", "submissions.dashboard"),
    "rejected.txt": ("qa-decision", "submissions.dashboard"),
    "suspended.txt": ("qa-decision", "submissions.dashboard"),
    "reinstated.txt": ("qa-decision", "submissions.dashboard"),
    "provider_below_two.txt": ("qa-decision", "submissions.dashboard"),
    "renewal_reminder.txt": ("assurance-lapsing", "submissions.dashboard"),
    "recommendation_requested.txt": ("recommendation-requested", "recommendations.dashboard"),
    "below_two_schools.txt": ("qa-alert", "assurance.queue"),
}


def send(session: Session, to: list[str], subject: str, template: str, **context: Any) -> None:
    """Queue templates/assurance/mail/`template` to every address in `to`.

    People with an account are notified (their list, and the email unless they opted out of
    its kind); an address with no account (a provider's own) just gets the email.
    """
    body = render_template(f"assurance/mail/{template}", subject=subject, **context)
    accounts: dict[str, User] = {}
    if template in _KINDS:
        kind, endpoint = _KINDS[template]
        given = urlsplit(str(context.get("link") or ""))
        path = given.path + (f"?{given.query}" if given.query else "") if given.path else ""
        accounts = notifications.users_with_addresses(session, to)
        notifications.tell(
            session,
            list(accounts.values()),
            kind,
            subject,
            body,
            path or notifications.path_for(endpoint),
        )
    for address in sorted(set(to)):
        if address not in accounts:
            mail.queue(session, address, subject, body)


def heads_of(session: Session, school_id: int) -> list[User]:
    """Return who decides for a school: its active headteacher accounts, and the leaders the
    head has authorised (and not withdrawn) to act on the school's behalf."""
    leaders = select(SchoolAuthority.user_id).where(
        SchoolAuthority.school_id == school_id, col(SchoolAuthority.withdrawn_at).is_(None)
    )
    return list(
        session.exec(
            select(User)
            .where(
                User.school_id == school_id,
                col(User.active),
                sa.or_(
                    col(User.role) == "headteacher",
                    sa.and_(col(User.role) == "school_leader", col(User.id).in_(leaders)),
                ),
            )
            .order_by(col(User.id))
        ).all()
    )


def provider_addresses(session: Session, provider: Provider) -> list[str]:
    """Return where to write to a provider: its users' addresses, else its own address."""
    users = session.exec(
        select(User.email).where(
            User.role == "provider", User.provider_id == provider.id, col(User.active)
        )
    ).all()
    if users:
        return list(users)
    return [provider.email] if provider.email else []


def qa_addresses(session: Session, provider: Provider) -> list[str]:
    """Return the QA officers responsible for a provider (see services.qa_scope), else the admins."""
    codes: set[str] = set()
    for served in session.exec(
        select(Listing.local_authorities).where(Listing.provider_id == provider.id)
    ).all():
        codes.update(served or [])
    la_ids = set(
        session.exec(
            select(LocalAuthority.id).where(col(LocalAuthority.code).in_(sorted(codes)))
        ).all()
    )
    if provider.la_id is not None:
        la_ids.add(provider.la_id)
    officers = session.exec(
        select(User.email).where(
            User.role == "qa_officer",
            col(User.active),
            col(User.la_id).in_(sorted(i for i in la_ids if i is not None))
            if la_ids
            else sa.false(),
        )
    ).all()
    if officers:
        return list(officers)
    return list(
        session.exec(select(User.email).where(User.role == "admin", col(User.active))).all()
    )
