"""The database lifecycle: one engine per app, one Session per request on `g`, closed on teardown."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    JSON columns (a listing's eight lists) are read with orjson: a quarter less CPU to load a
    page of listings (50 at 100,000: 5.9 -> 4.5 ms).
    """
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = sa.create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if url.startswith("postgresql"):
        # No JIT compilation: the app's queries are short, and compiling one (planned past
        # jit_above_cost, as the QA queue's at 100,000 listings) took 47 of its 108 ms.
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args["options"] = f"{connect_args.get('options', '')} -c jit=off".strip()
    return sa.create_engine(url, **kwargs)


#: Rows written by one bulk load (an import, a seed) past which the planner's statistics are
#: refreshed at its end (see refresh_statistics).
BULK_ROWS = 500


def refresh_statistics(engine: Engine) -> None:
    """Let the query planner see the data as it now is (ANALYZE), after a bulk load or a restore.

    PostgreSQL plans from statistics that only ANALYZE (or autovacuum, a while later, if it is
    on) gathers, and pg_restore brings none: planned from an empty table's, the QA queue over
    100,000 freshly loaded listings took 2-21 s instead of 0.25 s. SQLite keeps no statistics
    until asked (`ANALYZE` writes sqlite_stat1).
    """
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))


def begin_transaction(session: Session, *, lock_for_writing: bool = False) -> None:
    """Begin the session's database transaction now, not at its first write.

    Python's sqlite3 driver begins a transaction only at the first write, so a read followed by a
    write is not isolated, and a SAVEPOINT issued first starts the transaction itself and its
    RELEASE commits it (a dry run would write). `lock_for_writing` also takes SQLite's write lock
    at once (BEGIN IMMEDIATE), for services that check, then write, under a rule. PostgreSQL
    needs nothing: its transactions begin with the first statement.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if lock_for_writing else "BEGIN")


def get_engine(app: Flask | None = None) -> Engine:
    app = app or current_app
    engine: Engine | None = app.extensions.get("broker.engine")
    if engine is None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["broker.engine"] = engine
    return engine


def get_session() -> Session:
    """Return this request's Session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = new_session(current_app._get_current_object())  # type: ignore[attr-defined]
    session: Session = g.db_session
    return session


def new_session(app: Flask) -> Session:
    """Open a Session on the app's database; commits that log index changes update the index."""
    return Session(get_engine(app), expire_on_commit=False, info={"broker.app": app})


def close_session(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def dispose(app: Flask) -> None:
    """Close every pooled connection of the app's engine (tests, shutdown)."""
    engine = app.extensions.pop("broker.engine", None)
    if engine is not None:
        engine.dispose()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_session)
