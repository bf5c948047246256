"""Brokered support: shortlists, the head's decision, the engagement and its impact."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the brokerage pages."""
    from broker.brokerage import views

    app.register_blueprint(views.bp)
