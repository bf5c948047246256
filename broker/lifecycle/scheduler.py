"""Record lapses on a timer: a small daemon thread per serving process.

Nothing depends on it for correctness: a listing past its assurance is never public, whether or
not its lapse was recorded (broker.models.is_public). It keeps the record (status, audit row,
index change) and the QA officers' queues up to date without an unrelated write or a cron job.
The interval is BROKER_LAPSE_INTERVAL_SECONDS (0: off); `broker assurance lapse` does one run.
"""

from __future__ import annotations

import random
import threading

from flask import Flask
from sqlmodel import Session

from broker import db
from broker.lifecycle import services

KEY = "broker.lifecycle.scheduler"


def run_once(app: Flask) -> int:
    """Record every lapse that is due, in one committed transaction; return how many."""
    with db.new_session(app) as session:
        count = lapse_due(session)
    return count


def lapse_due(session: Session) -> int:
    """Record the lapses due and commit them when there are any (also run before index syncs)."""
    count = services.lapse_expired(session)
    if count:
        session.commit()
    return count


class LapseScheduler:
    """The thread that calls `run_once` every `interval` seconds (with jitter) until stopped."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="broker-lapse", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        # Jitter, so the workers of one server do not all look at once.
        while not self._stop.wait(self.interval * random.uniform(0.5, 1.5)):
            try:
                count = run_once(self.app)
            except Exception:
                self.app.logger.exception("The lapse scheduler could not record lapses")
                continue
            self.runs += 1
            if count:
                self.app.logger.info("Recorded %d lapsed assurances", count)


def start(app: Flask) -> LapseScheduler | None:
    """Start `app`'s scheduler unless BROKER_LAPSE_INTERVAL_SECONDS is 0; return it."""
    interval = float(app.config.get("LAPSE_INTERVAL_SECONDS", 0))
    if interval <= 0:
        return None
    existing: LapseScheduler | None = app.extensions.get(KEY)
    if existing is not None:
        return existing
    scheduler = LapseScheduler(app, interval)
    app.extensions[KEY] = scheduler
    scheduler.start()
    return scheduler
