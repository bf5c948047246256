"""Schools' private records: SIP assignments, visits, priorities and support categories."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the schools' pages and `broker schools import`."""
    from broker.schools import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.schools_cli)
