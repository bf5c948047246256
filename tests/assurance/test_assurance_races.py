"""Races on SQLite and PostgreSQL: threads with their own sessions, interleaved on purpose.

A listener on the engine pauses one transaction right after a chosen statement and lets the
other start; the rule must hold whichever order the database lets them commit in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlmodel import Session, select

from broker import db
from broker.assurance import services
from broker.errors import BrokerError
from broker.evidence import recommendation_counts
from broker.models import Listing, Recommendation, User
from tests import factories as f
from tests.assurance.conftest import World

IMPACT = "Reading attainment in Year 2 rose by a third and staff feel confident teaching phonics."


def _run(
    app: Flask, name: str, work: Callable[[Session], Any], errors: list[BaseException]
) -> threading.Thread:
    def target() -> None:
        with app.app_context(), db.new_session(app) as session:
            try:
                work(session)
                session.commit()
            except BrokerError as exc:  # a refusal is a fine outcome; anything else fails the test
                session.rollback()
                errors.append(exc)

    return threading.Thread(target=target, name=name)


@contextmanager
def pause_after(
    app: Flask, thread_name: str, fragment: str, resumed: threading.Event
) -> Iterator[threading.Event]:
    """Pause `thread_name` after its first statement containing `fragment`; set the yielded event then."""
    reached = threading.Event()
    engine = db.get_engine(app)

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if (
            threading.current_thread().name == thread_name
            and fragment in statement
            and not reached.is_set()
        ):
            reached.set()
            resumed.wait(5)  # give the other transaction every chance to get in between

    event.listen(engine, "after_cursor_execute", listener)
    try:
        yield reached
    finally:
        event.remove(engine, "after_cursor_execute", listener)


def _two_schools_and_a_submission(s: Session, w: World) -> int:
    for head, school in zip(w.heads[:2], w.schools[:2], strict=True):
        f.recommendation(
            s, w.provider, school, recommender_user_id=head.id, recommender_name=head.name
        )
    listing = f.listing(s, w.provider, status="submitted", local_authorities=[w.la.code])
    s.commit()
    return int(listing.id)


def _final(s: Session, provider_id: int, listing_id: int) -> tuple[str, int]:
    s.expire_all()
    listing = s.get(Listing, listing_id)
    assert listing is not None
    return listing.status, recommendation_counts(s, [provider_id]).get(provider_id, 0)


def test_two_recommendations_at_once_from_one_school_make_one(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    second_head = f.user(s, role="headteacher", school_id=w.schools[0].id)
    s.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def make(head_id: int, title: str) -> Callable[[Session], Any]:
        def work(session: Session) -> None:
            head = session.get(User, head_id)
            barrier.wait(5)
            services.recommend(session, w.provider.id, head, title, IMPACT)

        return work

    threads = [
        _run(any_app, "a", make(w.heads[0].id, "Phonics training"), errors),
        _run(any_app, "b", make(second_head.id, "Maths mastery"), errors),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    s.expire_all()
    recs = s.exec(select(Recommendation).where(Recommendation.provider_id == w.provider.id)).all()
    assert len(recs) == 1 and recs[0].status == "confirmed"
    assert recommendation_counts(s, [w.provider.id]) == {w.provider.id: 1}


def _race(
    app: Flask, s: Session, w: World, paused: str, fragment: str
) -> tuple[str, int, list[BaseException]]:
    listing_id = _two_schools_and_a_submission(s, w)
    rec_id = s.exec(
        select(Recommendation.id).where(Recommendation.school_id == w.schools[0].id)
    ).one()
    errors: list[BaseException] = []

    def approve(session: Session) -> None:
        services.approve(session, listing_id, session.get(User, w.qa.id))

    def withdraw(session: Session) -> None:
        services.withdraw_recommendation(
            session, rec_id, session.get(User, w.heads[0].id), "Concern"
        )

    work = {"approver": approve, "withdrawer": withdraw}
    other = "withdrawer" if paused == "approver" else "approver"
    resumed = threading.Event()
    with pause_after(app, paused, fragment, resumed) as reached:
        first = _run(app, paused, work[paused], errors)
        first.start()
        assert reached.wait(10), "the paused transaction never reached its statement"
        second = _run(app, other, work[other], errors)
        second.start()
        time.sleep(0.5)  # the other transaction runs as far as the database lets it
        resumed.set()
        first.join(30)
        second.join(30)
    assert not first.is_alive() and not second.is_alive()
    status, count = _final(s, w.provider.id, listing_id)
    return status, count, errors


def test_a_withdrawal_during_an_approval_leaves_the_listing_out(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    # The approval has counted two schools; the withdrawal comes before it commits.
    status, count, errors = _race(any_app, any_session, any_world, "approver", "count(DISTINCT")
    assert errors == []
    assert count == 1
    assert status == "recommendations-needed"  # approved first, then taken out by the withdrawal


def test_an_approval_during_a_withdrawal_is_refused(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    # The withdrawal has written; the approval comes before it commits.
    status, count, errors = _race(
        any_app, any_session, any_world, "withdrawer", "UPDATE recommendation"
    )
    assert count == 1
    assert status == "submitted"
    assert [type(e).__name__ for e in errors] == ["InvalidInput"]
