"""`broker schools import FILE.csv`: load the DfE register of schools (Get Information about Schools)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from broker.commandline import cli_session, progress_reporter, show_problems
from broker.schools import register

schools_cli = AppGroup("schools", help="The schools of the directory, from the DfE register.")


@schools_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Add and update schools by URN from the register's establishment CSV (edubasealldata)."""
    if not path.is_file():
        raise click.ClickException(f"{path} is not a file")
    with path.open("rb") as handle:
        total = sum(1 for _ in handle) - 1
    with cli_session() as session, progress_reporter(total, "Importing schools") as tick:
        try:
            with path.open("rb") as handle:
                report = register.import_register(session, handle, dry_run=dry_run, progress=tick)
        except register.RegisterFileError as exc:
            raise click.ClickException(str(exc)) from None
    show_problems(report.errors, "Error")
    for text in report.summary():
        click.echo(text)
    if not report.ok:
        click.get_current_context().exit(1)
