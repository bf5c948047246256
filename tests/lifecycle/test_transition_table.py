"""Every state x every action of the listing lifecycle.

The expectations are written out here, apart from broker.lifecycle's own table: an allowed
transition reaches its phase and leaves its audit row, index change and email; a refused one
raises the app's typed error and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, col, select

from broker.errors import BrokerError, Conflict
from broker.lifecycle import services as lifecycle
from broker.models import AuditEvent, IndexChange, Listing, MailMessage, User, utcnow
from broker.search.engine import DEFER
from tests import factories as f

PHASES = (
    "draft",
    "submitted",
    "changes-requested",
    "assured",
    "assured+review",
    "rejected",
    "suspended",
    "lapsed",
    "lapsed+review",
    "withdrawn",
    "recommendations-needed",
)

#: action -> {phase before: phase after}; a phase missing is refused.
EXPECTED: dict[str, dict[str, str]] = {
    "submit": {
        "draft": "submitted",
        "submitted": "submitted",
        "changes-requested": "submitted",
        "assured": "assured+review",
        "assured+review": "assured+review",
        "rejected": "submitted",
        "lapsed": "submitted",
        "lapsed+review": "lapsed+review",
        "withdrawn": "submitted",
        "recommendations-needed": "submitted",
    },
    "renew": {
        "assured": "assured+review",
        "assured+review": "assured+review",
        "lapsed": "submitted",
        "lapsed+review": "submitted",
    },
    "withdraw": {p: "withdrawn" for p in PHASES},
    "approve": {"submitted": "assured", "assured+review": "assured", "lapsed+review": "assured"},
    "request-changes": {
        "submitted": "changes-requested",
        "assured+review": "assured",
        "lapsed+review": "lapsed",
    },
    "reject": {"submitted": "rejected", "assured+review": "assured", "lapsed+review": "lapsed"},
    "suspend": {
        "assured": "suspended",
        "assured+review": "suspended",
        "recommendations-needed": "suspended",
    },
    "reinstate": {"suspended": "assured", "recommendations-needed": "assured"},
    "lapse": {"assured": "lapsed", "assured+review": "lapsed+review"},
    "below-two-schools": {
        "assured": "recommendations-needed",
        "assured+review": "recommendations-needed",
    },
}
#: Actions that tell the provider by email when they happen.
EMAILED = {"approve", "request-changes", "reject", "suspend", "reinstate"}


def _make(s: Session, phase: str, action: str, title: str) -> tuple[Listing, User, User]:
    """A listing in `phase`, its provider's user, and a QA officer of the provider's LA."""
    la = f.local_authority(s)
    provider = f.provider(s, la_id=la.id)
    if action != "below-two-schools":
        f.recommendation(s, provider)
        f.recommendation(s, provider)
    status, _, review = phase.partition("+")
    now = utcnow()
    # Assured for a lapse has run out; every other listing that was assured is in date.
    expires = now - timedelta(days=1) if action == "lapse" else now + timedelta(days=200)
    was_assured = status in ("assured", "suspended", "lapsed", "recommendations-needed")
    listing = f.listing(
        s,
        provider,
        title=title,
        status=status,
        assured_at=now - timedelta(days=100) if was_assured else None,
        assurance_expires_at=(expires if status != "lapsed" else now - timedelta(days=1))
        if was_assured
        else None,
        review_requested_at=now if review else None,
        submitted_at=now if status == "submitted" else None,
    )
    owner = f.user(s, role="provider", provider_id=provider.id)
    qa = f.user(s, role="qa_officer", la_id=la.id)
    return listing, owner, qa


def _call(action: str) -> Callable[[Session, Listing, User, User], Any]:
    calls: dict[str, Callable[[Session, Listing, User, User], Any]] = {
        "submit": lambda s, item, owner, qa: lifecycle.submit(s, item, owner),
        "renew": lambda s, item, owner, qa: lifecycle.renew(s, item, owner),
        "withdraw": lambda s, item, owner, qa: lifecycle.withdraw(s, item, owner, "Closing"),
        "approve": lambda s, item, owner, qa: lifecycle.approve(s, item.id, qa),
        "request-changes": lambda s, item, owner, qa: lifecycle.request_changes(
            s, item.id, qa, "Say more"
        ),
        "reject": lambda s, item, owner, qa: lifecycle.reject(s, item.id, qa, "No"),
        "suspend": lambda s, item, owner, qa: lifecycle.suspend(s, item.id, qa, "A complaint"),
        "reinstate": lambda s, item, owner, qa: lifecycle.reinstate(s, item.id, qa, "Resolved"),
        "lapse": lambda s, item, owner, qa: lifecycle.lapse(s, item.id),
        "below-two-schools": lambda s, item, owner, qa: lifecycle.below_two_schools(s, item.id),
    }
    return calls[action]


def _snapshot(s: Session, listing_id: int, title: str) -> dict[str, Any]:
    s.expire_all()
    item = s.get(Listing, listing_id)
    assert item is not None

    def count(model: Any, condition: Any) -> int:
        return int(s.exec(select(sa.func.count()).select_from(model).where(condition)).one())

    return {
        "phase": lifecycle.phase(item),
        "row": (item.status, item.review_requested_at, item.assured_at, item.assurance_expires_at),
        "audit": list(
            s.exec(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "listing", AuditEvent.entity_id == listing_id)
                .order_by(col(AuditEvent.id))
            ).all()
        ),
        "index": count(IndexChange, col(IndexChange.listing_id) == listing_id),
        "mail": count(MailMessage, col(MailMessage.subject).contains(title)),
    }


def test_the_table_covers_every_phase_and_action() -> None:
    assert set(lifecycle.PHASES) == set(PHASES)
    assert set(lifecycle.ACTIONS) == set(EXPECTED)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_every_phase_under_one_action(app: Flask, session: Session, action: str) -> None:
    s = session
    s.info[DEFER] = True  # no index sync (nor its lapse run) between the steps
    call = _call(action)
    with app.test_request_context():
        for n, phase in enumerate(PHASES):
            title = f"Case {action} {n} {phase}"
            listing, owner, qa = _make(s, phase, action, title)
            listing_id = int(listing.id or 0)
            s.commit()
            before = _snapshot(s, listing_id, title)
            assert before["phase"] == phase
            expected = EXPECTED[action].get(phase)
            if expected is None:
                with pytest.raises(BrokerError) as refused:
                    call(s, s.get(Listing, listing_id), owner, qa)
                assert isinstance(refused.value, Conflict), (action, phase, refused.value)
                s.rollback()
                assert _snapshot(s, listing_id, title) == before, (action, phase)
                continue
            call(s, s.get(Listing, listing_id), owner, qa)
            s.commit()
            after = _snapshot(s, listing_id, title)
            assert after["phase"] == expected, (action, phase)
            if expected == phase and action in ("submit", "renew", "withdraw"):
                # Asking again for what is already so changes nothing.
                assert after == before, (action, phase)
                continue
            # Submitting a published listing is audited as a review requested while published.
            audited = "review-requested" if (action, phase) == ("submit", "assured") else action
            assert after["audit"] == [*before["audit"], audited], (action, phase)
            status_changed = after["row"][0] != before["row"][0]
            # Approval always re-dates the assurance, which the index shows.
            indexed = status_changed or action == "approve"
            assert (after["index"] > before["index"]) == indexed, (action, phase)
            assert (after["mail"] > before["mail"]) == (action in EMAILED), (action, phase)
            if expected.startswith("assured") and action in ("approve", "reinstate"):
                assert s.get(Listing, listing_id).is_public()  # type: ignore[union-attr]


def test_approving_without_two_schools_is_refused_and_changes_nothing(
    app: Flask, session: Session
) -> None:
    s = session
    s.info[DEFER] = True
    with app.test_request_context():
        listing, _owner, qa = _make(s, "submitted", "below-two-schools", "Short of schools")
        s.commit()
        before = _snapshot(s, int(listing.id or 0), "Short of schools")
        with pytest.raises(BrokerError) as refused:
            lifecycle.approve(s, int(listing.id or 0), qa)
        assert refused.value.status == 400
        s.rollback()
        assert _snapshot(s, int(listing.id or 0), "Short of schools") == before


def test_only_the_named_actor_may_make_a_transition(app: Flask, session: Session) -> None:
    s = session
    s.info[DEFER] = True
    with app.test_request_context():
        listing, owner, qa = _make(s, "submitted", "approve", "Who decides")
        stranger = f.user(s, role="provider", provider_id=f.provider(s).id)
        s.commit()
        before = _snapshot(s, int(listing.id or 0), "Who decides")
        for attempt in (
            lambda: lifecycle.approve(s, int(listing.id or 0), owner),
            lambda: lifecycle.withdraw(s, s.get(Listing, listing.id), stranger),
            lambda: lifecycle.withdraw(s, s.get(Listing, listing.id), qa),
        ):
            with pytest.raises(BrokerError) as refused:
                attempt()
            assert refused.value.status == 403
            s.rollback()
        assert _snapshot(s, int(listing.id or 0), "Who decides") == before


def test_a_suspended_listing_is_not_under_review_even_with_a_stale_request(
    session: Session,
) -> None:
    item = Listing(provider_id=1, code="X", title="t", summary="s", cost="free")
    item.status, item.review_requested_at = "suspended", utcnow()
    assert not lifecycle.under_review(item)
    for status in ("assured", "lapsed"):
        item.status = status
        assert lifecycle.under_review(item)
    item.review_requested_at = None
    assert not lifecycle.under_review(item)


def test_under_review_and_its_sql_twin_agree(session: Session) -> None:
    s = session
    provider = f.provider(s)
    f.recommendation(s, provider)
    f.recommendation(s, provider)
    cases = []
    for phase in PHASES:
        status, _, review = phase.partition("+")
        for stale in (False, True):
            item = Listing(
                provider_id=int(provider.id or 0),
                code=f"U{len(cases):04d}",
                title=phase,
                summary="s",
                cost="free",
                status=status,
                review_requested_at=utcnow() if (review or stale) else None,
            )
            s.add(item)
            cases.append(item)
    s.flush()
    in_sql = set(s.exec(select(Listing.id).where(lifecycle.under_review_clause())).all())
    assert {int(i.id or 0) for i in cases if lifecycle.under_review(i)} == in_sql
