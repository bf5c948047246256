"""Hear of index changes at once: a thread per server process that LISTENs on PostgreSQL.

Every commit that writes the change log sends `NOTIFY broker_index, '<seq>'` (a trigger,
migrations/versions/0009). Each server process keeps one connection of its own listening on
that channel; when a notification names a change its index has not applied, it applies the log
(`SearchEngine.sync`, with a bounded wait for the index's writer). So a change made on one
machine is in every machine's index within moments, not at that machine's next search.

Hearing nothing is never trusted for long: while connected, the log is read anyway every
INDEX_POLL_SECONDS (which also lapses assurances that ran out); when the connection is lost the
thread reconnects with a growing pause (1 s doubling to 30 s), reading the log at each try and
once more on reconnecting, since notifications sent meanwhile are gone. Correctness never rests
on this thread: every search still reads the log beyond its index first (engine.catch_up).
SQLite has no LISTEN; there the thread is not started.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask

from broker.background import BackgroundThread, start_once
from broker.search.engine import get_search
from index.backends.base import SearchIndexError

log = logging.getLogger(__name__)

#: The channel the trigger notifies (migrations/versions/0009_index_change_notify.py).
CHANNEL = "broker_index"
KEY = "broker.search.listener"
#: Seconds a notification-driven update waits for the index's writer (another process of
#: this machine is usually applying the same change: it then finds nothing left to do).
APPLY_WAIT = 5.0
#: Seconds between looks at the stop flag while waiting for notifications.
TICK = 0.5
#: Longest pause between reconnection attempts.
MAX_BACKOFF = 30.0


class ChangeListener(BackgroundThread):
    """One LISTEN connection and the thread that applies the change log when it hears of one."""

    def __init__(self, app: Flask, poll_seconds: float) -> None:
        super().__init__("broker-index-listener")
        self.app = app
        self.engine = get_search(app)
        url = sa.make_url(app.config["DATABASE_URL"]).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.poll_seconds = poll_seconds
        self.listening = threading.Event()
        #: Notifications heard and syncs run, for /healthz-style checks and tests.
        self.heard = 0
        self.applied = 0

    def _run(self) -> None:
        import psycopg

        backoff = 1.0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if backoff > 1.0:
                        log.warning("Index listener reconnected; listening for changes again.")
                    backoff = 1.0
                    self.listening.set()
                    self._apply()  # what was logged while nobody listened
                    self._listen(conn)
            except (psycopg.Error, OSError) as exc:
                self.listening.clear()
                if self._stop.is_set():
                    break
                log.warning(
                    "Index listener has no database connection (%s); retrying in %.0f s, "
                    "searches still read the change log themselves.",
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    backoff,
                )
                self._stop.wait(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, MAX_BACKOFF)
                self._apply()  # the fallback: read the log anyway (the database may be fine)
        self.listening.clear()

    def _listen(self, conn: Any) -> None:
        last_read = time.monotonic()
        while not self._stop.is_set():
            newest = 0
            for notify in conn.notifies(timeout=TICK, stop_after=1):
                self.heard += 1
                newest = max(newest, _seq(notify.payload))
            if newest:
                if newest > self.engine.backend.last_seq():
                    self._apply()
                last_read = time.monotonic()
            elif time.monotonic() - last_read >= self.poll_seconds:
                self._apply()
                last_read = time.monotonic()

    def _apply(self) -> None:
        try:
            self.engine.sync(timeout=APPLY_WAIT)
            self.applied += 1
        except SearchIndexError:
            # Another process holds the index for longer than APPLY_WAIT: it is applying the
            # log; anything it misses is applied at the next notification, look or search.
            log.info("Index listener: the index is busy; the next look applies what is left.")
        except Exception as exc:
            # The database is away too: the reconnection loop tries again.
            log.warning("Index listener could not apply the change log (%s).", type(exc).__name__)


def _seq(payload: str) -> int:
    try:
        return int(payload)
    except ValueError:
        return 1 << 62  # an unknown payload still means "something changed"


def start(app: Flask) -> ChangeListener | None:
    """Start `app`'s listener on PostgreSQL when INDEX_LISTEN is on; return it (None: not started)."""
    if not app.config.get("INDEX_LISTEN", True):
        return None
    if sa.make_url(app.config["DATABASE_URL"]).get_backend_name() != "postgresql":
        return None
    poll_seconds = float(app.config.get("INDEX_POLL_SECONDS", 30))
    return start_once(app, KEY, lambda: ChangeListener(app, poll_seconds))


def stop(app: Flask) -> None:
    """Stop `app`'s listener, if it has one."""
    listener: ChangeListener | None = app.extensions.pop(KEY, None)
    if listener is not None:
        listener.stop()
