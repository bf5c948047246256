"""Saved searches: a signed-in user keeps a search by name, and may be emailed (daily at most)
when a new listing matches it (`broker saved-searches notify`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the saved-search pages and the `broker saved-searches` commands."""
    from broker.savedsearches import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.saved_searches_cli)
