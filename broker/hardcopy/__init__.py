"""The simplified whole-directory hardcopy of an LA, and its published editions."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the hardcopy pages and `broker hardcopy`."""
    from broker.hardcopy import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.hardcopy_command)
