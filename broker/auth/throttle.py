"""Sliding-window counters in the database, so every server process sees the same counts.

Counting and recording happen under a lock on each counter (PostgreSQL: a transaction-scoped
advisory lock per scope and key; SQLite: its one write lock, taken at once), so simultaneous
attempts are checked one after another and a limit of 5 lets exactly 5 through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, func, select

from broker import db
from broker.models import ThrottleEvent

#: Rows older than this are no longer needed by any window and are swept away.
KEEP = timedelta(days=1)


def count(session: Session, scope: str, key: str, since: datetime) -> int:
    """Return how many events `scope`/`key` has had since `since`."""
    return session.exec(
        select(func.count())
        .select_from(ThrottleEvent)
        .where(ThrottleEvent.scope == scope, ThrottleEvent.key == key, ThrottleEvent.at >= since)
    ).one()


def try_acquire(
    session: Session, limits: Sequence[tuple[str, str, int]], window: timedelta, now: datetime
) -> list[int] | None:
    """Record one event under every (scope, key) unless one is at its limit; return the event ids.

    Returns None (and records nothing) when any (scope, key, limit) already has `limit` events
    in the window. The counters stay locked until the caller commits, which it does at once.
    """
    lock(session, [(scope, key) for scope, key, _ in limits])
    since = now - window
    for scope, key, limit in limits:
        if count(session, scope, key, since) >= limit:
            return None
    events = [ThrottleEvent(scope=scope, key=key, at=now) for scope, key, _ in limits]
    session.add_all(events)
    session.flush()
    return [e.id for e in events if e.id is not None]


def release(session: Session, event_ids: Sequence[int]) -> None:
    """Forget events that turned out not to count (the attempt succeeded)."""
    if event_ids:
        session.exec(delete(ThrottleEvent).where(col(ThrottleEvent.id).in_(event_ids)))


def forget(session: Session, event_ids: Sequence[int], counters: Sequence[tuple[str, str]]) -> None:
    """Forget the events and every event of the counters, holding the counters' locks first.

    Unlocked, two sign-ins of one account at once each deleted its own events, then the
    account's: each then waited for a row the other had deleted, and PostgreSQL ended the
    deadlock by failing one of them (a 500, under `make scaleout`'s load).
    """
    lock(session, counters)
    release(session, event_ids)
    for scope, key in counters:
        clear(session, scope, key)


def clear(session: Session, scope: str, key: str) -> None:
    """Forget every event of `scope`/`key`."""
    session.exec(
        delete(ThrottleEvent).where(
            col(ThrottleEvent.scope) == scope, col(ThrottleEvent.key) == key
        )
    )


def sweep(session: Session, now: datetime) -> None:
    """Delete events too old to matter to any window."""
    session.exec(delete(ThrottleEvent).where(col(ThrottleEvent.at) < now - KEEP))


def lock_id(scope: str, key: str) -> int:
    """Return a stable signed 64-bit number naming one counter (for pg_advisory_xact_lock)."""
    digest = hashlib.blake2b(f"{scope}\x1f{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock(session: Session, counters: Iterable[tuple[str, str]]) -> None:
    """Hold the given counters until the session's transaction ends (see the module docstring)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        db.begin_transaction(session, lock_for_writing=True)
        return
    if connection.dialect.name == "postgresql":
        # Always in the same order, so two attempts never wait for each other in a circle.
        for number in sorted({lock_id(scope, key) for scope, key in counters}):
            session.execute(sa.text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})
