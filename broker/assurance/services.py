"""The two-school rule and quality assurance: recommendations, QA decisions, lapse and renewal.

Functions other features call (each takes a Session, changes it, and never commits):

- `request_recommendations(session, provider, school_ids, actor) -> RequestOutcome`: ask referee
  schools' heads to recommend the provider (email + their dashboard). Refuses the provider's own
  school with InvalidInput("school_ids", ...).
- `submit_for_review(session, listing, actor) -> Listing`: put a listing in the QA queue. A draft,
  changed, rejected, withdrawn or lapsed listing becomes "submitted"; an assured listing (an edit
  through a ListingRevision, or a renewal) stays published with `review_requested_at` set.
  Submitting again while waiting changes nothing.
- `renew(session, listing, actor) -> Listing`: ask for another 12 months (assured: review while
  published; lapsed: submitted again).
- `withdraw_listing(session, listing, actor, reason) -> Listing`: the provider takes a listing down.

The states, the transitions and their side effects are broker.lifecycle.services; this module
adds what only QA knows: whose listings an officer assures (`qa_scope`), conflicts of interest,
the queue, and the reasons QA must give.

Who may do what: a provider's own users (or an admin) act for a provider; only the headteacher of
a school, or a leader the head authorised (broker.caseload.speaks_for_school), recommends for it;
QA officers act on listings in their scope (`qa_scope`),
admins on all; nobody decides on a listing of a provider they belong to, of their own school, or
that they submitted themselves, nor on a listing of a provider they registered an interest in
(broker.interests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import audit, taxonomy
from broker.assurance import audit as trail
from broker.assurance import changes as edits
from broker.assurance.recommendations import (  # noqa: F401 (the public API, re-exported)
    RecommendationView,
    RequestOutcome,
    RequestView,
    confirm_recommendation,
    decline_recommendation,
    enforce_two_schools,
    existing_recommendation,
    explain,
    pending_requests,
    provider_listings,
    recommend,
    recommendation_views,
    request_for,
    request_recommendations,
    self_recommendation,
    withdraw_recommendation,
)
from broker.assurance.rules import (  # noqa: F401 (limits the forms use)
    IMPACT_MAX,
    IMPACT_MIN,
    REASON_MAX,
    REMINDER_DAYS,
    SERVICE_TITLE_MAX,
    acts_for_provider,
    optional_reason,
    required_reason,
    valid_schools,
)
from broker.errors import Forbidden, NotFound
from broker.evidence import recommending_schools_clause
from broker.geography import json_has
from broker.interests import services as interests
from broker.lifecycle import notify
from broker.lifecycle import services as lifecycle
from broker.lifecycle.services import (  # noqa: F401 (the states, re-exported)
    SUBMITTABLE,
    SUSPENDABLE,
    open_revision,
    submitted_revision,
)
from broker.models import (
    AuditEvent,
    Listing,
    ListingRevision,
    LocalAuthority,
    Provider,
    User,
    utcnow,
)

# --- provider actions ------------------------------------------------------------------------


def submit_for_review(session: Session, listing: Listing, actor: User) -> Listing:
    """Put a listing in the QA queue (an assured listing stays published meanwhile)."""
    acts_for_provider(actor, listing.provider_id)
    return lifecycle.submit(session, listing, actor)


def renew(session: Session, listing: Listing, actor: User) -> Listing:
    """Ask QA for another 12 months: reviewed while still published, until the assurance lapses."""
    acts_for_provider(actor, listing.provider_id)
    return lifecycle.renew(session, listing, actor)


def withdraw_listing(
    session: Session, listing: Listing, actor: User, reason: str | None = None
) -> Listing:
    """Take a listing out of the directory and the QA queue at the provider's request."""
    acts_for_provider(actor, listing.provider_id)
    return lifecycle.withdraw(session, listing, actor, optional_reason(reason, "reason"))


# --- QA: scope, queue, review ------------------------------------------------------------------


def qa_scope(session: Session, actor: User) -> sa.ColumnElement[bool] | None:
    """Return the condition (on Listing joined to Provider) of listings `actor` assures; None: all.

    A QA officer assures the listings of providers based in their LA and the listings that name
    their LA among the areas served. Listings only national or regional, from providers with no
    LA, fall to admins.
    """
    if actor.role == "admin":
        return None
    if actor.role != "qa_officer" or actor.la_id is None:
        return sa.false()
    code = session.exec(select(LocalAuthority.code).where(LocalAuthority.id == actor.la_id)).first()
    # The two ways in as one set of listing ids, each found by its own index (the provider's LA;
    # on PostgreSQL the GIN index of listing areas): an OR across the join would read every
    # listing of the directory, and count each one's recommending schools, at national scale.
    mine: sa.Select[Any] = (
        select(Listing.id)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(col(Provider.la_id) == actor.la_id)
    )
    if code:
        named = select(Listing.id).where(json_has(Listing.local_authorities, code))
        return col(Listing.id).in_(sa.union(mine, named))
    return col(Listing.id).in_(mine)


def provider_scope(session: Session, actor: User) -> sa.ColumnElement[bool] | None:
    """Return the condition on Provider for providers with any listing in `actor`'s scope."""
    scope = qa_scope(session, actor)
    if scope is None:
        return None
    inner = select(Listing.provider_id).join(Provider, col(Provider.id) == col(Listing.provider_id))
    return sa.or_(
        col(Provider.la_id) == actor.la_id if actor.la_id is not None else sa.false(),
        col(Provider.id).in_(inner.where(scope)),
    )


#: The queue's views: name -> (label, condition on Listing).
QUEUE_VIEWS: dict[str, tuple[str, sa.ColumnElement[bool]]] = {
    "review": ("Waiting for review", lifecycle.under_review_clause()),
    "recommendations-needed": (
        "Fewer than two schools",
        col(Listing.status) == "recommendations-needed",
    ),
    "suspended": ("Suspended", col(Listing.status) == "suspended"),
    "assured": ("Assured", col(Listing.status) == "assured"),
}


@dataclass(frozen=True)
class QueueItem:
    listing: Listing
    provider: Provider
    valid_schools: int
    #: The officer has a registered interest in the provider: another officer must decide.
    interest: bool = False

    @property
    def ready(self) -> bool:
        return self.valid_schools >= taxonomy.SCHOOLS_NEEDED

    @property
    def waiting_since(self) -> datetime | None:
        return self.listing.review_requested_at or self.listing.submitted_at


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int
    number: int
    size: int
    view: str
    counts: dict[str, int]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _view_condition(view: str, schools: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """Return the condition of a queue view, given the provider's valid recommending schools.

    An assured listing whose provider no longer has two valid schools (a recommendation aged
    past three years: nothing is written when that happens) is listed, and counted, under
    "Fewer than two schools", not "Assured": the tab and the tags in its list then agree.
    """
    condition = QUEUE_VIEWS[view][1]
    assured = col(Listing.status) == "assured"
    if view == "assured":
        return sa.and_(condition, schools >= taxonomy.SCHOOLS_NEEDED)
    if view == "recommendations-needed":
        return sa.or_(condition, sa.and_(assured, schools < taxonomy.SCHOOLS_NEEDED))
    return condition


def qa_queue(
    session: Session, actor: User, view: str = "review", page: int = 1, size: int = 50
) -> Queue:
    """Return one page of the QA queue: two valid schools first, then oldest first."""
    if view not in QUEUE_VIEWS:
        view = "review"
    scope = qa_scope(session, actor)
    base = [scope] if scope is not None else []
    # Each listing's provider's valid recommending schools, counted for the listings in scope
    # only (an index lookup each), not for every provider of the directory and then joined.
    schools = recommending_schools_clause()
    # Every tab's count in one pass over the listings in scope.
    tallies = session.execute(
        select(
            *(
                sa.func.count(col(Listing.id)).filter(_view_condition(name, schools))
                for name in QUEUE_VIEWS
            )
        )
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(*base)
    ).one()
    counts = {name: int(n) for name, n in zip(QUEUE_VIEWS, tuple(tallies), strict=True)}
    # A page past the end shows the last one, so the list under a tab always agrees with its count.
    last = max(1, -(-counts[view] // size))
    number = min(max(1, page), last)
    waiting = sa.func.coalesce(
        col(Listing.review_requested_at), col(Listing.submitted_at), col(Listing.updated_at)
    )
    rows = session.exec(
        select(Listing, Provider, schools)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(_view_condition(view, schools), *base)
        .order_by(
            sa.case((schools >= taxonomy.SCHOOLS_NEEDED, 0), else_=1),
            waiting.asc(),
            col(Listing.id).asc(),
        )
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    interested = interests.interested_providers(session, actor.id, [p.id or 0 for _, p, _ in rows])
    return Queue(
        items=[QueueItem(item, p, int(n), p.id in interested) for item, p, n in rows],
        total=counts[view],
        number=number,
        size=size,
        view=view,
        counts=counts,
    )


@dataclass(frozen=True)
class Review:
    """A listing with its evidence side by side, and its history."""

    listing: Listing
    provider: Provider
    recommendations: list[RecommendationView]
    valid_schools: int
    history: list[AuditEvent]
    revision: ListingRevision | None
    conflict: str | None
    #: What the submitted edit changes, old against new (empty without one).
    changes: list[edits.FieldChange]
    #: Where the published listing works, in words.
    areas_served: str

    @property
    def ready(self) -> bool:
        return self.valid_schools >= taxonomy.SCHOOLS_NEEDED

    @property
    def under_review(self) -> bool:
        return lifecycle.under_review(self.listing)


def _in_scope(session: Session, actor: User, listing_id: int) -> tuple[Listing, Provider]:
    if actor.role not in ("qa_officer", "admin"):
        raise Forbidden("Only QA officers can review listings.")
    row = session.exec(
        select(Listing, Provider)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(Listing.id == listing_id)
    ).first()
    if row is None:
        raise NotFound("There is no such listing.")
    scope = qa_scope(session, actor)
    if scope is not None:
        allowed = session.exec(
            select(Listing.id)
            .join(Provider, col(Provider.id) == col(Listing.provider_id))
            .where(Listing.id == listing_id, scope)
        ).first()
        if allowed is None:
            raise Forbidden("This listing is for another local authority's QA officers.")
    return row


def conflict_of_interest(
    session: Session, actor: User, listing: Listing, provider: Provider
) -> str | None:
    """Say why `actor` must not decide on this listing, or None."""
    if actor.provider_id is not None and actor.provider_id == provider.id:
        return "You work for this provider, so another officer must decide."
    if actor.school_id is not None and actor.school_id == provider.school_id:
        return "This provider is your own school, so another officer must decide."
    registered = interests.current_interests(session, actor.id, int(provider.id or 0))
    if registered:
        return (
            f"You registered an interest in {provider.name} "
            f"({interests.describe(registered[0])}), so another officer must decide."
        )
    submitter = session.exec(
        select(AuditEvent.actor_id)
        .where(
            AuditEvent.entity_type == "listing",
            AuditEvent.entity_id == listing.id,
            col(AuditEvent.action).in_(["submit", "review-requested", "renew"]),
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    ).first()
    if submitter is not None and submitter == actor.id:
        return "You submitted this listing, so another officer must decide."
    return None


def review(session: Session, listing_id: int, actor: User) -> Review:
    """Return what a QA officer needs to decide on a listing."""
    listing, provider = _in_scope(session, actor, listing_id)
    recs = recommendation_views(session, provider_id=int(provider.id or 0))
    revision = submitted_revision(session, listing_id)
    history = list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.provider_id == provider.id)
            .where(
                sa.or_(
                    sa.and_(
                        col(AuditEvent.entity_type) == "listing",
                        col(AuditEvent.entity_id) == listing.id,
                    ),
                    col(AuditEvent.entity_type) == "recommendation",
                )
            )
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(20)
        ).all()
    )
    return Review(
        listing=listing,
        provider=provider,
        recommendations=recs,
        valid_schools=len({r.school.id for r in recs if r.counts}),
        history=history,
        revision=revision,
        conflict=conflict_of_interest(session, actor, listing, provider),
        changes=edits.describe(session, listing, revision.proposed) if revision else [],
        areas_served=edits.areas_served(session, listing),
    )


# --- QA decisions ------------------------------------------------------------------------------


def _decide(session: Session, listing_id: int, actor: User) -> int:
    """Check the actor may decide on the listing (scope, conflict of interest); return its id."""
    listing, provider = _in_scope(session, actor, listing_id)
    reason = conflict_of_interest(session, actor, listing, provider)
    if reason:
        raise Forbidden(reason)
    return listing_id


def approve(session: Session, listing_id: int, actor: User, note: str | None = None) -> Listing:
    """Assure a listing for 12 months and publish it at once (needs two valid schools at commit)."""
    listing_id = _decide(session, listing_id, actor)
    return lifecycle.approve(session, listing_id, actor, optional_reason(note, "note"))


def request_changes(session: Session, listing_id: int, actor: User, message: str) -> Listing:
    """Send a listing back to its provider with a message (a published one stays published)."""
    text = required_reason(message, "message", "a message to the provider")
    return lifecycle.request_changes(session, _decide(session, listing_id, actor), actor, text)


def reject(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Refuse a submission with a reason (a published listing under review stays until it lapses)."""
    text = required_reason(reason, "reason", "the reason for rejecting")
    return lifecycle.reject(session, _decide(session, listing_id, actor), actor, text)


def suspend(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Hide a listing from search and its page at once (a complaint, a concern)."""
    text = required_reason(reason, "reason", "the reason for suspending")
    return lifecycle.suspend(session, _decide(session, listing_id, actor), actor, text)


def reinstate(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Return a suspended listing (or one that regained two schools) to the directory."""
    text = required_reason(reason, "reason", "the reason for reinstating")
    return lifecycle.reinstate(session, _decide(session, listing_id, actor), actor, text)


# --- lapse and renewal reminders -----------------------------------------------------------------


def lapse_expired(session: Session) -> int:
    """Record the lapse of assured listings past their 12 months (the lifecycle's rule)."""
    return lifecycle.lapse_expired(session)


def send_renewal_reminders(session: Session, now: datetime | None = None) -> int:
    """Email providers whose assurance ends within 30 days, once per assurance period."""
    now = now or utcnow()
    due = session.exec(
        select(Listing, Provider)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(
            Listing.status == "assured",
            col(Listing.review_requested_at).is_(None),
            col(Listing.renewal_reminder_sent_at).is_(None),
            col(Listing.assurance_expires_at).is_not(None),
            col(Listing.assurance_expires_at) > now,
            col(Listing.assurance_expires_at) <= now + timedelta(days=REMINDER_DAYS),
        )
        .order_by(col(Listing.id))
    ).all()
    sent = 0
    for listing, provider in due:
        # Claim the reminder first: a second run at the same moment updates no row and sends nothing.
        claimed = session.execute(
            sa.update(Listing)
            .where(col(Listing.id) == listing.id, col(Listing.renewal_reminder_sent_at).is_(None))
            .values(renewal_reminder_sent_at=now)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        listing.renewal_reminder_sent_at = now
        notify.send(
            session,
            notify.provider_addresses(session, provider),
            f"Renew your assurance: {listing.title}",
            "renewal_reminder.txt",
            provider=provider,
            listing=listing,
            link=notify.link(notify.path_of("submissions.dashboard")),
        )
        audit.record(
            session,
            None,
            entity_type="listing",
            entity_id=int(listing.id or 0),
            provider_id=provider.id,
            action="renewal-reminder",
            reason=f"Assurance ends on {listing.assurance_expires_at:%d %B %Y}.",
        )
        sent += 1
    return sent


def audit_trail(
    session: Session,
    actor: User,
    provider_id: int | None = None,
    name: str | None = None,
    page: int = 1,
) -> trail.AuditPage:
    """Return one page of the audit trail a QA officer may see (admins: everything)."""
    if actor.role not in ("qa_officer", "admin"):
        raise Forbidden("Only QA officers can see the audit trail.")
    return trail.audit_page(
        session, provider_scope(session, actor), provider_id=provider_id, name=name, page=page
    )
