"""Index change capture: a write to any column a document reads logs its listings, in its transaction.

The one home of change capture: no service logs index changes by hand. Two Session listeners:

- `after_flush` reads what the flush wrote (rows inserted, updated in a column of
  documents.SOURCES, deleted) and logs the listings whose documents they are part of: a listing
  itself; a provider's listings (its name, kind, own school, capacity); a recommendation's provider's
  listings, before and after (the two-school evidence); the listings naming an LA (its region).
- `do_orm_execute` sees bulk statements run through a Session (update(), delete(), insert()),
  which no flush sees. An UPDATE or DELETE is captured by reading the rows its WHERE clause
  names, before and after it runs; an INSERT by its values. What cannot be read that way (an
  INSERT of listings, whose ids only the database knows; an executemany UPDATE or DELETE) must
  carry the outbox.CALLER_LOGS execution option and its caller call outbox.listings_changed,
  or it raises UncapturedWrite: a new write path cannot leave the index stale unnoticed.

Statements run on a bare Connection are not seen at all: the application writes through Sessions.
Compare pypi/warehouse warehouse/search/__init__.py: collect on flush, index after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Result
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlmodel import Session

from broker.models import Listing, LocalAuthority, Provider, Recommendation
from broker.search import outbox
from broker.search.documents import SOURCES

#: The column of each searchable table that says whose documents a row is part of.
KEYS: dict[type, str] = {
    Listing: "id",
    Provider: "id",
    Recommendation: "provider_id",
    LocalAuthority: "code",
}
_BY_TABLE: dict[str, type] = {model.__tablename__: model for model in SOURCES}  # type: ignore[attr-defined]
_CALLER_LOGS = next(iter(outbox.CALLER_LOGS))


class UncapturedWrite(RuntimeError):
    """A bulk statement would change documents without the change log knowing which."""


@dataclass
class Touched:
    """Rows written, by what names their documents; resolved to listing ids at the end."""

    listings: set[int] = field(default_factory=set)
    providers: set[int] = field(default_factory=set)
    la_codes: set[str] = field(default_factory=set)

    def add(self, model: type, keys: Iterable[Any]) -> None:
        values = {k for k in keys if k is not None}
        if model is Listing:
            self.listings.update(int(k) for k in values)
        elif model in (Provider, Recommendation):
            self.providers.update(int(k) for k in values)
        elif model is LocalAuthority:
            self.la_codes.update(str(k) for k in values)

    def listing_ids(self, connection: Connection) -> set[int]:
        found = set(self.listings)
        if self.providers:
            found |= outbox.listings_of_providers(connection, self.providers)
        if self.la_codes:
            found |= outbox.listings_naming(connection, self.la_codes)
        return found


# --- ORM flushes ---------------------------------------------------------------------------------


def _attribute_values(state: Any, key: str) -> set[Any]:
    """Return every value `key` had in this flush: before, after, or unchanged."""
    history = state.attrs[key].history
    values = set(history.added or ()) | set(history.deleted or ()) | set(history.unchanged or ())
    if not values and key == "id" and state.identity:
        values.add(state.identity[0])
    return values


def _changes_documents(state: Any, model: type) -> bool:
    """Say whether a flushed update wrote a column a document reads (or moved a reference)."""
    columns = SOURCES[model]
    if any(state.attrs[key].history.has_changes() for key in columns):
        return True
    # A reference set through a relationship (listing.provider = other) moves its foreign key.
    for relationship in state.mapper.relationships:
        moves = relationship.direction is sa.orm.MANYTOONE and any(
            column.key in columns for column in relationship.local_columns
        )
        if moves and state.attrs[relationship.key].history.has_changes():
            return True
    return False


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    # Load the key of each row about to be deleted while it can still be read (it may have
    # expired since it was loaded), so that _after_flush knows whose documents it was part of.
    for obj in session.deleted:
        model = type(obj)
        if model in SOURCES:
            getattr(obj, KEYS[model])


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    touched = Touched()
    for obj in session.new:
        model = type(obj)
        # A new provider has no listings yet: its listings are logged as they are added.
        if model in SOURCES and model is not Provider:
            touched.add(model, _attribute_values(sa.inspect(obj), KEYS[model]))
    for obj in session.dirty:
        model = type(obj)
        if model in SOURCES:
            state = sa.inspect(obj)
            if _changes_documents(state, model):
                touched.add(model, _attribute_values(state, KEYS[model]))
    for obj in session.deleted:
        model = type(obj)
        if model in SOURCES:
            touched.add(model, _attribute_values(sa.inspect(obj), KEYS[model]))
    if touched.listings or touched.providers or touched.la_codes:
        outbox.listings_changed(session, touched.listing_ids(session.connection()))


# --- bulk statements -----------------------------------------------------------------------------


def _statement_values(statement: Any) -> dict[str, Any] | None:
    """Return the VALUES / SET of an INSERT or UPDATE by column name (None: unknown, assume all)."""
    # SQLAlchemy keeps them in `_values` (there is no public accessor); without it, assume the
    # statement writes every column, which can only log more than needed, never less.
    values = getattr(statement, "_values", None)
    if values is None:
        return None
    out = {}
    for key, value in values.items():
        name = getattr(key, "key", key)
        out[str(name)] = getattr(value, "value", value)
    return out


def _bulk_insert_keys(state: ORMExecuteState, model: type) -> set[Any]:
    key = KEYS[model]
    values = _statement_values(state.statement) or {}
    parameters = state.parameters
    rows: list[Mapping[str, Any]] = (
        list(parameters)
        if isinstance(parameters, list | tuple)
        else [parameters if isinstance(parameters, Mapping) else {}]
    )
    keys = set()
    for row in rows:
        value = row.get(key, values.get(key))
        if value is None or isinstance(value, sa.sql.elements.ClauseElement):
            raise UncapturedWrite(
                f"An INSERT into {model.__tablename__} without a literal {key} changes "  # type: ignore[attr-defined]
                "documents the change log cannot name: give the value, or run it with "
                "outbox.CALLER_LOGS and call outbox.listings_changed."
            )
        keys.add(value)
    return keys


def _bulk_update_or_delete(state: ORMExecuteState, model: type) -> Result[Any]:
    """Run an UPDATE or DELETE, logging the rows its WHERE clause names, before and after."""
    table = model.__table__  # type: ignore[attr-defined]
    primary = list(table.primary_key.columns)[0]
    key = table.c[KEYS[model]]
    parameters = state.parameters if isinstance(state.parameters, Mapping) else {}
    connection = state.session.connection()
    query = sa.select(primary, key)
    if state.statement.whereclause is not None:  # type: ignore[attr-defined]
        query = query.where(state.statement.whereclause)  # type: ignore[attr-defined]
    before = connection.execute(query, dict(parameters)).all()
    result = state.invoke_statement()
    touched = Touched()
    touched.add(model, (k for _, k in before))
    if state.is_update and before and key.name != primary.name:
        ids = [p for p, _ in before]
        after = connection.execute(sa.select(key).where(primary.in_(ids)))
        touched.add(model, (k for (k,) in after))
    outbox.listings_changed(state.session, touched.listing_ids(connection))
    return result


def _do_orm_execute(state: ORMExecuteState) -> Result[Any] | None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    model = _BY_TABLE.get(getattr(table, "name", ""))
    if model is None or state.execution_options.get(_CALLER_LOGS):
        return None
    values = _statement_values(state.statement)
    if state.is_update and values is not None and not set(values) & SOURCES[model]:
        return None  # bookkeeping columns only (a reminder sent, a referenced listing)
    if state.is_insert:
        if model is not Provider:  # a new provider has no listings yet
            keys = _bulk_insert_keys(state, model)
            result = state.invoke_statement()
            touched = Touched()
            touched.add(model, keys)
            outbox.listings_changed(state.session, touched.listing_ids(state.session.connection()))
            return result
        return None
    if isinstance(state.parameters, list | tuple):
        raise UncapturedWrite(
            f"An executemany UPDATE or DELETE of {model.__tablename__} changes documents the "  # type: ignore[attr-defined]
            "change log cannot name: run it with outbox.CALLER_LOGS and call "
            "outbox.listings_changed."
        )
    return _bulk_update_or_delete(state, model)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    outbox.forget_transaction(session, transaction)


def register() -> None:
    """Capture index changes from every Session (once per process)."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("do_orm_execute", _do_orm_execute),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
