"""Backing up and restoring the database (`broker backup OUT`, `broker restore IN`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add `broker backup` and `broker restore`."""
    from broker.backup import cli

    app.cli.add_command(cli.backup_command)
    app.cli.add_command(cli.restore_command)
