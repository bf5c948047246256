"""Provider capacity: a provider says how much it can take on (days available this term) or that
it is not taking new work until a date. Search, listing pages, the API and the matcher show it
(broker.availability); a search can keep to providers taking new work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the provider's capacity page (/provider/capacity)."""
    from broker.capacity import views

    app.register_blueprint(views.bp)
