"""Serialise every change that can move a provider across the two-school line.

Approving a listing, confirming and withdrawing a recommendation, suspending and reinstating all
first lock the provider: on PostgreSQL its row (SELECT ... FOR UPDATE), on SQLite the whole
database for writing (BEGIN IMMEDIATE; SQLite has one writer at a time anyway). Whatever a locked
transaction counts stays true until it commits, so a withdrawal racing an approval can never
leave a listing published behind fewer than two valid recommendations.
"""

from __future__ import annotations

from sqlmodel import Session, select

from broker.errors import NotFound
from broker.models import Provider


def lock_provider(session: Session, provider_id: int) -> Provider:
    """Lock the provider for the rest of this transaction and return it, freshly read."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        # pysqlite opens its own (deferred) transaction only before the first write; one already
        # open means this transaction has written, so it holds SQLite's write lock already.
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        query = select(Provider).where(Provider.id == provider_id)
    else:
        query = select(Provider).where(Provider.id == provider_id).with_for_update()
    provider = session.exec(query.execution_options(populate_existing=True)).first()
    if provider is None:
        raise NotFound("There is no such provider.")
    return provider
