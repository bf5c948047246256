"""The brokerage queries other features use (outcomes for the matcher and the listing page,
fatigue, a school's states for search context), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from broker.brokerage import services as brokerage
from broker.errors import Conflict, Forbidden, InvalidInput
from tests import factories as f
from tests.schools import world as w


def _done(session: Session, world: w.World, priority, listing, rating: str):  # type: ignore[no-untyped-def]
    row = brokerage.shortlist(session, world.sip, priority, int(listing.id or 0))
    for to in ("agreed", "engaged", "completed"):
        brokerage.move(session, world.head, row, to)
    brokerage.move(session, world.head, row, "evaluated", rating=rating, impact="Clear gains.")
    return row


def test_outcomes_count_only_evaluated_brokerages_and_average_their_ratings(
    any_session: Session,
) -> None:
    s = any_session
    world = w.build(s)
    _, priorities = w.visit(s, world, priorities=3)
    _done(s, world, priorities[0], world.listing, "4")
    _done(s, world, priorities[1], world.listing, "3")
    brokerage.shortlist(s, world.sip, priorities[2], int(world.listing.id or 0))  # not evaluated
    _done(s, world, priorities[2], world.other_listing, "1")
    s.commit()
    untouched = f.listing(s)
    outcomes = brokerage.brokerage_outcomes(
        s, [world.listing.id, world.other_listing.id, untouched.id]
    )
    assert outcomes == {world.listing.id: (2, 3.5), world.other_listing.id: (1, 1.0)}
    assert brokerage.brokerage_outcomes(s, []) == {}


def test_a_schools_states_report_the_furthest_state_per_listing(any_session: Session) -> None:
    s = any_session
    world = w.build(s)
    _, priorities = w.visit(s, world, priorities=2)
    brokerage.shortlist(s, world.sip, priorities[0], int(world.listing.id or 0))
    row = brokerage.shortlist(s, world.sip, priorities[1], int(world.listing.id or 0))
    brokerage.move(s, world.head, row, "agreed")
    declined = brokerage.shortlist(s, world.sip, priorities[1], int(world.other_listing.id or 0))
    brokerage.move(s, world.head, declined, "declined", reason="Not now.")
    s.commit()
    assert brokerage.school_states(s, int(world.school.id or 0)) == {
        world.listing.id: "agreed",
        world.other_listing.id: "declined",
    }
    assert brokerage.school_states(s, int(world.neighbour.id or 0)) == {}


def test_fatigue_counts_agreed_and_engaged_work_against_the_las_threshold(
    any_session: Session,
) -> None:
    s = any_session
    world = w.build(s)
    _, priorities = w.visit(s, world, priorities=5)
    backed = f.assured_provider(s, listings=0)  # public: only those can be shortlisted
    listings = [f.listing(s, backed) for _ in range(6)]
    rows = [
        brokerage.shortlist(s, world.sip, p, int(item.id or 0))
        for p, item in zip(priorities, listings, strict=False)
    ]
    for row in rows:
        brokerage.move(s, world.head, row, "agreed")
    brokerage.move(s, world.sip, rows[0], "engaged")
    s.commit()
    found = brokerage.fatigue(s, world.school)
    assert (found.active, found.threshold, found.over_threshold) == (5, 5, False)
    assert found.crowded_areas == ["Curriculum and Subject Support"]
    extra = brokerage.shortlist(s, world.sip, priorities[0], int(listings[5].id or 0))
    assert brokerage.fatigue(s, world.school, extra=extra).over_threshold
    assert not brokerage.fatigue(s, world.neighbour).warn


def test_the_service_refuses_bad_moves_whoever_calls_it(any_session: Session) -> None:
    s = any_session
    world = w.build(s)
    _, (priority,) = w.visit(s, world)
    row = brokerage.shortlist(s, world.sip, priority, int(world.listing.id or 0))
    with pytest.raises(Conflict):
        brokerage.move(s, world.head, row, "completed")
    with pytest.raises(Conflict):
        brokerage.move(s, world.head, row, "teleported")
    with pytest.raises(Forbidden):
        brokerage.move(s, world.neighbour_head, row, "agreed")
    with pytest.raises(Forbidden):
        brokerage.move(s, world.neighbour_sip, row, "declined", reason="x")
    with pytest.raises(Forbidden):
        brokerage.shortlist(s, world.neighbour_sip, priority, int(world.other_listing.id or 0))
    for to in ("agreed", "engaged", "completed"):
        brokerage.move(s, world.head, row, to)
    with pytest.raises(InvalidInput) as bad:
        brokerage.move(s, world.head, row, "evaluated", rating="5", impact="x")
    assert bad.value.field == "rating"
    with pytest.raises(InvalidInput) as bad:
        brokerage.move(s, world.head, row, "evaluated", rating="3", impact=" ")
    assert bad.value.field == "impact"
    assert row.state == "completed"


def test_only_a_public_listing_may_be_shortlisted_two_schools_included(
    any_session: Session,
) -> None:
    # The one rule of "public": an assured, in-date listing whose provider fewer than two
    # schools recommend is not in the directory, so it cannot be brokered either.
    s = any_session
    world = w.build(s)
    _, priorities = w.visit(s, world, priorities=1)
    one_school = f.provider(s)
    f.recommendation(s, one_school)
    lonely = f.listing(s, one_school, title="Assured, but one school behind it")
    s.commit()
    with pytest.raises(InvalidInput, match="not in the directory now"):
        brokerage.shortlist(s, world.sip, priorities[0], int(lonely.id or 0))
    f.recommendation(s, one_school)  # a second school: now public
    s.commit()
    row = brokerage.shortlist(s, world.sip, priorities[0], int(lonely.id or 0))
    assert row.listing_id == lonely.id
