"""The public JSON API under /api/v1: listings, one listing, the matcher, its OpenAPI document."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API (its match endpoint joins the same blueprint); no CSRF: nothing is signed in."""
    from broker.api import match, views  # noqa: F401  (match adds its route to views.bp)
    from broker.extensions import csrf

    app.register_blueprint(views.bp)
    csrf.exempt(views.bp)
