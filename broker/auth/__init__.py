"""Accounts and roles: sign-in, sessions, second factor, invitations, password reset."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Bind the login manager and register the account pages."""
    from broker.auth import access, cli, views

    access.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users_cli)
