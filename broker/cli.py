"""Thin command-line commands: each parses its arguments and calls a service."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, NoAppException, with_appcontext

from broker import db, migrate


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Migrate the database to the latest revision and load the reference LAs."""
    from sqlmodel import Session

    from broker.reference import services as reference

    engine = db.get_engine(current_app)
    try:
        migrate.upgrade(engine)
        click.echo("Database migrated to the latest revision.")
        with Session(engine, expire_on_commit=False) as session:
            report = reference.load_local_authorities(session)
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig or exc).splitlines()[0]
        raise click.ClickException(f"The database could not be reached: {reason}") from None
    for line in report.summary():
        click.echo(line)


def init_app(app: Flask) -> None:
    from broker.interchange import cli as interchange_cli
    from broker.search.cli import index_cli

    app.cli.add_command(init_db_command)
    app.cli.add_command(index_cli)
    from broker.hardcopy.cli import register as register_hardcopy

    register_hardcopy(app)
    interchange_cli.register(app)
    from broker.schools.cli import register_commands as register_schools

    register_schools(app)
    from broker.backup.cli import register as register_backup

    register_backup(app)


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
