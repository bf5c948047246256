"""Record lapses on a timer: a small daemon thread per serving process.

Nothing depends on it for correctness: a listing past its assurance is never public, whether or
not its lapse was recorded (broker.models.is_public). It keeps the record (status, audit row,
index change) and the QA officers' queues up to date without an unrelated write or a cron job.
The interval is BROKER_LAPSE_INTERVAL_SECONDS (0: off); `broker assurance lapse` does one run.
"""

from __future__ import annotations

import random

from flask import Flask
from sqlmodel import Session

from broker import db
from broker.background import BackgroundThread, start_once
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


class LapseScheduler(BackgroundThread):
    """The thread that calls `run_once` every `interval` seconds (with jitter) until stopped."""

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__("broker-lapse")
        self.app = app
        self.interval = interval
        self.runs = 0

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
    return start_once(app, KEY, lambda: LapseScheduler(app, interval))
