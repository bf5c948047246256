"""One definition of public (Python and SQL agree), and lapse recorded by command, not by chance."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, col, select

from broker.evidence import public_clause, recommendation_counts
from broker.lifecycle import scheduler
from broker.models import AuditEvent, IndexChange, Listing, utcnow
from broker.search.engine import DEFER
from tests import factories as f


def test_is_public_and_its_sql_twin_agree_over_states_dates_and_schools(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    s.info[DEFER] = True
    now = utcnow()
    made: list[Listing] = []
    for schools in (0, 1, 2, 3):
        provider = f.provider(s)
        for _ in range(schools):
            f.recommendation(s, provider)
        for status in ("assured", "submitted", "suspended", "lapsed", "recommendations-needed"):
            for expires in (None, now - timedelta(days=1), now + timedelta(seconds=5)):
                made.append(f.listing(s, provider, status=status, assurance_expires_at=expires))
    s.commit()
    counts = recommendation_counts(s)
    ids = [int(x.id or 0) for x in made]
    in_sql = set(
        s.exec(select(Listing.id).where(col(Listing.id).in_(ids), public_clause(now))).all()
    )
    in_python = {int(x.id or 0) for x in made if x.is_public(now, counts.get(x.provider_id, 0))}
    assert in_sql == in_python
    assert in_python  # the grid has public listings, and (below) hidden ones
    assert len(in_python) == 2 * 2  # assured, with two or three schools, undated or in date
    later = now + timedelta(seconds=10)
    assert set(
        s.exec(select(Listing.id).where(col(Listing.id).in_(ids), public_clause(later))).all()
    ) == {int(x.id or 0) for x in made if x.is_public(later, counts.get(x.provider_id, 0))}


def test_an_expired_listing_leaves_the_page_and_api_before_any_lapse_is_recorded(
    app: Flask, session: Session
) -> None:
    s = session
    s.info[DEFER] = True
    provider = f.assured_provider(s, listings=0)
    item = f.listing(s, provider, assurance_expires_at=utcnow() + timedelta(days=1))
    s.commit()
    client = app.test_client()
    assert client.get(f"/directory/listings/{item.id}").status_code == 200
    item.assurance_expires_at = utcnow() - timedelta(seconds=1)
    s.add(item)
    s.commit()
    assert s.get(Listing, item.id).status == "assured"  # type: ignore[union-attr]
    assert client.get(f"/directory/listings/{item.id}").status_code == 404
    assert client.get(f"/api/v1/listings/{item.id}").status_code == 404


def test_the_listing_page_applies_the_two_school_rule_as_the_api_does(
    app: Flask, session: Session
) -> None:
    s = session
    s.info[DEFER] = True
    provider = f.provider(s)
    f.recommendation(s, provider)
    item = f.listing(s, provider)  # assured, in date, one school behind it
    s.commit()
    client = app.test_client()
    assert client.get(f"/api/v1/listings/{item.id}").status_code == 404
    assert client.get(f"/directory/listings/{item.id}").status_code == 404


def test_the_lapse_command_records_status_audit_and_index_change(
    app: Flask, session: Session
) -> None:
    s = session
    s.info[DEFER] = True
    provider = f.assured_provider(s, listings=0)
    old = f.listing(s, provider, assurance_expires_at=utcnow() - timedelta(days=2))
    fresh = f.listing(s, provider)
    s.commit()
    changes = len(s.exec(select(IndexChange.seq).where(IndexChange.listing_id == old.id)).all())
    result = app.test_cli_runner().invoke(args=["assurance", "lapse"])
    assert result.exit_code == 0, result.output
    assert "Recorded 1 lapsed assurance." in result.output
    s.expire_all()
    assert s.get(Listing, old.id).status == "lapsed"  # type: ignore[union-attr]
    assert s.get(Listing, fresh.id).status == "assured"  # type: ignore[union-attr]
    events = s.exec(select(AuditEvent).where(AuditEvent.action == "lapse")).all()
    assert [(e.entity_id, e.actor_label, e.from_state, e.to_state) for e in events] == [
        (old.id, "system", "assured", "lapsed")
    ]
    assert (
        len(s.exec(select(IndexChange.seq).where(IndexChange.listing_id == old.id)).all()) > changes
    )
    again = app.test_cli_runner().invoke(args=["assurance", "lapse"])
    assert "Recorded 0 lapsed assurances." in again.output


def test_the_scheduler_is_off_unless_an_interval_is_set(app: Flask) -> None:
    app.config["LAPSE_INTERVAL_SECONDS"] = 0
    assert scheduler.start(app) is None


def test_the_scheduler_records_lapses_on_its_own(app: Flask, session: Session) -> None:
    s = session
    s.info[DEFER] = True
    provider = f.assured_provider(s, listings=0)
    old = f.listing(s, provider, assurance_expires_at=utcnow() - timedelta(days=2))
    s.commit()
    app.config["LAPSE_INTERVAL_SECONDS"] = 0.05
    runner = scheduler.start(app)
    assert runner is not None
    try:
        for _ in range(200):
            s.expire_all()
            if s.get(Listing, old.id).status == "lapsed":  # type: ignore[union-attr]
                break
            runner._stop.wait(0.05)
        assert s.get(Listing, old.id).status == "lapsed"  # type: ignore[union-attr]
    finally:
        runner.stop()
