"""`broker index sync | rebuild | check`: operate the search index."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from broker import db
from broker.search import sync
from broker.search.engine import get_search

index_cli = AppGroup("index", help="Operate the search index (it follows the database).")


@index_cli.command("sync")
def sync_command() -> None:
    """Apply logged changes the index has not applied yet."""
    engine = get_search(current_app)
    report = engine.sync()
    click.echo(
        f"Applied {report.applied} logged changes ({report.upserted} indexed, "
        f"{report.deleted} removed); index is at change {report.last_seq}."
    )


@index_cli.command("rebuild")
def rebuild_command() -> None:
    """Build a fresh index beside the live one and swap it in; searches keep working."""
    engine = get_search(current_app)
    shown = {"last": 0}

    def progress(done: int, total: int | None) -> None:
        if done - shown["last"] >= 500 or (total is not None and done >= total):
            shown["last"] = done
            click.echo(f"  indexed {done}" + (f" of about {total}" if total else ""), err=True)

    with db.new_session(current_app) as session:
        session.info["broker.defer_index"] = True
        count = sync.rebuild(session, engine.backend, engine.directory, progress)
    click.echo(f"Rebuilt the index: {count} searchable listings.")
    # Worked out now (kept beside the index for every process), not after the first search.
    worked = {"last": 0}

    def worked_out(done: int, total: int) -> None:
        if done - worked["last"] >= 2_000 or done >= total:
            worked["last"] = done
            click.echo(f"  worked out {done} of {total} sentence vectors", err=True)

    def waiting() -> None:
        click.echo(
            "  another process of this index is working out the listings' sentence vectors:"
            " waiting for it, then reading them",
            err=True,
        )

    if engine.prepare_meaning(worked_out, waiting):
        click.echo("Listings' and words' sentence vectors are ready for searches by meaning.")
    dropped = engine.compact_meaning()
    if dropped:
        vectors = "vector" if dropped == 1 else "vectors"
        click.echo(f"Left {dropped} {vectors} of old or withdrawn texts out of the vector files.")


@index_cli.command("check")
def check_command() -> None:
    """Compare the database with the index; list every difference; exit 1 if any."""
    engine = get_search(current_app)
    with db.new_session(current_app) as session:
        behind = sync.pending(session, engine.backend)
        differences = sync.check(session, engine.backend)
    if behind:
        click.echo(
            f"The index has {behind} logged changes still to apply (run `broker index sync`)."
        )
    for difference in differences:
        click.echo(f"listing {difference.listing_id}: {difference.problem}")
    if differences:
        click.echo(f"{len(differences)} differences between the database and the index.")
        sys.exit(1)
    click.echo("The index matches the database.")
