"""Recommendations under the two-school rule: requests, confirmations, declines, withdrawals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from broker import audit, caseload, taxonomy
from broker.assurance.rules import (
    IMPACT_MAX,
    IMPACT_MIN,
    SERVICE_TITLE_MAX,
    acts_for_provider,
    clean,
    optional_reason,
)
from broker.errors import Conflict, Forbidden, InvalidInput, NotFound
from broker.evidence import valid_since
from broker.lifecycle import notify
from broker.lifecycle.services import enforce_two_schools, lock_provider
from broker.models import (
    Listing,
    Provider,
    Recommendation,
    School,
    User,
    utcnow,
)

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
    acts_for_provider(actor, int(provider.id or 0))
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
    """Refuse anyone but the school's head or authorised leader, and a school recommending itself."""
    if actor.role not in caseload.SCHOOL_ROLES or actor.school_id is None:
        raise Forbidden(
            "Only a school's headteacher, or a leader they authorised, can recommend a provider."
        )
    if actor.school_id != school_id:
        raise Forbidden("You can only recommend for your own school.")
    if not caseload.speaks_for_school(session, actor, school_id):
        raise Forbidden("Your authority to act for your school has been withdrawn.")
    refusal = self_recommendation(provider, actor)
    if refusal is not None:
        raise InvalidInput("impact", refusal)


def self_recommendation(provider: Provider, actor: User) -> str | None:
    """Say why this head may never recommend the provider (their own school, their employer).

    The listing page then offers no "Recommend" button, instead of refusing after the head
    has written the impact statement.
    """
    if provider.school_id is not None and provider.school_id == actor.school_id:
        return "Your school cannot recommend itself"
    if actor.provider_id == provider.id or (
        provider.email and provider.email.casefold() == actor.email.casefold()
    ):
        return "You cannot recommend a provider you work for"
    return None


def _check_text(service_title: str, impact: str) -> tuple[str, str]:
    title, words = clean(service_title), clean(impact)
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
    _audit(session, actor, rec, action, before, f"Used: {title}. Impact: {words}")
    return rec


def _audit(
    session: Session,
    actor: User,
    rec: Recommendation,
    action: str,
    from_state: str | None,
    reason: str | None,
) -> None:
    audit.record_state(
        session,
        actor,
        "recommendation",
        rec,
        action,
        from_state,
        reason,
        on_behalf_of=caseload.on_behalf_of(session, actor),
    )


def _own_recommendation(session: Session, recommendation_id: int, actor: User) -> Recommendation:
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound("There is no such recommendation.")
    if not caseload.speaks_for_school(session, actor, rec.school_id):
        raise Forbidden("You can only answer for your own school.")
    return rec


def _own_locked(
    session: Session, recommendation_id: int, actor: User, reason: str | None
) -> tuple[Recommendation, Provider, str | None]:
    """Return the head's own recommendation (read again under its provider's lock) and reason."""
    rec = _own_recommendation(session, recommendation_id, actor)
    why = optional_reason(reason, "reason")
    provider = lock_provider(session, rec.provider_id)
    session.refresh(rec)
    return rec, provider, why


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
    rec, _, why = _own_locked(session, recommendation_id, actor, reason)
    if rec.status != "requested":
        raise Conflict("That request has already been answered.")
    rec.status = "declined"
    rec.responded_at = utcnow()
    session.add(rec)
    _audit(session, actor, rec, "recommendation-declined", "requested", why)
    return rec


def withdraw_recommendation(
    session: Session, recommendation_id: int, actor: User, reason: str | None = None
) -> Recommendation:
    """Withdraw the school's recommendation; below two schools the provider leaves the directory."""
    rec, provider, why = _own_locked(session, recommendation_id, actor, reason)
    if rec.status != "confirmed" or rec.withdrawn_at is not None:
        raise Conflict("That recommendation is not in force.")
    rec.status = "withdrawn"
    rec.withdrawn_at = utcnow()
    session.add(rec)
    _audit(session, actor, rec, "recommendation-withdrawn", "confirmed", why)
    session.flush()
    enforce_two_schools(session, provider, actor)
    return rec


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
    if not caseload.speaks_for_school(session, actor, actor.school_id):
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
