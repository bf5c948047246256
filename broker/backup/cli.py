"""`broker backup OUT` and `broker restore IN [--force]`: parse arguments, call the service."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from broker import db, migrate
from broker.backup import services


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    """Write a consistent copy of the whole database to OUT (safe while the service runs)."""
    engine = db.get_engine(current_app)
    try:
        written = services.backup(engine, out)
    except (services.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    except sa.exc.DBAPIError as exc:
        raise click.ClickException(f"The database could not be read: {exc.orig}") from None
    kind = "SQLite database" if engine.dialect.name == "sqlite" else "pg_dump custom format"
    click.echo(f"Backed up {services.describe(engine)} to {written} ({kind}).")


@click.command("restore")
@with_appcontext
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(source: Path, force: bool) -> None:
    """Replace the database with the backup IN (stop the service first)."""
    engine = db.get_engine(current_app)
    known, head = migrate.revisions(engine)
    try:
        report = services.restore(engine, source, known_revisions=known, force=force)
        if report.revision != head:
            migrate.upgrade(engine)  # a backup from an older version: bring it to this schema
    except (services.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    except sa.exc.DBAPIError as exc:
        raise click.ClickException(f"The database could not be restored: {exc.orig}") from None
    click.echo(
        f"Restored {source} into {services.describe(engine)}: {report.rows} rows of data "
        f"(backup made at revision {report.revision}"
        + ("; migrated to this version's schema)." if report.revision != head else ").")
    )
    click.echo(
        "Now rebuild the search index from the restored data: `broker index rebuild` "
        "(until then search answers from the index as it was before the restore)."
    )
