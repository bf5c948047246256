"""What counts as evidence for a provider: valid recommendations under the two-school rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.models import Brokerage, Provider, Recommendation
from broker.taxonomy import RECOMMENDATION_VALID_YEARS


def valid_since(today: date | None = None) -> date:
    """Return the earliest date a recommendation may carry and still count."""
    today = today or date.today()
    return today - timedelta(days=365 * RECOMMENDATION_VALID_YEARS + 1)


def valid_recommendation_clause(today: date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition for a recommendation that counts (confirmed, recent, not withdrawn, not self)."""
    own_school = (
        select(Provider.school_id)
        .where(Provider.id == Recommendation.provider_id)
        .scalar_subquery()
    )
    return sa.and_(
        Recommendation.status == "confirmed",
        col(Recommendation.withdrawn_at).is_(None),
        Recommendation.made_on >= valid_since(today),
        sa.or_(own_school.is_(None), Recommendation.school_id != own_school),
    )


def recommendation_counts(
    session: Session, provider_ids: Iterable[int] | None = None, today: date | None = None
) -> dict[int, int]:
    """Return {provider id: number of different schools with a valid recommendation}."""
    query = (
        select(Recommendation.provider_id, sa.func.count(sa.distinct(Recommendation.school_id)))
        .where(valid_recommendation_clause(today))
        .group_by(Recommendation.provider_id)
    )
    if provider_ids is not None:
        ids = list(provider_ids)
        if not ids:
            return {}
        query = query.where(col(Recommendation.provider_id).in_(ids))
    return {pid: int(n) for pid, n in session.exec(query).all()}


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
