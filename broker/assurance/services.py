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

Statuses (broker.taxonomy.LISTING_STATUSES): draft -> submitted -> assured | changes-requested |
rejected; assured -> suspended (QA) | lapsed (12 months) | recommendations-needed (withdrawals left
fewer than two schools) | withdrawn (provider). Only "assured" and in date is public.

Who may do what: a provider's own users (or an admin) act for a provider; only the headteacher of
a school (User.role "headteacher", User.school_id) recommends for it ("authorised leaders" other
than the head are not supported yet); QA officers act on listings in their scope (`qa_scope`),
admins on all; nobody decides on a listing of a provider they belong to, of their own school, or
that they submitted themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import taxonomy
from broker.assurance import audit, notify
from broker.assurance.locking import lock_provider
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
    withdraw_recommendation,
)
from broker.assurance.rules import (  # noqa: F401 (limits the forms use)
    IMPACT_MAX,
    IMPACT_MIN,
    REASON_MAX,
    REMINDER_DAYS,
    SERVICE_TITLE_MAX,
    SUBMITTABLE,
    SUSPENDABLE,
    acts_for_provider,
    add_months,
    fresh_listing,
    listing_audit,
    open_revision,
    optional_reason,
    required_reason,
    set_status,
    valid_schools,
)
from broker.errors import Conflict, Forbidden, InvalidInput, NotFound
from broker.evidence import valid_recommendation_clause
from broker.models import (
    AuditEvent,
    Listing,
    ListingRevision,
    LocalAuthority,
    Provider,
    Recommendation,
    User,
    utcnow,
)

# --- provider actions ------------------------------------------------------------------------


def submit_for_review(session: Session, listing: Listing, actor: User) -> Listing:
    """Put a listing in the QA queue (an assured listing stays published meanwhile)."""
    acts_for_provider(actor, listing.provider_id)
    listing = fresh_listing(session, int(listing.id or 0))
    if listing.status == "submitted" or (
        listing.status in ("assured", "lapsed") and listing.review_requested_at is not None
    ):
        return listing
    now = utcnow()
    if listing.status == "assured":
        listing.review_requested_at = now
        listing.updated_at = now
        session.add(listing)
        listing_audit(session, actor, listing, "review-requested", "assured")
        return listing
    if listing.status == "suspended" and open_revision(session, int(listing.id or 0)):
        # An edit answering the concern: it waits in QA's "Suspended" view; reinstating applies it.
        listing_audit(session, actor, listing, "review-requested", "suspended")
        return listing
    if listing.status not in SUBMITTABLE:
        label = taxonomy.LISTING_STATUSES.label_of(listing.status).lower()
        raise Conflict(f"A listing that is {label} cannot be submitted.")
    listing.submitted_at = now
    listing.review_requested_at = None
    set_status(session, actor, listing, "submitted", "submit")
    return listing


def renew(session: Session, listing: Listing, actor: User) -> Listing:
    """Ask QA for another 12 months: reviewed while still published, until the assurance lapses."""
    acts_for_provider(actor, listing.provider_id)
    listing = fresh_listing(session, int(listing.id or 0))
    now = utcnow()
    if listing.status == "assured":
        if listing.review_requested_at is None:
            listing.review_requested_at = now
            listing.updated_at = now
            session.add(listing)
            listing_audit(session, actor, listing, "renew", "assured")
        return listing
    if listing.status == "lapsed":
        listing.submitted_at = now
        listing.review_requested_at = None
        set_status(session, actor, listing, "submitted", "renew")
        return listing
    raise Conflict("Only an assured or lapsed listing can be renewed.")


def withdraw_listing(
    session: Session, listing: Listing, actor: User, reason: str | None = None
) -> Listing:
    """Take a listing out of the directory and the QA queue at the provider's request."""
    acts_for_provider(actor, listing.provider_id)
    why = optional_reason(reason, "reason")
    listing = fresh_listing(session, int(listing.id or 0))
    if listing.status == "withdrawn":
        return listing
    listing.review_requested_at = None
    set_status(session, actor, listing, "withdrawn", "withdraw", why)
    return listing


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
    clauses: list[sa.ColumnElement[bool]] = [col(Provider.la_id) == actor.la_id]
    if code:
        # LA codes are digits; the JSON list stores them quoted, so a quoted LIKE is exact.
        clauses.append(sa.cast(Listing.local_authorities, sa.Text).like(f'%"{code}"%'))
    return sa.or_(*clauses)


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
    "review": (
        "Waiting for review",
        sa.or_(
            col(Listing.status) == "submitted",
            sa.and_(
                col(Listing.status).in_(["assured", "lapsed"]),
                col(Listing.review_requested_at).is_not(None),
            ),
        ),
    ),
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


def _counts_subquery() -> sa.Subquery:
    return (
        select(
            col(Recommendation.provider_id).label("provider_id"),
            sa.func.count(sa.distinct(col(Recommendation.school_id))).label("schools"),
        )
        .where(valid_recommendation_clause())
        .group_by(col(Recommendation.provider_id))
        .subquery()
    )


def qa_queue(
    session: Session, actor: User, view: str = "review", page: int = 1, size: int = 50
) -> Queue:
    """Return one page of the QA queue: two valid schools first, then oldest first."""
    if view not in QUEUE_VIEWS:
        view = "review"
    scope = qa_scope(session, actor)
    base = [scope] if scope is not None else []
    counts_sq = _counts_subquery()
    schools = sa.func.coalesce(counts_sq.c.schools, 0)
    counts = {}
    for name, (_, condition) in QUEUE_VIEWS.items():
        counts[name] = int(
            session.exec(
                select(sa.func.count(col(Listing.id)))
                .join(Provider, col(Provider.id) == col(Listing.provider_id))
                .where(condition, *base)
            ).one()
        )
    number = max(1, page)
    waiting = sa.func.coalesce(
        col(Listing.review_requested_at), col(Listing.submitted_at), col(Listing.updated_at)
    )
    rows = session.exec(
        select(Listing, Provider, schools)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .outerjoin(counts_sq, counts_sq.c.provider_id == col(Listing.provider_id))
        .where(QUEUE_VIEWS[view][1], *base)
        .order_by(
            sa.case((schools >= taxonomy.SCHOOLS_NEEDED, 0), else_=1),
            waiting.asc(),
            col(Listing.id).asc(),
        )
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return Queue(
        items=[QueueItem(item, p, int(n)) for item, p, n in rows],
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

    @property
    def ready(self) -> bool:
        return self.valid_schools >= taxonomy.SCHOOLS_NEEDED

    @property
    def under_review(self) -> bool:
        return self.listing.status == "submitted" or (
            self.listing.status in ("assured", "lapsed")
            and self.listing.review_requested_at is not None
        )


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
        revision=open_revision(session, listing_id),
        conflict=conflict_of_interest(session, actor, listing, provider),
    )


# --- QA decisions ------------------------------------------------------------------------------


def _decide(session: Session, listing_id: int, actor: User) -> tuple[Listing, Provider]:
    """Check the actor may decide, lock the provider, and return both freshly read."""
    listing, provider = _in_scope(session, actor, listing_id)
    reason = conflict_of_interest(session, actor, listing, provider)
    if reason:
        raise Forbidden(reason)
    provider = lock_provider(session, provider.id or 0)
    return fresh_listing(session, listing_id), provider


def _under_review(listing: Listing) -> bool:
    return listing.status == "submitted" or (
        listing.status in ("assured", "lapsed") and listing.review_requested_at is not None
    )


def _tell_provider(
    session: Session,
    provider: Provider,
    listing: Listing,
    subject: str,
    template: str,
    **kw: object,
) -> None:
    notify.send(
        session,
        notify.provider_addresses(session, provider),
        subject,
        template,
        provider=provider,
        listing=listing,
        **kw,
    )


def approve(session: Session, listing_id: int, actor: User, note: str | None = None) -> Listing:
    """Assure a listing for 12 months and publish it at once (needs two valid schools at commit)."""
    listing, provider = _decide(session, listing_id, actor)
    why = optional_reason(note, "note")
    if not _under_review(listing):
        raise Conflict("This listing is not waiting for review.")
    count = valid_schools(session, int(provider.id or 0))
    if count < taxonomy.SCHOOLS_NEEDED:
        raise InvalidInput(
            "decision",
            f"{provider.name} has valid recommendations from {count} "
            f"school{'s' if count != 1 else ''}: it needs {taxonomy.SCHOOLS_NEEDED} to be assured",
        )
    revision = open_revision(session, listing_id)
    if revision is not None:
        from broker.submissions import services as submissions  # noqa: PLC0415 (no import cycle)

        submissions.apply_revision(session, revision, actor)
    now = utcnow()
    listing.assured_at = now
    listing.assurance_expires_at = add_months(now, taxonomy.ASSURANCE_MONTHS)
    listing.review_requested_at = None
    listing.renewal_reminder_sent_at = None
    set_status(session, actor, listing, "assured", "approve", why)
    _tell_provider(
        session, provider, listing, f"Assured: {listing.title}", "approved.txt", note=why
    )
    return listing


def _end_review(
    session: Session, listing: Listing, actor: User, outcome: str, action: str, text: str
) -> None:
    """End a review without approving: `outcome` is "changes-requested" or "rejected".

    A submission takes the outcome as its status; a published listing under review stays
    published and only its review ends. An edit waiting as a revision records the outcome, and a
    rejected one is closed.
    """
    if not _under_review(listing):
        raise Conflict("This listing is not waiting for review.")
    revision = open_revision(session, int(listing.id or 0))
    if revision is not None:
        revision.status = outcome
        if outcome == "rejected":
            revision.open_listing_id = None
        revision.message = text
        revision.decided_at = utcnow()
        revision.decided_by_id = actor.id
        session.add(revision)
    if listing.status == "submitted":
        set_status(session, actor, listing, outcome, action, text)
    else:
        listing.review_requested_at = None
        session.add(listing)
        listing_audit(session, actor, listing, action, listing.status, text)


def request_changes(session: Session, listing_id: int, actor: User, message: str) -> Listing:
    """Send a listing back to its provider with a message (a published one stays published)."""
    text = required_reason(message, "message", "a message to the provider")
    listing, provider = _decide(session, listing_id, actor)
    _end_review(session, listing, actor, "changes-requested", "request-changes", text)
    _tell_provider(
        session,
        provider,
        listing,
        f"Changes needed: {listing.title}",
        "changes_requested.txt",
        message=text,
        link=notify.link(notify.path_of("submissions.dashboard")),
    )
    return listing


def reject(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Refuse a submission with a reason (a published listing under review stays until it lapses)."""
    text = required_reason(reason, "reason", "the reason for rejecting")
    listing, provider = _decide(session, listing_id, actor)
    _end_review(session, listing, actor, "rejected", "reject", text)
    _tell_provider(
        session, provider, listing, f"Not assured: {listing.title}", "rejected.txt", reason=text
    )
    return listing


def suspend(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Hide a listing from search and its page at once (a complaint, a concern)."""
    text = required_reason(reason, "reason", "the reason for suspending")
    listing, provider = _decide(session, listing_id, actor)
    if listing.status not in SUSPENDABLE:
        raise Conflict("Only an assured listing can be suspended.")
    set_status(session, actor, listing, "suspended", "suspend", text)
    _tell_provider(
        session, provider, listing, f"Suspended: {listing.title}", "suspended.txt", reason=text
    )
    return listing


def reinstate(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Return a suspended listing (or one that regained two schools) to the directory."""
    text = required_reason(reason, "reason", "the reason for reinstating")
    listing, provider = _decide(session, listing_id, actor)
    if listing.status not in ("suspended", "recommendations-needed"):
        raise Conflict(
            "Only a suspended listing, or one waiting for recommendations, can be reinstated."
        )
    count = valid_schools(session, int(provider.id or 0))
    expired = listing.assurance_expires_at is not None and listing.assurance_expires_at <= utcnow()
    if expired:
        status = "lapsed"
    elif count < taxonomy.SCHOOLS_NEEDED:
        if listing.status == "recommendations-needed":
            raise InvalidInput(
                "decision",
                f"{provider.name} still has valid recommendations from {count} "
                f"school{'s' if count != 1 else ''}: it needs {taxonomy.SCHOOLS_NEEDED}",
            )
        status = "recommendations-needed"
    else:
        status = "assured"
    revision = open_revision(session, listing_id)
    if revision is not None:
        from broker.submissions import services as submissions  # noqa: PLC0415 (no import cycle)

        submissions.apply_revision(session, revision, actor)
    set_status(session, actor, listing, status, "reinstate", text)
    _tell_provider(
        session,
        provider,
        listing,
        f"Reinstated: {listing.title}",
        "reinstated.txt",
        reason=text,
        status=taxonomy.LISTING_STATUSES.label_of(status),
    )
    return listing


# --- lapse and renewal reminders -----------------------------------------------------------------


def lapse_expired(session: Session) -> int:
    """Mark assured listings past their 12 months lapsed (the index sync calls this on each run)."""
    from broker.search.sync import lapse_expired as lapse  # noqa: PLC0415 (the one implementation)

    return lapse(session)


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
        _tell_provider(
            session,
            provider,
            listing,
            f"Renew your assurance: {listing.title}",
            "renewal_reminder.txt",
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
) -> audit.AuditPage:
    """Return one page of the audit trail a QA officer may see (admins: everything)."""
    if actor.role not in ("qa_officer", "admin"):
        raise Forbidden("Only QA officers can see the audit trail.")
    return audit.audit_page(
        session, provider_scope(session, actor), provider_id=provider_id, name=name, page=page
    )
