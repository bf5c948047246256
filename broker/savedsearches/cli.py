"""`broker saved-searches notify`: email owners about new listings matching their saved searches."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from broker import mail
from broker.commandline import cli_session
from broker.savedsearches import services
from broker.search.engine import get_search

saved_searches_cli = AppGroup("saved-searches", help="Saved searches and their emails.")


@saved_searches_cli.command("notify")
def notify_command() -> None:
    """Email each owner who asked about new listings matching their saved searches.

    Run it once a day (from cron); each saved search is written about at most once in 20 hours,
    so running it again the same day sends nothing more.
    """
    base_url = current_app.config.get("BASE_URL")
    if not base_url:
        raise click.ClickException(
            "Set BROKER_BASE_URL to the service's public address first: the emails carry links."
        )
    with cli_session() as session:
        sent = services.notify_due(session, get_search(), base_url)
        session.commit()
        mail.deliver_committed(session)
    click.echo(f"Queued {sent} saved-search email{'s' if sent != 1 else ''}.")
