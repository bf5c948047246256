"""The openreferral format of `broker import` and `broker export` (broker/interchange/cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from flask import current_app
from sqlmodel import Session

from broker.openreferral import services


class OpenReferralFormat:
    """Open Referral UK: a page of full services out; services (file or folder) in."""

    name = "openreferral"
    #: Import reads a folder of *.json files as well as one file.
    reads_folders = True

    def export(self, session: Session, out: IO[str]) -> list[str]:
        """Write every public service; return the summary lines."""
        report = services.export_feed(session, out, base_url=current_app.config.get("BASE_URL"))
        return report.summary()

    def import_path(self, session: Session, path: Path, dry_run: bool) -> services.ImportReport:
        """Import the services of a file or a folder as submitted listings."""
        return services.import_path(session, path, dry_run=dry_run)


FORMAT = OpenReferralFormat()
