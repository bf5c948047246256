"""The `broker import` and `broker export` commands: parse arguments, call services."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from broker.commandline import cli_session, progress_reporter, show_problems
from broker.interchange import services


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
