"""The rules of a provider's capacity, and the change of it (audited; its listings re-indexed).

The index follows by itself: the provider's capacity columns are among what its listings'
documents read (broker.search.documents.SOURCES), so saving them logs every listing of the
provider in the index outbox, in the same transaction.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from broker import audit, availability
from broker.availability import MAX_AHEAD, MAX_DAYS
from broker.errors import InvalidInput
from broker.models import Provider, User, utcnow
from broker.submissions.services import provider_of

#: The answers to "Are you taking new work?".
TAKING, NOT_TAKING = "yes", "no"


def current(session: Session, user: User) -> tuple[Provider, availability.Capacity]:
    """Return the provider `user` acts for and what it last said of its capacity."""
    provider = provider_of(session, user)
    return provider, availability.of(provider)


def _days(raw: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput("days", "Enter the number of days as a whole number, like 12")
    days = int(text)
    if days < 1:
        raise InvalidInput(
            "days",
            "If you have no days available, choose ‘No’ and give the date you will take new "
            "work again",
        )
    if days > MAX_DAYS:
        raise InvalidInput("days", f"The number of days must be {MAX_DAYS} or fewer")
    return days


def save(
    session: Session,
    user: User,
    *,
    taking: str,
    days: str = "",
    until: date | None = None,
    today: date | None = None,
) -> availability.Capacity:
    """Set what the provider says of its capacity, audited; raise InvalidInput on a broken rule.

    Taking new work: optionally the days available this term (1 to MAX_DAYS), and no date. Not
    taking new work: the date it takes new work again (after today, within MAX_AHEAD), and no
    days.
    """
    provider, before = current(session, user)
    today = today or availability.today()
    if taking == TAKING:
        if until is not None:
            raise InvalidInput(
                "until",
                "Leave the date empty if you are taking new work, or choose ‘No’",
            )
        after = availability.Capacity(days=_days(days), until=None)
    elif taking == NOT_TAKING:
        if days.strip():
            raise InvalidInput(
                "days", "Leave the days empty if you are not taking new work, or choose ‘Yes’"
            )
        if until is None:
            raise InvalidInput("until", "Enter the date you will take new work again")
        if until <= today:
            raise InvalidInput(
                "until", "The date you will take new work again must be in the future"
            )
        if until > today + MAX_AHEAD:
            latest = availability.long_date(today + MAX_AHEAD)
            raise InvalidInput(
                "until",
                f"The date you will take new work again must be on or before {latest}: if you "
                "will not take new work for longer, withdraw your listings instead",
            )
        after = availability.Capacity(days=None, until=until)
    else:
        raise InvalidInput("taking", "Select whether you are taking new work")
    now = utcnow()
    provider.capacity_days, provider.not_taking_until = after.days, after.until
    provider.capacity_updated_at = now
    session.add(provider)
    audit.record(
        session,
        user,
        entity_type="provider",
        entity_id=int(provider.id or 0),
        provider_id=provider.id,
        action="capacity",
        from_state=_state(before, today),
        to_state=_state(after, today),
        reason=f"Was: {before.describe(today) or 'nothing said'}. "
        f"Now: {after.describe(today) or 'Taking new work'}.",
        changed_fields=[
            name
            for name, old, new in (
                ("capacity_days", before.days, after.days),
                ("not_taking_until", before.until, after.until),
            )
            if old != new
        ],
    )
    return availability.Capacity(after.days, after.until, now)


def _state(capacity: availability.Capacity, today: date) -> str | None:
    if not capacity.said:
        return None
    return "taking" if capacity.taking(today) else "not-taking"
