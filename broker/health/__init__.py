"""`/healthz`: whether this process can reach its database and how far its index is behind."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the health check."""
    from broker.health import views

    app.register_blueprint(views.bp)
