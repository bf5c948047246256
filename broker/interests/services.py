"""The register of interests: adding and removing entries, and which interests count now.

An interest counts from the day it started while it lasts and for INTEREST_YEARS after it ends
(an employment or paid work within the last two years still counts). A removed entry (a mistake)
never counts; it is kept, with the day it was removed, and both changes are in the audit trail
under the provider, where QA officers read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import audit, taxonomy
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.models import Interest, Provider, User, utcnow

#: Who keeps a register.
REGISTER_ROLES = ("sip", "qa_officer")
DETAILS_MAX = 1000
DECLARATION_MAX = 2000
PROVIDER_NAME_MAX = 200
#: How many near names a refusal offers.
SUGGESTIONS = 5


def counts_from(today: date) -> date:
    """Return the earliest end date of an interest that still counts on `today`."""
    try:
        return today.replace(year=today.year - taxonomy.INTEREST_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - taxonomy.INTEREST_YEARS, day=28)


def counts(interest: Interest, today: date | None = None) -> bool:
    """Say whether an interest counts on `today`: begun, not removed, not ended long ago."""
    today = today or date.today()
    return (
        interest.removed_at is None
        and interest.started_on <= today
        and (interest.ended_on is None or interest.ended_on >= counts_from(today))
    )


def _counting_clause(today: date) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(Interest.removed_at).is_(None),
        col(Interest.started_on) <= today,
        sa.or_(col(Interest.ended_on).is_(None), col(Interest.ended_on) >= counts_from(today)),
    )


def describe(interest: Interest) -> str:
    """Say what an interest is, with its dates: "Paid work, from 1 March 2024 to 31 August 2025"."""
    kind = taxonomy.INTEREST_KINDS.label_of(interest.kind)

    def day(d: date) -> str:
        return f"{d.day} {d:%B %Y}"

    dates = f"from {day(interest.started_on)}"
    dates += f" to {day(interest.ended_on)}" if interest.ended_on else " (continuing)"
    text = f"{kind}, {dates}"
    return f"{text}: {interest.details}" if interest.details else text


# --- asking --------------------------------------------------------------------------------------


def current_interests(
    session: Session, user_id: int | None, provider_id: int, today: date | None = None
) -> list[Interest]:
    """Return the user's interests in the provider that count today, oldest first."""
    if user_id is None:
        return []
    return list(
        session.exec(
            select(Interest)
            .where(
                Interest.user_id == user_id,
                Interest.provider_id == provider_id,
                _counting_clause(today or date.today()),
            )
            .order_by(col(Interest.started_on), col(Interest.id))
        ).all()
    )


def interested_providers(
    session: Session, user_id: int | None, provider_ids: Iterable[int], today: date | None = None
) -> set[int]:
    """Return which of these providers the user has an interest in that counts today."""
    wanted = sorted(set(provider_ids))
    if user_id is None or not wanted:
        return set()
    rows = session.exec(
        select(Interest.provider_id).where(
            Interest.user_id == user_id,
            col(Interest.provider_id).in_(wanted),
            _counting_clause(today or date.today()),
        )
    ).all()
    return set(rows)


# --- the register --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    interest: Interest
    provider: Provider
    counting: bool

    @property
    def text(self) -> str:
        return describe(self.interest)


def _keeper(user: User) -> None:
    if user.role not in REGISTER_ROLES or not user.active:
        raise Forbidden("Only SIPs and QA officers keep a register of interests.")


def register(session: Session, user: User, today: date | None = None) -> list[Entry]:
    """Return the user's register (removed entries left out): counting ones first, then by name."""
    _keeper(user)
    today = today or date.today()
    rows = session.exec(
        select(Interest, Provider)
        .join(Provider, col(Provider.id) == col(Interest.provider_id))
        .where(Interest.user_id == user.id, col(Interest.removed_at).is_(None))
        .order_by(col(Provider.name), col(Interest.started_on), col(Interest.id))
    ).all()
    entries = [Entry(i, p, counts(i, today)) for i, p in rows]
    return sorted(entries, key=lambda e: not e.counting)


def _escape_like(text: str) -> str:
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_provider(session: Session, name: str) -> Provider:
    """Return the one provider called `name` (any case), or the one whose name contains it.

    Raises InvalidInput("provider", ...) naming a few near matches when it is not just one.
    """
    text = " ".join((name or "").split())
    if not text:
        raise InvalidInput("provider", "Enter the provider’s name")
    if len(text) > PROVIDER_NAME_MAX:
        raise InvalidInput(
            "provider", f"The provider’s name must be {PROVIDER_NAME_MAX} characters or fewer"
        )
    lowered = sa.func.lower(col(Provider.name))
    exact = session.exec(select(Provider).where(lowered == text.lower()).limit(2)).all()
    if len(exact) == 1:
        return exact[0]
    near = list(
        session.exec(
            select(Provider)
            .where(lowered.like(f"%{_escape_like(text)}%", escape="\\"))
            .order_by(col(Provider.name), col(Provider.id))
            .limit(SUGGESTIONS + 1)
        ).all()
    )
    if len(near) == 1 and not exact:
        return near[0]
    if not near:
        raise InvalidInput(
            "provider", f"No provider in the directory is called “{text}”: check the name"
        )
    names = ", ".join(f"“{p.name}”" for p in near[:SUGGESTIONS])
    more = " and others" if len(near) > SUGGESTIONS else ""
    raise InvalidInput(
        "provider",
        f"More than one provider matches “{text}” ({names}{more}): enter the full name",
    )


def add(
    session: Session,
    user: User,
    *,
    provider_name: str,
    kind: str,
    started_on: date | None,
    ended_on: date | None = None,
    details: str = "",
    today: date | None = None,
) -> Interest:
    """Add an interest to the user's register; audited under the provider."""
    _keeper(user)
    today = today or date.today()
    provider = find_provider(session, provider_name)
    term = taxonomy.INTEREST_KINDS.get(kind or "")
    if term is None:
        raise InvalidInput("kind", "Select the kind of interest")
    if started_on is None:
        raise InvalidInput("started_on", "Enter the date the interest started")
    if started_on > today:
        raise InvalidInput("started_on", "The date the interest started must be today or earlier")
    if ended_on is not None and ended_on < started_on:
        raise InvalidInput(
            "ended_on", "The date the interest ended must be on or after the date it started"
        )
    words = (details or "").strip()
    if len(words) > DETAILS_MAX:
        raise InvalidInput("details", f"The details must be {DETAILS_MAX} characters or fewer")
    interest = Interest(
        user_id=int(user.id or 0),
        provider_id=int(provider.id or 0),
        kind=term.slug,
        details=words,
        started_on=started_on,
        ended_on=ended_on,
    )
    audit.record_saved(
        session,
        user,
        interest,
        entity_type="interest",
        action="interest-registered",
        provider_id=provider.id,
        reason=describe(interest),
    )
    return interest


def remove(session: Session, user: User, interest_id: int) -> Interest:
    """Take an entry off the user's register (kept, dated, audited); only their own."""
    _keeper(user)
    interest = session.get(Interest, interest_id)
    if interest is None or interest.user_id != user.id or interest.removed_at is not None:
        raise NotFound("There is no such interest in your register.")
    interest.removed_at = utcnow()
    audit.record_saved(
        session,
        user,
        interest,
        entity_type="interest",
        action="interest-removed",
        provider_id=interest.provider_id,
        reason=describe(interest),
    )
    return interest


def declaration_needed(
    session: Session, user: User, provider_id: int, declaration: str | None
) -> str | None:
    """Check a declaration made when acting on a provider's listing; return it, tidied, or None.

    Refuses (InvalidInput "declaration") when the user has an interest in the provider that
    counts today and says nothing about it.
    """
    words = (declaration or "").strip()
    if len(words) > DECLARATION_MAX:
        raise InvalidInput(
            "declaration", f"The declaration must be {DECLARATION_MAX} characters or fewer"
        )
    if not words and current_interests(session, user.id, provider_id):
        provider = session.get(Provider, provider_id)
        name = provider.name if provider else "this provider"
        raise InvalidInput(
            "declaration",
            f"You registered an interest in {name}: declare it to shortlist this listing",
        )
    return words or None
