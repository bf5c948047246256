"""Conflicts of interest: the register, a SIP's declaration when shortlisting, and a QA officer
who may not decide on a provider they have an interest in (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from broker.assurance import services as assurance
from broker.brokerage import services as brokerage
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.interests import services as interests
from broker.models import AuditEvent, Interest, Listing, Provider
from tests import factories as f
from tests.schools import world as w

TODAY = date.today()
PROVIDER = "Helen Marsh Education Consultancy"


def _add(s: Session, user, **kw) -> Interest:  # type: ignore[no-untyped-def]
    values = {
        "provider_name": PROVIDER,
        "kind": "paid-work",
        "started_on": TODAY - timedelta(days=800),
        "ended_on": None,
        "details": "Associate consultant",
    }
    values.update(kw)
    interest = interests.add(s, user, **values)
    s.commit()
    return interest


def _submitted(s: Session, world: w.World) -> Listing:
    """A listing of the interesting provider, waiting for world.qa's LA to decide."""
    provider_id = world.listing.provider_id
    listing = f.listing(
        s,
        s.get(Provider, provider_id),
        status="submitted",
        national=False,
        local_authorities=[world.la.code],
        title="Phonics for Year 1",
    )
    s.commit()
    return listing


# --- the register --------------------------------------------------------------------------------


def test_an_interest_counts_while_it_lasts_and_for_two_years_after_it_ends(
    any_session: Session,
) -> None:
    s = any_session
    world = w.build(s)
    provider_id = world.listing.provider_id
    ended_lately = _add(s, world.sip, ended_on=TODAY - timedelta(days=700))
    assert interests.counts(ended_lately)
    assert [i.id for i in interests.current_interests(s, world.sip.id, provider_id)] == [
        ended_lately.id
    ]
    interests.remove(s, world.sip, int(ended_lately.id or 0))
    s.commit()
    assert interests.current_interests(s, world.sip.id, provider_id) == []
    long_ago = _add(
        s,
        world.sip,
        started_on=TODAY - timedelta(days=2000),
        ended_on=TODAY - timedelta(days=3 * 365),
    )
    assert not interests.counts(long_ago)
    assert interests.current_interests(s, world.sip.id, provider_id) == []
    assert interests.interested_providers(s, world.sip.id, [provider_id]) == set()
    _add(s, world.sip, kind="family", ended_on=None)
    assert interests.interested_providers(s, world.sip.id, [provider_id, 999]) == {provider_id}
    # Someone else's register says nothing about this SIP's.
    assert interests.interested_providers(s, world.neighbour_sip.id, [provider_id]) == set()


def test_adding_and_removing_are_in_the_audit_trail_under_the_provider(
    any_session: Session,
) -> None:
    s = any_session
    world = w.build(s)
    interest = _add(s, world.qa, kind="employment", details="Former deputy director")
    interests.remove(s, world.qa, int(interest.id or 0))
    s.commit()
    events = s.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "interest").order_by(col(AuditEvent.id))
    ).all()
    assert [e.action for e in events] == ["interest-registered", "interest-removed"]
    assert {e.provider_id for e in events} == {world.listing.provider_id}
    assert "Employment, from" in (events[0].reason or "")
    assert "Former deputy director" in (events[0].reason or "")
    # Kept, not deleted, but off the register.
    assert s.get(Interest, interest.id).removed_at is not None  # type: ignore[union-attr]
    assert interests.register(s, world.qa) == []


def test_the_provider_is_found_by_its_name_or_a_clear_message_says_why_not(
    session: Session,
) -> None:
    s = session
    world = w.build(s)
    assert interests.find_provider(s, "helen marsh education consultancy").name == PROVIDER
    assert interests.find_provider(s, "  Helen   Marsh ").name == PROVIDER
    f.provider(s, name="Marsh Maths Ltd")
    with pytest.raises(InvalidInput, match="More than one provider matches “Marsh”") as exc:
        interests.find_provider(s, "Marsh")
    assert exc.value.field == "provider"
    with pytest.raises(InvalidInput, match="No provider in the directory is called “Nobody”"):
        interests.find_provider(s, "Nobody")
    with pytest.raises(InvalidInput, match="Enter the provider"):
        interests.find_provider(s, "   ")
    # LIKE's own characters are searched for as themselves.
    with pytest.raises(InvalidInput, match="No provider"):
        interests.find_provider(s, "%")
    assert world.sip  # the world made the providers


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": "friendship"}, "kind", "Select the kind of interest"),
        ({"started_on": None}, "started_on", "Enter the date the interest started"),
        # Two days ahead: these dates are worked out when the tests are collected, and a run
        # that crosses midnight would make tomorrow today.
        ({"started_on": TODAY + timedelta(days=2)}, "started_on", "today or earlier"),
        ({"ended_on": TODAY - timedelta(days=900)}, "ended_on", "on or after the date it started"),
        ({"details": "x" * 1001}, "details", "1000 characters or fewer"),
    ],
)
def test_bad_entries_are_refused_with_a_message_on_the_field(
    session: Session, change: dict, field: str, message: str
) -> None:
    s = session
    world = w.build(s)
    with pytest.raises(InvalidInput, match=message) as exc:
        _add(s, world.sip, **change)
    assert exc.value.field == field


def test_only_sips_and_qa_officers_keep_a_register_and_only_their_own(session: Session) -> None:
    s = session
    world = w.build(s)
    with pytest.raises(Forbidden):
        _add(s, world.head)
    mine = _add(s, world.sip)
    with pytest.raises(NotFound):
        interests.remove(s, world.neighbour_sip, int(mine.id or 0))


# --- shortlisting: the declaration ------------------------------------------------------------


def test_a_sip_with_an_interest_must_declare_it_to_shortlist(any_session: Session) -> None:
    s = any_session
    world = w.build(s)
    _, (priority,) = w.visit(s, world)
    _add(s, world.sip)
    listing_id = int(world.listing.id or 0)
    with pytest.raises(InvalidInput, match="You registered an interest in Helen Marsh") as exc:
        brokerage.shortlist(s, world.sip, priority, listing_id, declaration="   ")
    assert exc.value.field == "declaration"
    s.rollback()
    row = brokerage.shortlist(
        s, world.sip, priority, listing_id, declaration="I was paid as an associate in 2024."
    )
    s.commit()
    assert row.interest_declared == "I was paid as an associate in 2024."
    event = s.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "brokerage", AuditEvent.entity_id == row.id
        )
    ).one()
    assert event.reason == "Interest declared: I was paid as an associate in 2024."
    # Another provider's listing needs no declaration.
    other = brokerage.shortlist(s, world.sip, priority, int(world.other_listing.id or 0))
    assert other.interest_declared is None


def test_an_interest_that_no_longer_counts_needs_no_declaration(any_session: Session) -> None:
    s = any_session
    world = w.build(s)
    _, (priority,) = w.visit(s, world)
    _add(
        s,
        world.sip,
        started_on=TODAY - timedelta(days=2000),
        ended_on=TODAY - timedelta(days=3 * 366),
    )
    row = brokerage.shortlist(s, world.sip, priority, int(world.listing.id or 0))
    assert row.interest_declared is None


# --- QA: another officer must decide -----------------------------------------------------------


def test_a_qa_officer_with_an_interest_cannot_decide_and_another_officer_can(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    world = w.build(s)
    listing = _submitted(s, world)
    _add(s, world.qa, kind="ownership", details="Shareholder")
    listing_id = int(listing.id or 0)
    with any_app.app_context():
        review = assurance.review(s, listing_id, world.qa)
        assert review.conflict is not None and "another officer must decide" in review.conflict
        for decide in (
            lambda: assurance.approve(s, listing_id, world.qa),
            lambda: assurance.reject(s, listing_id, world.qa, "No."),
            lambda: assurance.request_changes(s, listing_id, world.qa, "Change it."),
        ):
            with pytest.raises(Forbidden, match="You registered an interest in Helen Marsh"):
                decide()
            s.rollback()
        queue = assurance.qa_queue(s, world.qa)
        assert [(i.listing.id, i.interest) for i in queue.items] == [(listing_id, True)]
        colleague = w.make_user(s, "qa_officer", la_id=world.la.id, enrolled=True)
        assert [i.interest for i in assurance.qa_queue(s, colleague).items] == [False]
        assurance.approve(s, listing_id, colleague)
        s.commit()
        with pytest.raises(Forbidden):
            assurance.suspend(s, listing_id, world.qa, "A complaint.")
        s.rollback()
    s.expire_all()
    assert s.get(Listing, listing_id).status == "assured"  # type: ignore[union-attr]
