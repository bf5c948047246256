"""Providers' listings: registering, drafting, submitting for assurance, editing and withdrawing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the providers' pages."""
    from broker.submissions import views

    app.register_blueprint(views.bp)
