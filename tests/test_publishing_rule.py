"""The database enforces the publishing rule itself (migration 0008), on SQLite and PostgreSQL.

An assured listing needs recommendations from two different schools that are confirmed, not
withdrawn, dated within the last three years and not from the provider's own school, at the
moment it is made assured (inserted, changed to assured, moved to another provider, or its
assurance extended). The README says exactly this.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session

from broker.assurance import services as assurance
from broker.models import Listing, Provider, utcnow
from broker.search.engine import DEFER
from tests import factories as f

NEEDS_TWO = "an assured listing needs valid recommendations from two different schools"


def make_assured(session: Session, listing: Listing) -> None:
    """Do what the issue did: UPDATE listing SET status='assured', straight to the database."""
    session.execute(
        sa.text("UPDATE listing SET status = 'assured' WHERE id = :id"), {"id": listing.id}
    )
    session.flush()


def submitted(session: Session, provider: Provider) -> Listing:
    listing = f.listing(session, provider, status="submitted")
    session.commit()
    return listing


def test_the_database_refuses_an_assured_listing_without_recommendations(
    any_session: Session,
) -> None:
    listing = submitted(any_session, f.provider(any_session))
    with pytest.raises(sa.exc.IntegrityError, match=NEEDS_TWO):
        make_assured(any_session, listing)


def test_the_database_refuses_to_insert_an_assured_listing_with_one_school(
    any_session: Session,
) -> None:
    provider = f.provider(any_session)
    f.recommendation(any_session, provider)
    any_session.commit()
    item = Listing(
        provider_id=provider.id, code="ONE01", title="One school", summary="s", cost="paid"
    )
    item.status = "assured"
    any_session.add(item)
    with pytest.raises(sa.exc.IntegrityError, match=NEEDS_TWO):
        any_session.flush()


@pytest.mark.parametrize(
    "weak",
    [
        {"withdrawn_at": "now"},
        {"status": "requested"},
        {"status": "declined"},
        {"made_on": date.today() - timedelta(days=365 * 3 + 30)},
        {"own_school": True},
    ],
    ids=["withdrawn", "requested", "declined", "older-than-three-years", "own-school"],
)
def test_a_recommendation_that_does_not_count_does_not_count_in_the_database_either(
    any_session: Session, weak: dict[str, object]
) -> None:
    weak = dict(weak)  # the parameter is shared by the SQLite and PostgreSQL runs
    provider = f.provider(any_session)
    f.recommendation(any_session, provider)
    second = f.school(any_session)
    if weak.pop("own_school", False):
        provider.school_id = second.id
    if weak.get("withdrawn_at") == "now":
        weak["withdrawn_at"] = utcnow()
    f.recommendation(any_session, provider, second, **weak)
    listing = submitted(any_session, provider)
    with pytest.raises(sa.exc.IntegrityError, match=NEEDS_TWO):
        make_assured(any_session, listing)


def test_two_valid_schools_let_a_listing_be_assured(any_session: Session) -> None:
    provider = f.provider(any_session)
    f.recommendation(any_session, provider)
    f.recommendation(any_session, provider, made_on=date.today() - timedelta(days=365 * 3 - 1))
    listing = submitted(any_session, provider)
    make_assured(any_session, listing)
    any_session.commit()
    any_session.refresh(listing)
    assert listing.status == "assured"


def test_extending_an_assurance_is_checked_but_editing_or_ending_one_is_not(
    any_session: Session,
) -> None:
    # The database's rule alone: no index sync after each commit, which would lapse the
    # listing once its assurance has ended (every change to it is now logged for the index).
    any_session.info[DEFER] = True
    provider = f.provider(any_session)
    f.recommendation(any_session, provider)
    rec = f.recommendation(any_session, provider)
    listing = submitted(any_session, provider)
    make_assured(any_session, listing)
    rec.status = "withdrawn"  # the database leaves the follow-up of a withdrawal to the app
    any_session.commit()
    any_session.refresh(listing)
    listing.title = "A new title"
    listing.assurance_expires_at = utcnow() - timedelta(days=1)
    any_session.commit()  # editing, or ending the assurance, needs no evidence
    listing.assurance_expires_at = utcnow() + timedelta(days=365)
    with pytest.raises(sa.exc.IntegrityError, match=NEEDS_TWO):
        any_session.flush()  # a renewal does


def test_moving_an_assured_listing_to_a_provider_without_two_schools_is_refused(
    any_session: Session,
) -> None:
    listing = f.listing(any_session, f.assured_provider(any_session, listings=0))
    other = f.provider(any_session)
    any_session.commit()
    listing.provider_id = other.id
    with pytest.raises(sa.exc.IntegrityError, match=NEEDS_TWO):
        any_session.flush()


def test_approval_still_works_under_the_rule(any_app: Flask, any_session: Session) -> None:
    from tests.assurance.conftest import build_world

    w = build_world(any_session)
    for head, school in zip(w.heads[:2], w.schools[:2], strict=True):
        f.recommendation(
            any_session, w.provider, school, recommender_user_id=head.id, recommender_name=head.name
        )
    listing = f.listing(any_session, w.provider, status="submitted", submitted_at=utcnow())
    any_session.commit()
    with any_app.app_context():
        approved = assurance.approve(any_session, int(listing.id or 0), w.qa)
        any_session.commit()
    assert approved.status == "assured" and approved.is_public()
