"""Checks behind /healthz: each answers without raising."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from broker.search import sync
from index.backends.base import SearchBackend

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    """What the checks found: the database reachable, and the index's lag in change-log entries.

    `applied` is the last change-log entry the index applied (compare machines with it);
    `listening` whether this process hears of changes at once (None: no listener, as on SQLite).
    """

    database: bool
    index: bool
    pending: int | None
    applied: int | None = None
    listening: bool | None = None

    @property
    def ok(self) -> bool:
        return self.database and self.index

    def as_json(self) -> dict[str, object]:
        """Return the health report as a JSON-ready dict."""
        return {
            "status": "ok" if self.ok else "unavailable",
            "database": "ok" if self.database else "unreachable",
            "index": {
                "status": "ok" if self.index else "unavailable",
                "caught_up": self.pending == 0 if self.pending is not None else None,
                "pending_changes": self.pending,
                "applied_change": self.applied,
                "listening": self.listening,
            },
        }


def check(session: Session, backend: SearchBackend | None, listening: bool | None = None) -> Health:
    """Check the database with a trivial query and the index (None: unopenable) against the log."""
    try:
        session.exec(sa.select(sa.literal(1))).one()  # type: ignore[call-overload]
    except Exception:
        log.exception("Health check: the database is unreachable")
        session.rollback()
        return Health(database=False, index=False, pending=None)
    if backend is None:
        return Health(database=True, index=False, pending=None)
    try:
        applied = backend.last_seq()
        pending = max(0, sync.latest_seq(session) - applied)
    except Exception:
        log.exception("Health check: the index cannot be read")
        session.rollback()
        return Health(database=True, index=False, pending=None, listening=listening)
    return Health(database=True, index=True, pending=pending, applied=applied, listening=listening)
