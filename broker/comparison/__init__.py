"""Comparing up to four public listings side by side (from search results or a shortlist)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the comparison page."""
    from broker.comparison import views

    app.register_blueprint(views.bp)
