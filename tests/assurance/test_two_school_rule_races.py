"""The two-school rule under races, 100 rounds per database: two withdrawals racing an approval.

Each round, a provider has valid recommendations from three schools and a listing waiting for
QA. Three threads start together, each with its own session: the QA officer approves, and two
heads withdraw their schools' recommendations. Whatever order the database lets them commit in,
the provider ends with one school behind it, so the listing must not be assured; the approval
may be refused, nothing else may fail, and the database's own rule (migration 0008) must never
be what stopped it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from broker import db
from broker.assurance import services
from broker.errors import InvalidInput
from broker.evidence import recommendation_counts
from broker.models import Listing, User
from tests import factories as f
from tests.assurance.conftest import World

ROUNDS = 100


def _round(s: Session, w: World) -> tuple[int, int, list[int], list[int]]:
    """Add a provider with three recommending schools and a submitted listing."""
    provider = f.provider(s, la_id=w.la.id)
    schools = [f.school(s, la=w.la) for _ in range(3)]
    heads = [f.user(s, role="headteacher", school_id=school.id) for school in schools]
    recs = [
        f.recommendation(
            s, provider, school, recommender_user_id=head.id, recommender_name=head.name
        )
        for school, head in zip(schools, heads, strict=True)
    ]
    listing = f.listing(s, provider, status="submitted", local_authorities=[w.la.code])
    s.commit()
    return (
        int(provider.id or 0),
        int(listing.id or 0),
        [int(r.id or 0) for r in recs[:2]],
        [int(h.id or 0) for h in heads[:2]],
    )


def _thread(
    app: Flask,
    barrier: threading.Barrier,
    work: Callable[[Session], Any],
    outcomes: list[str],
    failures: list[BaseException],
) -> threading.Thread:
    def target() -> None:
        with app.app_context(), db.new_session(app) as session:
            try:
                barrier.wait(10)
                work(session)
                session.commit()
                outcomes.append("done")
            except InvalidInput:
                session.rollback()  # an approval refused: a fine outcome
                outcomes.append("refused")
            except BaseException as exc:  # anything else fails the test, below
                session.rollback()
                failures.append(exc)

    return threading.Thread(target=target)


@pytest.mark.slow
def test_two_withdrawals_racing_an_approval_never_leave_a_listing_published_behind_one_school(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    finals: Counter[str] = Counter()
    for _ in range(ROUNDS):
        provider_id, listing_id, rec_ids, head_ids = _round(s, w)
        barrier = threading.Barrier(3)
        outcomes: list[str] = []
        failures: list[BaseException] = []

        def approve(session: Session, listing_id: int = listing_id) -> None:
            services.approve(session, listing_id, session.get(User, w.qa.id))

        def withdrawal(rec_id: int, head_id: int) -> Callable[[Session], Any]:
            def work(session: Session) -> None:
                head = session.get(User, head_id)
                services.withdraw_recommendation(session, rec_id, head, "Changed our mind")

            return work

        threads = [
            _thread(any_app, barrier, approve, outcomes, failures),
            *(
                _thread(any_app, barrier, withdrawal(r, h), outcomes, failures)
                for r, h in zip(rec_ids, head_ids, strict=True)
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads), "a transaction never finished"
        assert failures == [], f"unexpected failures: {failures!r}"
        assert sorted(outcomes).count("done") >= 2  # both withdrawals always go through
        s.expire_all()
        listing = s.get(Listing, listing_id)
        assert listing is not None
        assert recommendation_counts(s, [provider_id]).get(provider_id, 0) == 1
        assert listing.status != "assured"
        assert listing.status in ("submitted", "recommendations-needed")
        finals[listing.status] += 1
    # Both orders happened: approved then taken out, and refused after the withdrawals.
    print(f"final states over {ROUNDS} rounds: {dict(finals)}")
