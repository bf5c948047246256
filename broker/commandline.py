"""What the features' commands share: a Session that reports an unusable database as a message,
progress on stderr, and capped lists of problems. Each feature registers its own commands in its
`init_app`; the `broker` entry point itself is broker.cli."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
import sqlalchemy as sa
from flask import current_app
from sqlmodel import Session

from broker import db

#: Problems printed before "... and N more".
SHOWN = 100
#: Without a terminal, a progress line every this many records.
PROGRESS_EVERY = 5000


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


def show_problems(lines: list[str], kind: str) -> None:
    """Print the first SHOWN problems to stderr as `Kind: text`, then how many more there were."""
    for text in lines[:SHOWN]:
        click.echo(f"{kind}: {text}", err=True)
    if len(lines) > SHOWN:
        click.echo(f"... and {len(lines) - SHOWN} more {kind.lower()}s", err=True)
