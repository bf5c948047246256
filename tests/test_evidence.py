"""Which recommendations count towards the two-school rule."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from broker.evidence import recommendation_counts
from broker.models import utcnow
from tests import factories as f


def test_two_schools_count_as_two(any_session: Session) -> None:
    provider = f.provider(any_session)
    f.recommendation(any_session, provider)
    f.recommendation(any_session, provider)
    assert recommendation_counts(any_session, [provider.id]) == {provider.id: 2}


def test_recommendation_older_than_three_years_does_not_count(any_session: Session) -> None:
    provider = f.provider(any_session)
    f.recommendation(any_session, provider)
    f.recommendation(any_session, provider, made_on=date.today() - timedelta(days=3 * 366 + 2))
    assert recommendation_counts(any_session, [provider.id]) == {provider.id: 1}


def test_withdrawn_or_unconfirmed_recommendations_do_not_count(any_session: Session) -> None:
    provider = f.provider(any_session)
    f.recommendation(any_session, provider, withdrawn_at=utcnow(), status="withdrawn")
    f.recommendation(any_session, provider, status="requested")
    f.recommendation(any_session, provider, status="declined")
    assert recommendation_counts(any_session, [provider.id]) == {}


def test_providers_own_school_does_not_count(any_session: Session) -> None:
    own = f.school(any_session)
    provider = f.provider(any_session, kind="school-to-school", school_id=own.id)
    f.recommendation(any_session, provider, own)
    f.recommendation(any_session, provider)
    assert recommendation_counts(any_session, [provider.id]) == {provider.id: 1}
