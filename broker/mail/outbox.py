"""Deliver outbox messages: claim each one, send it, record the outcome. Never sends one twice at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from broker.mail.senders import Sender
from broker.models import MailMessage, utcnow

#: A claim older than this belongs to a sender that died; another may take the message.
CLAIM_TIMEOUT = timedelta(minutes=10)

_table = MailMessage.__table__  # type: ignore[attr-defined]


def _claim(engine: Engine, message_id: int) -> tuple[str, str, str] | None:
    now = utcnow()
    with engine.begin() as conn:
        claimed = conn.execute(
            sa.update(_table)
            .where(
                _table.c.id == message_id,
                _table.c.sent_at.is_(None),
                sa.or_(_table.c.claimed_at.is_(None), _table.c.claimed_at < now - CLAIM_TIMEOUT),
            )
            .values(claimed_at=now, attempts=_table.c.attempts + 1)
        ).rowcount
        if claimed != 1:
            return None
        row = conn.execute(
            sa.select(_table.c.to_address, _table.c.subject, _table.c.body_text).where(
                _table.c.id == message_id
            )
        ).one()
    return row.to_address, row.subject, row.body_text


def deliver(engine: Engine, sender: Sender, ids: Iterable[int]) -> int:
    """Send the given outbox messages that are still unsent; return how many went."""
    sent = 0
    for message_id in ids:
        claimed = _claim(engine, message_id)
        if claimed is None:
            continue
        try:
            sender.send(*claimed)
        except Exception as exc:  # any failure leaves the message for a retry
            with engine.begin() as conn:
                conn.execute(
                    sa.update(_table)
                    .where(_table.c.id == message_id)
                    .values(claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000])
                )
            continue
        with engine.begin() as conn:
            conn.execute(
                sa.update(_table)
                .where(_table.c.id == message_id)
                .values(sent_at=utcnow(), claimed_at=None, last_error=None)
            )
        sent += 1
    return sent


def send_unsent(engine: Engine, sender: Sender, max_attempts: int = 10) -> tuple[int, int]:
    """Try every unsent message with attempts left, oldest first; return (sent, failed)."""
    with engine.connect() as conn:
        ids = list(
            conn.execute(
                sa.select(_table.c.id)
                .where(_table.c.sent_at.is_(None), _table.c.attempts < max_attempts)
                .order_by(_table.c.id)
            ).scalars()
        )
    sent = deliver(engine, sender, ids)
    return sent, len(ids) - sent
