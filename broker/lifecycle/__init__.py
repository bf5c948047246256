"""The listing lifecycle: states, transitions, guards and side effects, in one place.

`broker.lifecycle.services` is what the submission, assurance, recommendation and import features
call to change a listing's status; `scheduler` records lapses on a timer in the serving process.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Let every index sync record the lapses that are due first (see scheduler.lapse_due)."""
    from broker.lifecycle import scheduler
    from broker.search import engine

    hooks = app.extensions.setdefault(engine.BEFORE_SYNC, [])
    if scheduler.lapse_due not in hooks:
        hooks.append(scheduler.lapse_due)
