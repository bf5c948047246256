"""Thin command-line commands: each parses its arguments and calls a service."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, NoAppException

from broker import db, migrate


@click.command("init-db")
def init_db_command() -> None:
    """Migrate the database to the latest revision."""
    migrate.upgrade(db.get_engine(current_app))
    click.echo("Database migrated to the latest revision.")


def init_app(app: Flask) -> None:
    from broker.interchange import cli as interchange_cli
    from broker.search.cli import index_cli

    app.cli.add_command(init_db_command)
    app.cli.add_command(index_cli)
    from broker.hardcopy.cli import register as register_hardcopy

    register_hardcopy(app)
    interchange_cli.register(app)


def _create_app() -> Flask:
    from broker import ConfigurationError, create_app

    try:
        return create_app()
    except ConfigurationError as exc:
        # Flask's CLI shows this as a one-line error rather than a traceback.
        raise NoAppException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """The School Improvement e-Directory."""


def _serving_commands() -> None:
    from broker.serving.commands import run_command, serve_command

    main.add_command(serve_command)
    main.add_command(run_command)  # replaces Flask's: no Server header naming versions


_serving_commands()
