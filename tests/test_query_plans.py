"""Questions asked on every sync or page find their rows through an index on PostgreSQL, not
by reading a whole table (found slow under `make scaleout` at 100,000 listings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from broker.lifecycle.services import expired_statement
from broker.models import AuditEvent


def _plan(session: Session, query: Any) -> str:
    compiled = query.compile(session.get_bind())
    connection = session.connection()
    connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: ask what it can use
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all()
    return "\n".join(row[0] for row in rows)


def test_assurances_that_ran_out_come_from_the_index_of_assured_expiry_dates(
    any_session: Session,
) -> None:
    """Every index sync in every process asks this first; a scan of 100,000 listings took
    72-111 ms each time (PostgreSQL hoped to meet an expired listing early: there was none)."""
    if any_session.get_bind().dialect.name != "postgresql":
        return  # SQLite: see expired_statement (its own planner hint)
    plan = _plan(any_session, expired_statement(any_session, datetime(2027, 1, 1)).limit(1))
    assert "ix_listing_assured_expiry" in plan and "Sort" not in plan


def test_one_things_history_comes_from_the_audit_index_newest_first(any_session: Session) -> None:
    """Who submitted a listing (the QA review page's conflict check) and its history: 19 ms a
    look over the audit log of 100,000 listings, which only grows."""
    if any_session.get_bind().dialect.name != "postgresql":
        return
    query = (
        select(AuditEvent.actor_id)
        .where(AuditEvent.entity_type == "listing", AuditEvent.entity_id == 7)
        .order_by(col(AuditEvent.at).desc())
        .limit(1)
    )
    plan = _plan(any_session, query)
    assert "ix_audit_event_entity" in plan and "Sort" not in plan
