"""Headteachers' recommendations: requests from providers, confirming, declining, withdrawing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the headteachers' recommendation pages."""
    from broker.recommendations import views

    app.register_blueprint(views.bp)
