"""Shared fixtures: an app per test with its own migrated database (SQLite, and PostgreSQL where
asked), a client, a CLI runner, a Session, and small data factories."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from broker import create_app, db, migrate
from tests.auth.helpers import Inbox, start_smtp

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "BROKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def unavailable(reason: str) -> None:
    """Skip outside CI; in CI (CI=true) a missing browser or database is a failure, never a skip."""
    if IN_CI:
        pytest.fail(f"CI requires this test to run: {reason}")
    pytest.skip(reason)  # only outside CI: above, CI fails instead


# --- databases ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, copied for each test (fast, and still the real schema)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    return path


def _pg_admin_engine() -> sa.Engine | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect():
            pass
        return engine
    except Exception:
        return None


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated to head, used as the template of each test's database."""
    admin = _pg_admin_engine()
    if admin is None:
        unavailable(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    assert admin is not None
    name = f"broker_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = db.make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _create_from_template(conn: sa.Connection, name: str, template: str) -> None:
    """Create `name` as a copy of `template`. A test's commits are not waited on to reach the
    disk (synchronous_commit off, about 3.5 ms a commit here): a test kills servers, never
    PostgreSQL, and each commit is still atomic and seen by every connection at once."""
    conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))


def _pg_database(template: str) -> tuple[str, sa.Engine, str]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"broker_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        _create_from_template(conn, name, template)
    return admin.url.set(database=name).render_as_string(hide_password=False), admin, name


#: What a migrated database's schema is made of; a database is only reused while it still matches.
_SHAPE = """
    SELECT 'column', c.table_name || '.' || c.column_name || ':' || c.data_type
      FROM information_schema.columns c WHERE c.table_schema = 'public'
    UNION ALL SELECT 'index', indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'function', proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public'
    UNION ALL SELECT 'schema', nspname FROM pg_namespace
    UNION ALL SELECT 'version', version_num FROM alembic_version
"""


class PgDatabases:
    """This worker's PostgreSQL test databases, each a copy of the migrated template.

    Creating a database from the template costs PostgreSQL about 0.2-0.5 s of work, and a third
    of the suite's tests run on PostgreSQL; so a database a test is done with is emptied and handed
    to the next test instead: every table emptied, every sequence restarted, which leaves it as the
    template was, as long as the test changed no part of the schema (checked, else it is dropped).
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self.admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.free: list[str] = []
        self.shape: set[tuple[str, str]] | None = None

    def url(self, name: str) -> str:
        return self.admin.url.set(database=name).render_as_string(hide_password=False)

    def take(self) -> str:
        if self.free:
            return self.free.pop()
        name = f"broker_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            _create_from_template(conn, name, self.template)
        return name

    def give_back(self, name: str) -> None:
        """Empty `name` for the next test, or drop it if its schema is no longer the template's."""
        with self.admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        engine = sa.create_engine(self.url(name), poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as conn:
                shape = {(kind, what) for kind, what in conn.execute(sa.text(_SHAPE))}
                if self.shape is None:
                    self.shape = self._template_shape()
                if shape != self.shape:
                    raise LookupError("the test changed the schema")
                tables = [
                    t
                    for (t,) in conn.execute(
                        sa.text(
                            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                            " AND tablename <> 'alembic_version'"
                        )
                    )
                ]
                # Triggers (foreign keys' too) off while everything goes: no order is needed.
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in tables:
                    conn.execute(sa.text(f'DELETE FROM "{table}"'))
                for (sequence,) in conn.execute(
                    sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
                ):
                    conn.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
            self.free.append(name)
        except (LookupError, sa.exc.SQLAlchemyError):
            self.drop(name)
        finally:
            engine.dispose()

    def _template_shape(self) -> set[tuple[str, str]]:
        engine = sa.create_engine(self.url(self.template), poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return {(kind, what) for kind, what in conn.execute(sa.text(_SHAPE))}
        finally:
            engine.dispose()

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for name in self.free:
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_databases(pg_template: str) -> Iterator[PgDatabases]:
    databases = PgDatabases(pg_template)
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "broker.sqlite"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.take()
    yield databases.url(name)
    databases.give_back(name)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "broker.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


class ClosingClient(FlaskClient):
    """A test client that closes each response once read, as a WSGI server does after sending it.

    What the app does after the response (delivering queued mail) then happens before the call
    returns, as it would before a browser's next request.
    """

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        return super().open(*args, buffered=buffered, **kwargs)


def make_app(tmp_path: Path, database_url: str, **extra: object) -> Flask:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "INDEX_DIR": str(tmp_path / "index"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # A search finds by words alone, so each test knows what it finds and why; the tests of
        # meaning (tests/search/test_search_meaning.py) turn it on.
        "SEARCH_MEANING": False,
    }
    config.update(extra)
    os.environ.setdefault("BROKER_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(config)
    application.test_client_class = ClosingClient
    return application


def close_app(application: Flask) -> None:
    """Release what an app holds open: its listener, search index and database connections."""
    from broker.search import listener

    listener.stop(application)
    engine = application.extensions.pop("broker.search", None)
    if engine is not None:
        engine.close()
    db.dispose(application)


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str) -> Iterator[Flask]:
    """An application on its own SQLite database (use `any_app` to run on PostgreSQL too)."""
    application = make_app(tmp_path, sqlite_url)
    yield application
    close_app(application)


@pytest.fixture
def any_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    """An application on SQLite and, as a second run, on PostgreSQL."""
    application = make_app(tmp_path, database_url)
    yield application
    close_app(application)


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A Session on the app's database; its commits update the index like a request's do."""
    with db.new_session(app) as s:
        yield s


@pytest.fixture
def any_session(any_app: Flask) -> Iterator[Session]:
    with db.new_session(any_app) as s:
        yield s


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    controller, inbox = start_smtp()
    yield inbox
    controller.stop()
