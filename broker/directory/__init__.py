"""The public directory: the home page, search results, listing pages and short codes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the directory's pages."""
    from broker.directory import services, views

    app.extensions["broker.directory.figures"] = services.FiguresCache()
    app.register_blueprint(views.bp)
