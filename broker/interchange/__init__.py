"""The directory's interchange format: JSON Lines import and export (see the README)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add `broker import` and `broker export`."""
    from broker.interchange import cli

    app.cli.add_command(cli.import_command)
    app.cli.add_command(cli.export_command)
