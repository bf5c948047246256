"""The joint support plan of a school: for its head and governing body, the agreed priorities and
the support brokered for each (provider, dates, cost, how impact will be judged) with progress."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the support plan's page, PDF and the form for a brokerage's plan details."""
    from broker.supportplan import views

    app.register_blueprint(views.bp)
