"""`broker hardcopy --la CODE OUT.pdf`: print an LA's directory and publish it as an edition."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from broker import db
from broker.errors import BrokerError
from broker.hardcopy import printing, services


@click.command("hardcopy")
@click.option("--la", "la_code", required=True, help="The local authority's code.")
@click.option(
    "--preview",
    is_flag=True,
    help="Print without publishing an edition (the next edition still compares with the last).",
)
@click.option(
    "--site-url",
    default=None,
    help="The directory's web address printed before /l/CODE (default: the BROKER_BASE_URL setting).",
)
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def hardcopy_command(la_code: str, preview: bool, site_url: str | None, out: Path) -> None:
    """Write the LA's simplified printed directory to OUT as a PDF and record the edition."""
    site = site_url or current_app.config.get("BASE_URL") or ""
    if not site:
        click.echo(
            "Note: no --site-url and no BROKER_BASE_URL setting; web addresses print as /l/CODE.",
            err=True,
        )
    started = time.perf_counter()
    partial = out.with_name(f".{out.name}.partial")
    with db.new_session(current_app) as session:
        try:
            hardcopy = services.prepare(session, la_code, as_edition=not preview)
            pdf = printing.to_pdf(printing.render_html(current_app, hardcopy, site))
            partial.write_bytes(pdf)
            if not preview:
                services.publish(session, hardcopy)
            os.replace(partial, out)
        except BrokerError as exc:
            raise click.ClickException(exc.message) from None
        except OSError as exc:
            raise click.ClickException(f"Could not write {out}: {exc.strerror}") from None
        finally:
            partial.unlink(missing_ok=True)
    what = f"edition {hardcopy.edition.number}" if hardcopy.edition else "a preview"
    click.echo(
        f"Wrote {out}: {what} for {hardcopy.la_name} ({hardcopy.la_code}), "
        f"{hardcopy.listing_count} listings, {len(hardcopy.new)} new, "
        f"{len(hardcopy.withdrawn)} withdrawn, in {time.perf_counter() - started:.1f} s."
    )
