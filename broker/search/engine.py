"""One search backend per application, kept in step with the change log.

After a request's transaction commits with index changes logged, the changes are applied at
once; any process also catches up (at most once a second) before it answers a search, so a
change committed by another process, or left behind by a crash, is visible within a second.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlmodel import Session

from broker import db
from broker.search import outbox, sync
from index import backends
from index.backends.base import SearchBackend, SearchIndexError

log = logging.getLogger(__name__)
KEY = "broker.search"
CATCH_UP_INTERVAL = 1.0
#: Set in Session.info by bulk jobs (imports) that sync once at the end instead of per commit.
DEFER = "broker.defer_index"


class SearchEngine:
    """The app's backend plus the bookkeeping that keeps it following the change log."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.directory: str | None = app.config["INDEX_DIR"]
        self.backend: SearchBackend = backends.create(
            app.config["SEARCH_BACKEND"], path=self.directory
        )
        self._lock = threading.Lock()
        self._last_check = 0.0

    def sync(self, session: Session | None = None) -> sync.SyncReport:
        """Apply whatever the change log holds beyond the index's last applied entry."""
        own = session is None
        session = session or Session(db.get_engine(self.app), expire_on_commit=False)
        session.info[DEFER] = True  # this session's own commits (lapsing) must not recurse
        try:
            return sync.sync(session, self.backend, self.directory)
        finally:
            if own:
                session.close()

    def catch_up(self) -> None:
        """Sync if the log moved on since we last looked (at most once per interval)."""
        now = time.monotonic()
        if now - self._last_check < CATCH_UP_INTERVAL:
            return
        with self._lock:
            if now - self._last_check < CATCH_UP_INTERVAL:
                return
            self._last_check = now
            with Session(db.get_engine(self.app)) as session:
                if sync.latest_seq(session) > self.backend.last_seq():
                    self._safe_sync(session)

    def _safe_sync(self, session: Session | None = None) -> None:
        try:
            self.sync(session)
        except SearchIndexError:
            # The log keeps the change: the next commit or catch-up applies it.
            log.warning("Index busy; logged changes will be applied on the next attempt.")

    def close(self) -> None:
        self.backend.close()


def get_engine(app: Flask | None = None) -> SearchEngine:
    """Return the app's search engine, creating it on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine: SearchEngine | None = app.extensions.get(KEY)
    if engine is None:
        engine = SearchEngine(app)
        app.extensions[KEY] = engine
    return engine


def _after_commit(session: Any) -> None:
    if not session.info.pop(outbox.PENDING, False) or session.info.get(DEFER):
        return
    app = session.info.get("broker.app")
    if app is None:
        return
    get_engine(app)._safe_sync()


def _after_rollback(session: Any) -> None:
    # Nothing logged survives a rollback.
    session.info.pop(outbox.PENDING, None)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
