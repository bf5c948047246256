"""Email: an outbox written in the action's own transaction, delivered after the response.

`queue()` adds a message to the outbox inside the caller's transaction. Once that transaction
commits, the app delivers what the request queued after the response has been sent (the WSGI
server closing the response), so a slow mail server never holds up a page. The outbox is durable:
each `broker serve` worker's courier (broker.mail.courier) and `broker mail send` retry anything
left unsent (a crash, an SMTP server that was down).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, Response, current_app, g, render_template
from flask.cli import AppGroup
from sqlalchemy import event
from sqlmodel import Session

from broker import db
from broker.mail.outbox import deliver, send_unsent
from broker.mail.senders import Sender, sender_from_config
from broker.models import MailMessage

__all__ = ["deliver_committed", "get_sender", "init_app", "queue", "queue_template"]

_PENDING = "broker.mail.pending"
_COMMITTED = "broker.mail.committed"


def queue(session: Session, to: str, subject: str, body: str) -> MailMessage:
    """Add a message to the outbox in `session`'s transaction; it is sent after commit."""
    message = MailMessage(to_address=to, subject=subject, body_text=body)
    session.add(message)
    session.flush()
    session.info.setdefault(_PENDING, []).append(message.id)
    return message


def queue_template(
    session: Session, to: str, subject: str, template: str, **context: Any
) -> MailMessage:
    """Render templates/mail/`template` as the plain-text body and queue it."""
    body = render_template(f"mail/{template}", subject=subject, **context)
    return queue(session, to, subject, body)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def get_sender(app: Flask | None = None) -> Sender:
    """Return the sender the configuration asks for (SMTP, or the log in development)."""
    app = app or current_app
    return sender_from_config(app.config, app.logger)


def deliver_committed(session: Session, app: Flask | None = None) -> int:
    """Send the messages `session` queued in transactions that have committed; return how many."""
    ids = session.info.pop(_COMMITTED, None)
    if not ids:
        return 0
    app = app or current_app
    return deliver(db.get_engine(app), get_sender(app), ids)


def _after_request(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    ids = session.info.pop(_COMMITTED, None) if session is not None else None
    if ids:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(lambda: _deliver_after_response(app, ids))
    return response


def _deliver_after_response(app: Flask, ids: list[int]) -> None:
    try:
        deliver(db.get_engine(app), get_sender(app), ids)
    except Exception:
        # The messages stay in the outbox; the courier and `broker mail send` retry them.
        app.logger.exception("Sending queued mail failed")


mail_cli = AppGroup("mail", help="Email outbox commands.")


@mail_cli.command("send")
def send_command() -> None:
    """Send every unsent message in the outbox (retries earlier failures)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sent, failed = send_unsent(
        db.get_engine(app), get_sender(app), max_attempts=app.config["MAIL_MAX_ATTEMPTS"]
    )
    click.echo(f"Sent {sent} message(s); {failed} failed and stay in the outbox.")


def init_app(app: Flask) -> None:
    """Deliver each request's committed mail once its response is sent; add `broker mail`."""
    app.after_request(_after_request)
    app.cli.add_command(mail_cli)
