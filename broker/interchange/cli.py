"""The `broker import` and `broker export` commands: parse arguments, call services."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, Protocol

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from broker.commandline import cli_session, progress_reporter, show_problems
from broker.interchange import services

#: Where other features register formats of their own (app.extensions[FORMATS][name]), in their
#: init_app: they depend on this one, so this one never imports them.
FORMATS = "broker.interchange.formats"
#: Our own format, JSON Lines (see the README).
JSONL = "jsonl"


class Format(Protocol):
    """A format another feature adds to `broker import --format` and `broker export --format`."""

    reads_folders: bool

    def export(self, session: Session, out: IO[str]) -> list[str]: ...

    def import_path(self, session: Session, path: Path, dry_run: bool) -> Any: ...


def _format(name: str) -> Format | None:
    """Return the registered format called `name` (None for JSON Lines), or stop with a message."""
    if name == JSONL:
        return None
    formats: dict[str, Format] = current_app.extensions.get(FORMATS, {})
    if name not in formats:
        known = ", ".join([JSONL, *sorted(formats)])
        raise click.BadParameter(
            f"{name!r} is not a format (choose from: {known})", param_hint="--format"
        )
    return formats[name]


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def echo_import_report(report: services.ImportReport) -> None:
    """Print an import's problems (stderr) and summary (stdout)."""
    show_problems(report.errors, "Error")
    show_problems(report.warnings, "Warning")
    for text in report.summary():
        click.echo(text)


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every record and write nothing.")
@click.option(
    "--format",
    "format_name",
    default=JSONL,
    show_default=True,
    help="jsonl (this directory's format) or openreferral (Open Referral UK: a file or folder).",
)
def import_command(path: Path, dry_run: bool, format_name: str) -> None:
    """Import providers from a JSON Lines file ('-' reads standard input), or another format."""
    other = _format(format_name)
    if other is not None:
        if not (path.is_file() or (other.reads_folders and path.is_dir())):
            raise click.ClickException(f"{path} is not a file or folder")
        with cli_session() as session:
            report = other.import_path(session, path, dry_run)
        echo_import_report(report)
        if not report.ok:
            click.get_current_context().exit(1)
        return
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
@click.option(
    "--format",
    "format_name",
    default=JSONL,
    show_default=True,
    help="jsonl (every provider, this directory's format) or openreferral (public services).",
)
def export_command(path: str, format_name: str) -> None:
    """Export every provider as JSON Lines ('-' writes standard output), or another format."""
    other = _format(format_name)
    with cli_session() as session:
        try:
            # atomic: a failed export never leaves half a file where a good one was
            with click.open_file(path, "w", encoding="utf-8", atomic=path != "-") as out:
                if other is not None:
                    lines = other.export(session, out)
                else:
                    lines = services.export_directory(session, out).summary()
        except OSError as exc:
            raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}") from None
    for text in lines:
        click.echo(text, err=path == "-")
