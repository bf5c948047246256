"""What counts as evidence for a provider: valid recommendations under the two-school rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.models import (
    Brokerage,
    Listing,
    Provider,
    Recommendation,
    public_listing_clause,
    utcnow,
)
from broker.taxonomy import RECOMMENDATION_VALID_YEARS, SCHOOLS_NEEDED

#: How long after it was made a recommendation still counts (its day included).
VALIDITY = timedelta(days=365 * RECOMMENDATION_VALID_YEARS + 1)


def valid_since(today: date | None = None) -> date:
    """Return the earliest date a recommendation may carry and still count."""
    today = today or date.today()
    return today - VALIDITY


def valid_recommendation_clause(
    today: date | None = None, own_school: Any = None
) -> sa.ColumnElement[bool]:
    """SQL condition for a recommendation that counts (confirmed, recent, not withdrawn, not self).

    `own_school`: the recommended provider's own school, where the query has joined Provider
    already (else looked up per recommendation).
    """
    if own_school is None:
        own_school = (
            select(Provider.school_id)
            .where(col(Provider.id) == col(Recommendation.provider_id))
            .scalar_subquery()
        )
    return sa.and_(
        col(Recommendation.status) == "confirmed",
        col(Recommendation.withdrawn_at).is_(None),
        col(Recommendation.made_on) >= valid_since(today),
        sa.or_(own_school.is_(None), col(Recommendation.school_id) != own_school),
    )


def recommending_schools_clause(today: date | None = None) -> sa.ColumnElement[int]:
    """SQL for the number of schools validly recommending the provider of the enclosing Listing."""
    return (
        select(sa.func.count(sa.distinct(col(Recommendation.school_id))))
        .where(
            col(Recommendation.provider_id) == col(Listing.provider_id),
            valid_recommendation_clause(today),
        )
        .scalar_subquery()
    )


def well_recommended_providers(today: date | None = None) -> sa.Select[Any]:
    """SQL for the ids of providers that enough different schools validly recommend.

    One grouped pass over the recommendations: for questions about the whole directory, where
    recommending_schools_clause would look up each listing's provider's recommendations in turn
    (100,000 lookups at national scale: 0.6-0.9 s for the home page's figures).
    """
    return (
        select(col(Recommendation.provider_id))
        .join(Provider, col(Provider.id) == col(Recommendation.provider_id))
        .where(valid_recommendation_clause(today, own_school=col(Provider.school_id)))
        .group_by(col(Recommendation.provider_id))
        .having(sa.func.count(sa.distinct(col(Recommendation.school_id))) >= SCHOOLS_NEEDED)
    )


def public_clause(now: datetime | None = None) -> sa.ColumnElement[bool]:
    """SQL for "this Listing is public now" (broker.models.is_public, with its evidence)."""
    now = now or utcnow()
    return public_listing_clause(now, recommending_schools_clause(now.date()))


def recommendation_counts(
    session: Session, provider_ids: Iterable[int] | None = None, today: date | None = None
) -> dict[int, int]:
    """Return {provider id: number of different schools with a valid recommendation}."""
    query = (
        select(
            col(Recommendation.provider_id),
            sa.func.count(sa.distinct(col(Recommendation.school_id))),
        )
        .where(valid_recommendation_clause(today))
        .group_by(col(Recommendation.provider_id))
    )
    if provider_ids is not None:
        ids = list(provider_ids)
        if not ids:
            return {}
        query = query.where(col(Recommendation.provider_id).in_(ids))
    return {pid: int(n) for pid, n in session.exec(query).all()}


def recommendation_evidence(
    session: Session, provider_ids: Iterable[int] | None = None, today: date | None = None
) -> dict[int, tuple[int, datetime | None]]:
    """Return {provider id: (schools with a valid recommendation, when the two-school rule
    stops holding by itself as recommendations age, or None if it does not hold now)}."""
    query = (
        select(
            Recommendation.provider_id,
            Recommendation.school_id,
            sa.func.max(Recommendation.made_on),
        )
        .where(valid_recommendation_clause(today))
        .group_by(col(Recommendation.provider_id), col(Recommendation.school_id))
    )
    if provider_ids is not None:
        ids = list(provider_ids)
        if not ids:
            return {}
        query = query.where(col(Recommendation.provider_id).in_(ids))
    latest: dict[int, list[date]] = {}
    for provider_id, _school_id, made_on in session.exec(query).all():
        latest.setdefault(int(provider_id), []).append(made_on)
    out: dict[int, tuple[int, datetime | None]] = {}
    for provider_id, dates in latest.items():
        dates.sort(reverse=True)
        until = None
        if len(dates) >= SCHOOLS_NEEDED:
            # The rule holds until the SCHOOLS_NEEDED-th most recent school's recommendation
            # stops counting: the day after its last valid day.
            last_day = dates[SCHOOLS_NEEDED - 1] + VALIDITY
            until = datetime.combine(last_day + timedelta(days=1), time.min, UTC)
        out[provider_id] = (len(dates), until)
    return out


def brokerage_outcomes(
    session: Session, listing_ids: Iterable[int]
) -> dict[int, tuple[int, float]]:
    """Return listing id -> (brokerages with impact recorded, mean impact rating 1-4)."""
    ids = sorted({int(i) for i in listing_ids})
    if not ids:
        return {}
    rows = session.exec(
        select(
            Brokerage.listing_id,
            sa.func.count(col(Brokerage.id)),
            sa.func.avg(col(Brokerage.impact_rating)),
        )
        .where(
            col(Brokerage.listing_id).in_(ids),
            Brokerage.state == "evaluated",
            col(Brokerage.impact_rating).is_not(None),
        )
        .group_by(col(Brokerage.listing_id))
    ).all()
    return {int(lid): (int(n), round(float(mean), 2)) for lid, n, mean in rows}
