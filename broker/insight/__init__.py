"""The LA's supply and demand: priorities across its schools against the listings serving it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the supply and demand page."""
    from broker.insight import views

    app.register_blueprint(views.bp)
