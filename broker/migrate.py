"""Run the Alembic migrations (the schema) against an engine; `broker init-db`.

The revisions and their configuration are package data (broker/migrations/), found relative to
this package, so an installed wheel migrates the same way as a checkout.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine
from sqlmodel import Session

from broker import db

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
#: Indexes the migrations make that the models cannot declare (PostgreSQL expression indexes,
#: e.g. 0010's GIN index on listing areas): comparing models and database leaves them out.
DATABASE_ONLY_INDEXES = frozenset({"ix_listing_local_authorities_gin"})


def include_object(
    item: object, name: str | None, kind: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's include_object hook: everything but DATABASE_ONLY_INDEXES."""
    return not (kind == "index" and name in DATABASE_ONLY_INDEXES)


def alembic_config(engine: Engine) -> Config:
    """Return the packaged Alembic configuration, pointed at the database behind `engine`."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind `engine` to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def revisions(engine: Engine) -> tuple[set[str], str | None]:
    """Return (every revision this version knows, the head revision)."""
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    return {script.revision for script in scripts.walk_revisions()}, scripts.get_current_head()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Migrate the database to the latest revision and load the reference LAs."""
    from broker.reference import services as reference

    engine = db.get_engine(current_app)
    try:
        upgrade(engine)
        click.echo("Database migrated to the latest revision.")
        with Session(engine, expire_on_commit=False) as session:
            report = reference.load_local_authorities(session)
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig or exc).splitlines()[0]
        raise click.ClickException(f"The database could not be reached: {reason}") from None
    for line in report.summary():
        click.echo(line)


def init_app(app: Flask) -> None:
    """Add `broker init-db`."""
    app.cli.add_command(init_db_command)
