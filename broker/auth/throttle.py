"""Sliding-window counters in the database, so every server process sees the same counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, select

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
    in the window. The caller commits at once, so concurrent processes see the events.
    """
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
