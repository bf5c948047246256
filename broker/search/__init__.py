"""The application's side of search: documents from the database, the index change log, queries."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give the app its search engine (the index follows the database) and `broker index`."""
    from broker.search import cli, engine

    engine.init_app(app)
    app.cli.add_command(cli.index_cli)
