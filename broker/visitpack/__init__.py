"""Visit packs: a school's priorities, shortlists and suggestions for print and PDF."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the visit pack's page, PDF and stylesheet."""
    from broker.visitpack import views

    app.register_blueprint(views.bp)
