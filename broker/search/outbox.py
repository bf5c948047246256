"""The index change log: a row per listing whose document may have changed, in the same transaction.

The log is append-only and never consumed: each index remembers the last `seq` it applied, so
several indexes (one per server machine) can follow it at their own pace.

Rows are written by broker.search.capture, which sees every ORM flush and every bulk statement
run through a Session. `listings_changed` and `provider_changed` are for the one case it cannot
read for itself: a bulk INSERT of listings (the importer's), marked with CALLER_LOGS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from broker.geography import json_has
from broker.models import IndexChange, Listing, utcnow

#: Key in Session.info marking that this transaction logged index changes.
PENDING = "broker.index_pending"
#: Key in Session.info: {transaction or savepoint: listing ids it logged}, so each is logged once.
LOGGED = "broker.index_logged"
#: Execution options of a bulk statement whose caller logs its index changes itself.
CALLER_LOGS = {"broker.index_caller_logs": True}
#: Rows per INSERT into the log: one statement (so one NOTIFY) for a usual transaction.
CHUNK = 500

_log = IndexChange.__table__  # type: ignore[attr-defined]
_listing = Listing.__table__  # type: ignore[attr-defined]


def listings_changed(session: Session, listing_ids: Iterable[int]) -> None:
    """Log that these listings' documents may have changed (each once per transaction)."""
    ids = {int(i) for i in listing_ids if i}
    if not ids:
        return
    connection = session.connection()
    current = session.get_nested_transaction() or session.get_transaction()
    logged: dict[Any, set[int]] = session.info.setdefault(LOGGED, {})
    # A savepoint's rows go if it is rolled back, so only it and its parents' rows count as done.
    transaction = current
    while transaction is not None:
        ids -= logged.get(transaction, set())
        transaction = transaction.parent
    if not ids:
        return
    now = utcnow()
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        rows = [{"listing_id": i, "at": now} for i in ordered[start : start + CHUNK]]
        connection.execute(sa.insert(_log).values(rows))
    logged.setdefault(current, set()).update(ids)
    session.info[PENDING] = True


def provider_changed(session: Session, provider_id: int) -> None:
    """Log every listing of a provider (its name, kind or recommendations changed)."""
    session.flush()
    listings_changed(session, listings_of_providers(session.connection(), [provider_id]))


def forget_transaction(session: Session, transaction: object) -> None:
    """Drop what a finished transaction or savepoint logged (its rows are committed or gone)."""
    logged = session.info.get(LOGGED)
    if logged:
        logged.pop(transaction, None)


def listings_of_providers(connection: Connection, provider_ids: Iterable[int]) -> set[int]:
    """Return the ids of every listing of these providers."""
    ids = sorted({int(i) for i in provider_ids if i is not None})
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = connection.execute(sa.select(_listing.c.id).where(_listing.c.provider_id.in_(chunk)))
        found.update(int(i) for (i,) in rows)
    return found


def listings_naming(connection: Connection, la_codes: Iterable[str]) -> set[int]:
    """Return the ids of listings that name one of these LAs (their region facets depend on it)."""
    codes = {str(c) for c in la_codes if c}
    if not codes:
        return set()
    rows = connection.execute(
        sa.select(_listing.c.id, _listing.c.local_authorities).where(
            sa.or_(*(json_has(_listing.c.local_authorities, code) for code in sorted(codes)))
        )
    )
    return {int(i) for i, named in rows if codes & set(named or ())}
