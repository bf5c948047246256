"""`broker users ...`: account commands for operators."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlmodel import Session

from broker import db, mail
from broker.auth import services
from broker.errors import InvalidInput
from broker.models import utcnow

users_cli = AppGroup("users", help="Account commands.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", required=True, help="The administrator's full name.")
def create_admin_command(email: str, name: str) -> None:
    """Create an administrator and email (and print) their one-time set-up link."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    base = app.config.get("BASE_URL") or "http://127.0.0.1:5000"

    def link(token: str) -> str:
        with app.test_request_context(base_url=base):
            return url_for("auth.accept_invitation", token=token, _external=True)

    with Session(db.get_engine(app), expire_on_commit=False) as session:
        try:
            user, url = services.create_admin(
                session, email=email, name=name, link=link,
                lifetime=timedelta(days=app.config["INVITATION_DAYS"]), now=utcnow(),
            )  # fmt: skip
        except InvalidInput as exc:
            raise click.UsageError(exc.message) from exc
        session.commit()
        mail.deliver_committed(session, app)
    click.echo(f"Created administrator {user.email}. Set-up link (works once): {url}")
