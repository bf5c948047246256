"""The `broker import`, `broker export` and `broker seed` commands: parse arguments, call services."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from broker import db
from broker.interchange import services

#: Problems printed before "... and N more".
SHOWN = 100
#: Without a terminal, a progress line every this many records.
PROGRESS_EVERY = 5000


def register(app: Flask) -> None:
    """Add the interchange and seed commands to the app's CLI."""
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(seed_command)


@contextmanager
def cli_session() -> Iterator[Session]:
    """Yield a Session; a database that cannot answer is a message, not a traceback."""
    try:
        with Session(db.get_engine(current_app), expire_on_commit=False) as session:
            yield session
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig or exc).splitlines()[0]
        raise click.ClickException(
            f"The database could not do that: {reason}. Is it migrated? Run `broker init-db`."
        ) from None


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


@contextmanager
def progress_reporter(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    """Yield a callback for records done: a bar on a terminal, else a line every few thousand."""
    if total and sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
            done = 0

            def tick(n: int) -> None:
                nonlocal done
                bar.update(n - done)
                done = n

            yield tick
        return

    def line(n: int) -> None:
        if n % PROGRESS_EVERY == 0:
            of = f" of {total:,}" if total else ""
            click.echo(f"{label}: {n:,}{of} records", err=True)

    yield line


def _show(lines: list[str], kind: str) -> None:
    for text in lines[:SHOWN]:
        click.echo(f"{kind}: {text}", err=True)
    if len(lines) > SHOWN:
        click.echo(f"... and {len(lines) - SHOWN} more {kind.lower()}s", err=True)


def echo_import_report(report: services.ImportReport) -> None:
    """Print an import's problems (stderr) and summary (stdout)."""
    _show(report.errors, "Error")
    _show(report.warnings, "Warning")
    for text in report.summary():
        click.echo(text)


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every record and write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import providers from a JSON Lines file ('-' reads standard input)."""
    if str(path) == "-":
        stream, total = sys.stdin.buffer, None
    elif not path.is_file():
        raise click.ClickException(f"{path} is not a file")
    else:
        stream, total = None, _count_lines(path)
    with cli_session() as session, progress_reporter(total, "Importing") as tick:
        if stream is not None:
            report = services.import_lines(
                session, stream, dry_run=dry_run, source="standard input", progress=tick
            )
        else:
            with path.open("rb") as handle:
                report = services.import_lines(
                    session, handle, dry_run=dry_run, source=path.name, progress=tick
                )
    echo_import_report(report)
    if not report.ok:
        click.get_current_context().exit(1)


@click.command("export")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
def export_command(path: str) -> None:
    """Export every provider as JSON Lines ('-' writes standard output)."""
    with cli_session() as session:
        try:
            # atomic: a failed export never leaves half a file where a good one was
            with click.open_file(path, "w", encoding="utf-8", atomic=path != "-") as out:
                report = services.export_directory(session, out)
        except OSError as exc:
            raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}") from None
    for text in report.summary():
        click.echo(text, err=path == "-")


@click.command("seed")
@with_appcontext
@click.option(
    "--synthetic",
    type=click.IntRange(min=1, max=1_000_000),
    metavar="N",
    help="Load synthetic LAs, schools and N listings instead of the demo directory.",
)
@click.option(
    "--seed", "seed_value", type=int, default=0, show_default=True, help="Synthetic data seed."
)
def seed_command(synthetic: int | None, seed_value: int) -> None:
    """Load the demo directory (LAs, schools, demo users, providers); safe to run again."""
    from broker import seeding

    with cli_session() as session, progress_reporter(None, "Seeding") as tick:
        try:
            if synthetic is None:
                report = seeding.seed_demo(session, progress=tick)
            else:
                report = seeding.seed_synthetic(session, synthetic, seed=seed_value, progress=tick)
        except seeding.SeedError as exc:
            raise click.ClickException(str(exc)) from None
    for text in report.summary():
        click.echo(text)
    if report.directory is not None:
        _show(report.directory.errors, "Error")
        _show(report.directory.warnings, "Warning")
        if not report.directory.ok:
            click.get_current_context().exit(1)
