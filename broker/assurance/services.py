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

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from broker import taxonomy
from broker.assurance import audit, notify
from broker.assurance.locking import lock_provider
from broker.errors import Conflict, Forbidden, InvalidInput, NotFound
from broker.evidence import recommendation_counts, valid_recommendation_clause, valid_since
from broker.models import (
    AuditEvent,
    Listing,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    User,
    utcnow,
)
from broker.search import outbox

SERVICE_TITLE_MAX = 200
IMPACT_MIN = 20
IMPACT_MAX = 2000
REASON_MAX = 2000
REMINDER_DAYS = 30

#: Listing states a provider can send to QA as a new submission.
_SUBMITTABLE = {
    "draft",
    "changes-requested",
    "rejected",
    "withdrawn",
    "lapsed",
    "recommendations-needed",
}
#: States in which QA can suspend a listing (it is, or was until lately, in the directory).
_SUSPENDABLE = {"assured", "recommendations-needed"}


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


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _required_reason(text: str | None, field_name: str, what: str) -> str:
    value = _clean(text)
    if not value:
        raise InvalidInput(field_name, f"Enter {what}")
    if len(value) > REASON_MAX:
        raise InvalidInput(
            field_name, f"{what.capitalize()} must be {REASON_MAX} characters or fewer"
        )
    return value


def _optional_reason(text: str | None, field_name: str) -> str | None:
    value = _clean(text)
    if len(value) > REASON_MAX:
        raise InvalidInput(field_name, f"The reason must be {REASON_MAX} characters or fewer")
    return value or None


def _acts_for_provider(actor: User, provider_id: int) -> None:
    if actor.role == "admin":
        return
    if actor.role != "provider" or actor.provider_id != provider_id:
        raise Forbidden("Only the provider's own users can do that.")


def _listing_audit(
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


def _set_status(
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
    _listing_audit(session, actor, listing, action, before, reason)
    outbox.listings_changed(session, [int(listing.id or 0)])


def _fresh_listing(session: Session, listing_id: int) -> Listing:
    listing = session.exec(
        select(Listing).where(Listing.id == listing_id).execution_options(populate_existing=True)
    ).first()
    if listing is None:
        raise NotFound("There is no such listing.")
    return listing


# --- recommendations --------------------------------------------------------------------------


@dataclass
class RequestOutcome:
    """What `request_recommendations` did, school by school."""

    #: Newly asked: each school's head was emailed (when the school has a head's account).
    requested: list[School] = field(default_factory=list)
    #: Already asked and not yet answered, or already recommending validly: nothing sent again.
    already: list[School] = field(default_factory=list)
    #: Declined earlier: not asked again (the head can still recommend from the listing page).
    declined: list[School] = field(default_factory=list)
    #: Asked, but no head has an account yet: the request waits on their dashboard.
    no_head: list[School] = field(default_factory=list)


def request_recommendations(
    session: Session, provider: Provider, school_ids: Iterable[int], actor: User
) -> RequestOutcome:
    """Ask each referee school's head to recommend `provider` (email and their dashboard)."""
    _acts_for_provider(actor, int(provider.id or 0))
    ids = sorted({int(i) for i in school_ids})
    if provider.school_id is not None and provider.school_id in ids:
        raise InvalidInput(
            "school_ids", "A school cannot be a referee for itself: choose other schools"
        )
    schools = {s.id: s for s in session.exec(select(School).where(col(School.id).in_(ids))).all()}
    if len(schools) != len(ids):
        raise InvalidInput("school_ids", "Choose schools from the schools register")
    now = utcnow()
    existing = {
        r.school_id: r
        for r in session.exec(
            select(Recommendation)
            .where(
                Recommendation.provider_id == provider.id, col(Recommendation.school_id).in_(ids)
            )
            .execution_options(populate_existing=True)
        ).all()
    }
    since = valid_since()
    outcome = RequestOutcome()
    asked: list[int] = []
    for school_id in ids:
        rec = existing.get(school_id)
        if rec is None:
            if _insert_request(session, int(provider.id or 0), school_id, actor, now):
                asked.append(school_id)
            else:  # another transaction added it meanwhile
                outcome.already.append(schools[school_id])
        elif rec.status == "requested" or (
            rec.status == "confirmed" and rec.withdrawn_at is None and rec.made_on >= since
        ):
            outcome.already.append(schools[school_id])
        elif rec.status == "declined":
            outcome.declined.append(schools[school_id])
        else:
            # Withdrawn, or too old to count: ask afresh (unless someone answered meanwhile).
            changed = session.execute(
                sa.update(Recommendation)
                .where(
                    col(Recommendation.id) == rec.id,
                    col(Recommendation.status) == rec.status,
                    col(Recommendation.made_on) == rec.made_on,
                )
                .values(
                    status="requested",
                    requested_by_id=actor.id,
                    requested_at=now,
                    responded_at=None,
                )
            )
            if changed.rowcount:  # type: ignore[attr-defined]
                asked.append(school_id)
            else:
                outcome.already.append(schools[school_id])
    for school_id in asked:
        school = schools[school_id]
        audit.record(
            session,
            actor,
            entity_type="recommendation",
            entity_id=_recommendation_id(session, int(provider.id or 0), school_id),
            provider_id=provider.id,
            action="recommendation-requested",
            to_state="requested",
            reason=f"{school.name} (URN {school.urn}) asked to recommend {provider.name}.",
        )
        heads = notify.heads_of(session, school_id)
        if not heads:
            outcome.no_head.append(school)
        else:
            outcome.requested.append(school)
            notify.send(
                session,
                [h.email for h in heads],
                f"{provider.name} asks {school.name} for a recommendation",
                "recommendation_requested.txt",
                provider=provider,
                school=school,
                link=notify.link(notify.path_of("recommendations.dashboard")),
            )
    if asked:
        outbox.provider_changed(session, int(provider.id or 0))
    return outcome


def _insert(session: Session):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(Recommendation.__table__)  # type: ignore[attr-defined]
    return sqlite.insert(Recommendation.__table__)  # type: ignore[attr-defined]


def _insert_request(
    session: Session, provider_id: int, school_id: int, actor: User, now: datetime
) -> bool:
    """Insert a requested row; say False when another transaction added one first."""
    stmt = (
        _insert(session)
        .values(
            provider_id=provider_id,
            school_id=school_id,
            recommender_name="",
            service_title="",
            impact="",
            made_on=now.date(),
            status="requested",
            created_at=now,
            requested_by_id=actor.id,
            requested_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider_id", "school_id"])
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def _recommendation_id(session: Session, provider_id: int, school_id: int) -> int:
    rid = session.exec(
        select(Recommendation.id).where(
            Recommendation.provider_id == provider_id, Recommendation.school_id == school_id
        )
    ).first()
    return int(rid or 0)


def _check_recommender(session: Session, provider: Provider, actor: User, school_id: int) -> None:
    """Refuse anyone but the school's own head, and any school recommending itself."""
    if actor.role != "headteacher" or actor.school_id is None:
        raise Forbidden("Only a school's headteacher can recommend a provider.")
    if actor.school_id != school_id:
        raise Forbidden("You can only recommend for your own school.")
    if provider.school_id is not None and provider.school_id == school_id:
        raise InvalidInput("impact", "Your school cannot recommend itself")
    if actor.provider_id == provider.id or (
        provider.email and provider.email.casefold() == actor.email.casefold()
    ):
        raise InvalidInput("impact", "You cannot recommend a provider you work for")


def _check_text(service_title: str, impact: str) -> tuple[str, str]:
    title, words = _clean(service_title), _clean(impact)
    if not title:
        raise InvalidInput("service_title", "Enter the service your school used")
    if len(title) > SERVICE_TITLE_MAX:
        raise InvalidInput(
            "service_title", f"The service must be {SERVICE_TITLE_MAX} characters or fewer"
        )
    if not words:
        raise InvalidInput("impact", "Describe the impact the support had on your school")
    if len(words) < IMPACT_MIN:
        raise InvalidInput("impact", f"Describe the impact in at least {IMPACT_MIN} characters")
    if len(words) > IMPACT_MAX:
        raise InvalidInput("impact", f"The impact must be {IMPACT_MAX} characters or fewer")
    return title, words


def recommend(
    session: Session,
    provider_id: int,
    actor: User,
    service_title: str,
    impact: str,
    listing_id: int | None = None,
) -> Recommendation:
    """Record the head's recommendation for their school: one per school, a second replaces."""
    provider = lock_provider(session, provider_id)
    school_id = actor.school_id if actor.school_id is not None else -1
    _check_recommender(session, provider, actor, school_id)
    title, words = _check_text(service_title, impact)
    if listing_id is not None:
        owner = session.exec(select(Listing.provider_id).where(Listing.id == listing_id)).first()
        if owner != provider.id:
            listing_id = None
    before = session.exec(
        select(Recommendation.status).where(
            Recommendation.provider_id == provider.id, Recommendation.school_id == school_id
        )
    ).first()
    now = utcnow()
    values = {
        "recommender_user_id": actor.id,
        "recommender_name": actor.name[:200],
        "service_title": title,
        "impact": words,
        "made_on": now.date(),
        "status": "confirmed",
        "withdrawn_at": None,
        "responded_at": now,
        "listing_id": listing_id,
    }
    stmt = _insert(session).values(
        provider_id=provider.id, school_id=school_id, created_at=now, **values
    )
    stmt = stmt.on_conflict_do_update(index_elements=["provider_id", "school_id"], set_=values)
    try:
        session.execute(stmt)
    except IntegrityError as exc:  # the database's own guard (migration 0006 trigger)
        raise Conflict("That recommendation breaks the two-school rule.") from exc
    rec = session.exec(
        select(Recommendation)
        .where(Recommendation.provider_id == provider.id, Recommendation.school_id == school_id)
        .execution_options(populate_existing=True)
    ).one()
    action = {
        None: "recommendation-made",
        "requested": "recommendation-confirmed",
        "confirmed": "recommendation-replaced",
    }.get(before, "recommendation-made")
    audit.record(
        session,
        actor,
        entity_type="recommendation",
        entity_id=int(rec.id or 0),
        provider_id=provider.id,
        action=action,
        from_state=before,
        to_state="confirmed",
        reason=f"Used: {title}. Impact: {words}",
    )
    outbox.provider_changed(session, int(provider.id or 0))
    return rec


def _own_recommendation(session: Session, recommendation_id: int, actor: User) -> Recommendation:
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound("There is no such recommendation.")
    if actor.role != "headteacher" or actor.school_id != rec.school_id:
        raise Forbidden("You can only answer for your own school.")
    return rec


def confirm_recommendation(
    session: Session, recommendation_id: int, actor: User, service_title: str, impact: str
) -> Recommendation:
    """Confirm a requested recommendation, naming the service used and its impact."""
    rec = _own_recommendation(session, recommendation_id, actor)
    return recommend(session, rec.provider_id, actor, service_title, impact, rec.listing_id)


def decline_recommendation(
    session: Session, recommendation_id: int, actor: User, reason: str | None = None
) -> Recommendation:
    """Decline a request to recommend (the provider is not told why)."""
    rec = _own_recommendation(session, recommendation_id, actor)
    why = _optional_reason(reason, "reason")
    lock_provider(session, rec.provider_id)
    session.refresh(rec)
    if rec.status != "requested":
        raise Conflict("That request has already been answered.")
    rec.status = "declined"
    rec.responded_at = utcnow()
    session.add(rec)
    audit.record(
        session,
        actor,
        entity_type="recommendation",
        entity_id=int(rec.id or 0),
        provider_id=rec.provider_id,
        action="recommendation-declined",
        from_state="requested",
        to_state="declined",
        reason=why,
    )
    return rec


def withdraw_recommendation(
    session: Session, recommendation_id: int, actor: User, reason: str | None = None
) -> Recommendation:
    """Withdraw the school's recommendation; below two schools the provider leaves the directory."""
    rec = _own_recommendation(session, recommendation_id, actor)
    why = _optional_reason(reason, "reason")
    provider = lock_provider(session, rec.provider_id)
    session.refresh(rec)
    if rec.status != "confirmed" or rec.withdrawn_at is not None:
        raise Conflict("That recommendation is not in force.")
    rec.status = "withdrawn"
    rec.withdrawn_at = utcnow()
    session.add(rec)
    audit.record(
        session,
        actor,
        entity_type="recommendation",
        entity_id=int(rec.id or 0),
        provider_id=rec.provider_id,
        action="recommendation-withdrawn",
        from_state="confirmed",
        to_state="withdrawn",
        reason=why,
    )
    session.flush()
    outbox.provider_changed(session, int(provider.id or 0))
    enforce_two_schools(session, provider, actor)
    return rec


def enforce_two_schools(session: Session, provider: Provider, actor: User | None) -> list[Listing]:
    """Take a provider's assured listings out of the directory if fewer than two schools remain.

    Call with the provider locked (`lock_provider`). QA officers are told by email, and the
    listings wait in their queue as "recommendations-needed".
    """
    count = valid_schools(session, int(provider.id or 0))
    if count >= taxonomy.SCHOOLS_NEEDED:
        return []
    listings = list(
        session.exec(
            select(Listing)
            .where(Listing.provider_id == provider.id, Listing.status == "assured")
            .execution_options(populate_existing=True)
        ).all()
    )
    why = (
        f"Valid recommendations from {count} school{'s' if count != 1 else ''}: "
        f"the directory needs {taxonomy.SCHOOLS_NEEDED}."
    )
    for listing in listings:
        _set_status(session, actor, listing, "recommendations-needed", "below-two-schools", why)
    if listings:
        notify.send(
            session,
            notify.qa_addresses(session, provider),
            f"{provider.name} has left the directory: fewer than two schools",
            "below_two_schools.txt",
            provider=provider,
            listings=listings,
            count=count,
            link=notify.link(notify.path_of("assurance.queue") + "?show=recommendations-needed"),
        )
        notify.send(
            session,
            notify.provider_addresses(session, provider),
            "Your listings have left the directory",
            "provider_below_two.txt",
            provider=provider,
            listings=listings,
            count=count,
        )
    return listings


@dataclass(frozen=True)
class RecommendationView:
    """A recommendation with its school and whether it counts under the rule (and why not)."""

    recommendation: Recommendation
    provider: Provider
    school: School
    head: User | None
    counts: bool
    why_not: str | None


def explain(rec: Recommendation, provider: Provider, today: date | None = None) -> str | None:
    """Say why a recommendation does not count, or None when it does (mirrors broker.evidence)."""
    if rec.status == "requested":
        return "Waiting for the head's answer"
    if rec.status == "declined":
        return "Declined by the school"
    if rec.status == "withdrawn" or rec.withdrawn_at is not None:
        return "Withdrawn by the school"
    if rec.status != "confirmed":
        return f"Not confirmed ({rec.status})"
    if provider.school_id is not None and provider.school_id == rec.school_id:
        return "From the provider's own school"
    if rec.made_on < valid_since(today):
        return f"Older than {taxonomy.RECOMMENDATION_VALID_YEARS} years"
    return None


def recommendation_views(
    session: Session, *, provider_id: int | None = None, school_id: int | None = None
) -> list[RecommendationView]:
    """Return the recommendations of a provider or of a school, newest first, with their validity."""
    query = (
        select(Recommendation, Provider, School)
        .join(Provider, col(Provider.id) == col(Recommendation.provider_id))
        .join(School, col(School.id) == col(Recommendation.school_id))
        .order_by(col(Recommendation.made_on).desc(), col(Recommendation.id).desc())
    )
    if provider_id is not None:
        query = query.where(Recommendation.provider_id == provider_id)
    if school_id is not None:
        query = query.where(Recommendation.school_id == school_id)
    rows = session.exec(query).all()
    user_ids = {r.recommender_user_id for r, _, _ in rows if r.recommender_user_id}
    users = (
        {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()}
        if user_ids
        else {}
    )
    today = date.today()
    views = []
    for rec, provider, school in rows:
        why = explain(rec, provider, today)
        views.append(
            RecommendationView(
                rec, provider, school, users.get(rec.recommender_user_id), why is None, why
            )
        )
    return views


@dataclass(frozen=True)
class RequestView:
    """A request waiting for a head: the provider and the listings it offers."""

    recommendation: Recommendation
    provider: Provider
    listings: list[Listing]


def pending_requests(session: Session, actor: User) -> list[RequestView]:
    """Return the requests waiting for the head's school, oldest first."""
    if actor.role != "headteacher" or actor.school_id is None:
        return []
    rows = session.exec(
        select(Recommendation, Provider)
        .join(Provider, col(Provider.id) == col(Recommendation.provider_id))
        .where(Recommendation.school_id == actor.school_id, Recommendation.status == "requested")
        .order_by(sa.nulls_last(col(Recommendation.requested_at).asc()), col(Recommendation.id))
    ).all()
    return [RequestView(rec, p, provider_listings(session, int(p.id or 0))) for rec, p in rows]


def provider_listings(session: Session, provider_id: int) -> list[Listing]:
    """Return a provider's listings that a head may be asked about (not drafts or withdrawn)."""
    return list(
        session.exec(
            select(Listing)
            .where(
                Listing.provider_id == provider_id,
                col(Listing.status).not_in(["draft", "withdrawn"]),
            )
            .order_by(col(Listing.title))
        ).all()
    )


def request_for(session: Session, recommendation_id: int, actor: User) -> RequestView:
    """Return one request of the head's school, or refuse."""
    rec = _own_recommendation(session, recommendation_id, actor)
    provider = session.get(Provider, rec.provider_id)
    assert provider is not None
    return RequestView(rec, provider, provider_listings(session, int(provider.id or 0)))


def existing_recommendation(
    session: Session, provider_id: int, school_id: int
) -> Recommendation | None:
    """Return the school's recommendation of a provider, if any (any status)."""
    return session.exec(
        select(Recommendation).where(
            Recommendation.provider_id == provider_id, Recommendation.school_id == school_id
        )
    ).first()


# --- provider actions ------------------------------------------------------------------------


def submit_for_review(session: Session, listing: Listing, actor: User) -> Listing:
    """Put a listing in the QA queue (an assured listing stays published meanwhile)."""
    _acts_for_provider(actor, listing.provider_id)
    listing = _fresh_listing(session, int(listing.id or 0))
    if listing.status == "submitted" or (
        listing.status in ("assured", "lapsed") and listing.review_requested_at is not None
    ):
        return listing
    now = utcnow()
    if listing.status == "assured":
        listing.review_requested_at = now
        listing.updated_at = now
        session.add(listing)
        _listing_audit(session, actor, listing, "review-requested", "assured")
        return listing
    if listing.status not in _SUBMITTABLE:
        label = taxonomy.LISTING_STATUSES.label_of(listing.status).lower()
        raise Conflict(f"A listing that is {label} cannot be submitted.")
    listing.submitted_at = now
    listing.review_requested_at = None
    _set_status(session, actor, listing, "submitted", "submit")
    return listing


def renew(session: Session, listing: Listing, actor: User) -> Listing:
    """Ask QA for another 12 months: reviewed while still published, until the assurance lapses."""
    _acts_for_provider(actor, listing.provider_id)
    listing = _fresh_listing(session, int(listing.id or 0))
    now = utcnow()
    if listing.status == "assured":
        if listing.review_requested_at is None:
            listing.review_requested_at = now
            listing.updated_at = now
            session.add(listing)
            _listing_audit(session, actor, listing, "renew", "assured")
        return listing
    if listing.status == "lapsed":
        listing.submitted_at = now
        listing.review_requested_at = None
        _set_status(session, actor, listing, "submitted", "renew")
        return listing
    raise Conflict("Only an assured or lapsed listing can be renewed.")


def withdraw_listing(
    session: Session, listing: Listing, actor: User, reason: str | None = None
) -> Listing:
    """Take a listing out of the directory and the QA queue at the provider's request."""
    _acts_for_provider(actor, listing.provider_id)
    why = _optional_reason(reason, "reason")
    listing = _fresh_listing(session, int(listing.id or 0))
    if listing.status == "withdrawn":
        return listing
    listing.review_requested_at = None
    _set_status(session, actor, listing, "withdrawn", "withdraw", why)
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
            sa.func.count(sa.distinct(Recommendation.school_id)).label("schools"),
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
    revision: object | None
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


def _open_revision(session: Session, listing_id: int) -> object | None:
    try:
        from broker.models import ListingRevision  # type: ignore[attr-defined]
    except ImportError:  # the submissions feature is not installed
        return None
    return session.exec(
        select(ListingRevision).where(
            ListingRevision.open_listing_id == listing_id,
            ListingRevision.status == "submitted",
        )
    ).first()


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
                        AuditEvent.entity_type == "listing", AuditEvent.entity_id == listing.id
                    ),
                    AuditEvent.entity_type == "recommendation",
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
        revision=_open_revision(session, listing_id),
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
    return _fresh_listing(session, listing_id), provider


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
    why = _optional_reason(note, "note")
    if not _under_review(listing):
        raise Conflict("This listing is not waiting for review.")
    count = valid_schools(session, int(provider.id or 0))
    if count < taxonomy.SCHOOLS_NEEDED:
        raise InvalidInput(
            "decision",
            f"{provider.name} has valid recommendations from {count} "
            f"school{'s' if count != 1 else ''}: it needs {taxonomy.SCHOOLS_NEEDED} to be assured",
        )
    revision = _open_revision(session, listing_id)
    if revision is not None:
        from broker.submissions import services as submissions  # noqa: PLC0415 (no import cycle)

        submissions.apply_revision(session, revision)  # type: ignore[attr-defined]
    now = utcnow()
    listing.assured_at = now
    listing.assurance_expires_at = add_months(now, taxonomy.ASSURANCE_MONTHS)
    listing.review_requested_at = None
    listing.renewal_reminder_sent_at = None
    _set_status(session, actor, listing, "assured", "approve", why)
    _tell_provider(
        session, provider, listing, f"Assured: {listing.title}", "approved.txt", note=why
    )
    return listing


def request_changes(session: Session, listing_id: int, actor: User, message: str) -> Listing:
    """Send a listing back to its provider with a message (a published one stays published)."""
    text = _required_reason(message, "message", "a message to the provider")
    listing, provider = _decide(session, listing_id, actor)
    if not _under_review(listing):
        raise Conflict("This listing is not waiting for review.")
    revision = _open_revision(session, listing_id)
    if revision is not None:
        revision.status = "changes-requested"  # type: ignore[attr-defined]
        revision.message = text  # type: ignore[attr-defined]
        revision.decided_at = utcnow()  # type: ignore[attr-defined]
        revision.decided_by_id = actor.id  # type: ignore[attr-defined]
        session.add(revision)
    if listing.status == "submitted":
        _set_status(session, actor, listing, "changes-requested", "request-changes", text)
    else:
        listing.review_requested_at = None
        session.add(listing)
        _listing_audit(session, actor, listing, "request-changes", listing.status, text)
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
    text = _required_reason(reason, "reason", "the reason for rejecting")
    listing, provider = _decide(session, listing_id, actor)
    if not _under_review(listing):
        raise Conflict("This listing is not waiting for review.")
    revision = _open_revision(session, listing_id)
    if revision is not None:
        revision.status = "rejected"  # type: ignore[attr-defined]
        revision.open_listing_id = None  # type: ignore[attr-defined]
        revision.message = text  # type: ignore[attr-defined]
        revision.decided_at = utcnow()  # type: ignore[attr-defined]
        revision.decided_by_id = actor.id  # type: ignore[attr-defined]
        session.add(revision)
    if listing.status == "submitted":
        _set_status(session, actor, listing, "rejected", "reject", text)
    else:
        listing.review_requested_at = None
        session.add(listing)
        _listing_audit(session, actor, listing, "reject", listing.status, text)
    _tell_provider(
        session, provider, listing, f"Not assured: {listing.title}", "rejected.txt", reason=text
    )
    return listing


def suspend(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Hide a listing from search and its page at once (a complaint, a concern)."""
    text = _required_reason(reason, "reason", "the reason for suspending")
    listing, provider = _decide(session, listing_id, actor)
    if listing.status not in _SUSPENDABLE:
        raise Conflict("Only an assured listing can be suspended.")
    _set_status(session, actor, listing, "suspended", "suspend", text)
    _tell_provider(
        session, provider, listing, f"Suspended: {listing.title}", "suspended.txt", reason=text
    )
    return listing


def reinstate(session: Session, listing_id: int, actor: User, reason: str) -> Listing:
    """Return a suspended listing (or one that regained two schools) to the directory."""
    text = _required_reason(reason, "reason", "the reason for reinstating")
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
    _set_status(session, actor, listing, status, "reinstate", text)
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
