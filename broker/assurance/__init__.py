"""Quality assurance: the QA officers' pages under /qa (their queue, reviews and decisions, the
audit trail) and referee schools' recommendations under the two-school rule.

A decision checks what is QA's to check (the officer's LA, conflicts of interest, reasons) and
then calls the listing lifecycle (broker.lifecycle), which owns the states and transitions.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the QA officers' pages (/qa) and `broker assurance remind | lapse`."""
    from broker.assurance import views

    app.register_blueprint(views.bp)  # its commands are the blueprint's own CLI group
