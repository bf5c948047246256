"""The `broker` command: Flask's CLI for the app, whose features each add their own commands in
their `init_app` (see create_app), plus the two servers, which start before any app exists."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException

from broker.serving.commands import run_command, serve_command


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


main.add_command(serve_command)
main.add_command(run_command)  # replaces Flask's: no Server header naming versions
