"""A small thread per server process that retries unsent mail, so nothing waits for an operator.

Requests deliver their own mail after the response; what a crash or a mail server outage left in
the outbox is picked up here (claims make sure two processes never send one message at once).
"""

from __future__ import annotations

import random
import threading
import time

from flask import Flask

from broker import db
from broker.mail.outbox import send_unsent
from broker.mail.senders import sender_from_config


def start(app: Flask) -> threading.Thread | None:
    """Start the courier for `app` unless BROKER_MAIL_RETRY_SECONDS is 0; return its thread."""
    interval = int(app.config["MAIL_RETRY_SECONDS"])
    if interval <= 0:
        return None
    thread = threading.Thread(
        target=_run, args=(app, interval), name="broker-mail-courier", daemon=True
    )
    thread.start()
    return thread


def drain(app: Flask) -> tuple[int, int]:
    """Send every unsent message with attempts left once; return (sent, failed)."""
    return send_unsent(
        db.get_engine(app),
        sender_from_config(app.config, app.logger),
        max_attempts=int(app.config["MAIL_MAX_ATTEMPTS"]),
    )


def _run(app: Flask, interval: int) -> None:
    while True:
        # Jitter, so the workers of one server do not all look at once.
        time.sleep(interval * random.uniform(0.5, 1.5))
        try:
            sent, failed = drain(app)
        except Exception:
            app.logger.exception("The mail courier could not read the outbox")
            continue
        if sent or failed:
            app.logger.info("Mail courier: sent %d, %d failed and stay queued", sent, failed)
