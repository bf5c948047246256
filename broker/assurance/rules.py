"""Shared pieces of the assurance rules: limits, states, permission checks, audited status changes."""

from __future__ import annotations

import calendar
from datetime import datetime

from sqlmodel import Session, select

from broker.assurance import audit
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.evidence import recommendation_counts
from broker.models import (
    Listing,
    ListingRevision,
    User,
    utcnow,
)

SERVICE_TITLE_MAX = 200
IMPACT_MIN = 20
IMPACT_MAX = 2000
REASON_MAX = 2000
REMINDER_DAYS = 30

#: Listing states a provider can send to QA as a new submission.
SUBMITTABLE = {
    "draft",
    "changes-requested",
    "rejected",
    "withdrawn",
    "lapsed",
    "recommendations-needed",
}
#: States in which QA can suspend a listing (it is, or was until lately, in the directory).
SUSPENDABLE = {"assured", "recommendations-needed"}


# --- small helpers --------------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """Return `moment` plus whole calendar months (the 31st becomes the month's last day)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def valid_schools(session: Session, provider_id: int) -> int:
    """Return how many different schools validly recommend the provider now."""
    return recommendation_counts(session, [provider_id]).get(provider_id, 0)


def clean(text: str | None) -> str:
    return (text or "").strip()


def required_reason(text: str | None, field_name: str, what: str) -> str:
    value = clean(text)
    if not value:
        raise InvalidInput(field_name, f"Enter {what}")
    if len(value) > REASON_MAX:
        raise InvalidInput(
            field_name, f"{what.capitalize()} must be {REASON_MAX} characters or fewer"
        )
    return value


def optional_reason(text: str | None, field_name: str) -> str | None:
    value = clean(text)
    if len(value) > REASON_MAX:
        raise InvalidInput(field_name, f"The reason must be {REASON_MAX} characters or fewer")
    return value or None


def acts_for_provider(actor: User, provider_id: int) -> None:
    if actor.role == "admin":
        return
    if actor.role != "provider" or actor.provider_id != provider_id:
        raise Forbidden("Only the provider's own users can do that.")


def listing_audit(
    session: Session,
    actor: User | None,
    listing: Listing,
    action: str,
    from_state: str | None,
    reason: str | None = None,
) -> None:
    audit.record(
        session,
        actor,
        entity_type="listing",
        entity_id=int(listing.id or 0),
        provider_id=listing.provider_id,
        action=action,
        from_state=from_state,
        to_state=listing.status,
        reason=reason,
    )


def set_status(
    session: Session,
    actor: User | None,
    listing: Listing,
    status: str,
    action: str,
    reason: str | None = None,
) -> None:
    before = listing.status
    listing.status = status
    listing.updated_at = utcnow()
    session.add(listing)
    listing_audit(session, actor, listing, action, before, reason)


def fresh_listing(session: Session, listing_id: int) -> Listing:
    listing = session.exec(
        select(Listing).where(Listing.id == listing_id).execution_options(populate_existing=True)
    ).first()
    if listing is None:
        raise NotFound("There is no such listing.")
    return listing


def open_revision(session: Session, listing_id: int) -> ListingRevision | None:
    """Return the provider's submitted edit of a listing waiting for QA, if any."""
    return session.exec(
        select(ListingRevision).where(
            ListingRevision.open_listing_id == listing_id,
            ListingRevision.status == "submitted",
        )
    ).first()
