"""Several machines, one PostgreSQL: each hears of a change through LISTEN/NOTIFY and applies it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask

from broker import db
from broker.models import IndexChange
from broker.search import listener, sync
from broker.search.engine import DEFER, get_search
from tests import factories as f
from tests.conftest import _pg_database, close_app, make_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url(pg_template: str) -> Iterator[str]:
    url, admin, name = _pg_database(pg_template)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def two_apps(tmp_path: Path, postgres_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Two application 'machines' on one database, each with its own index folder."""
    writer = make_app(tmp_path / "a", postgres_url, INDEX_DIR=str(tmp_path / "a" / "index"))
    follower = make_app(tmp_path / "b", postgres_url, INDEX_DIR=str(tmp_path / "b" / "index"))
    yield writer, follower
    close_app(writer)
    close_app(follower)


def _new_listing(app: Flask) -> tuple[int, int]:
    """Commit an assured listing through `app`; return its id and the change-log entry."""
    with app.app_context():
        session = db.get_session()
        provider = f.assured_provider(session, listings=0)
        listing = f.listing(session, provider)
        session.commit()
        return int(listing.id or 0), sync.latest_seq(session)


def _within(seconds: float, done: Callable[[], bool]) -> float | None:
    """Return how long `done()` took to become true, or None if it did not within `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if done():
            return time.monotonic() - start
        time.sleep(0.01)
    return None


def _listening(app: Flask) -> listener.ChangeListener:
    found = listener.start(app)
    assert found is not None
    assert found.listening.wait(5), "the listener did not connect"
    return found


def test_a_change_made_on_one_machine_is_in_another_machines_index_within_a_second(
    two_apps: tuple[Flask, Flask],
) -> None:
    writer, follower = two_apps
    _listening(follower)
    backend = get_search(follower).backend
    listing_id, seq = _new_listing(writer)
    took = _within(1.0, lambda: backend.last_seq() >= seq)
    assert took is not None, "the follower's index did not apply the change within a second"
    # Applied by the listener alone: nothing searched on the follower.
    assert listing_id in backend.fingerprints()


def test_the_listener_reconnects_and_applies_what_was_logged_while_it_was_cut_off(
    two_apps: tuple[Flask, Flask], postgres_url: str
) -> None:
    writer, follower = two_apps
    heard = _listening(follower)
    name = sa.make_url(postgres_url).database
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            cut = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND query LIKE 'LISTEN%'"
                ),
                {"name": name},
            ).all()
        assert cut, "no listening connection was found"
        assert _within(5, lambda: not heard.listening.is_set()) is not None
        missed, seq = _new_listing(writer)  # logged while nobody listened
        backend = get_search(follower).backend
        assert _within(10, lambda: backend.last_seq() >= seq) is not None
        assert heard.listening.wait(10), "the listener did not reconnect"
        heard_again, seq = _new_listing(writer)
        assert _within(1.0, lambda: backend.last_seq() >= seq) is not None
        assert {missed, heard_again} <= set(backend.fingerprints())
    finally:
        admin.dispose()


def test_one_statement_logging_many_changes_sends_one_notification_naming_the_last(
    postgres_url: str, tmp_path: Path
) -> None:
    app = make_app(tmp_path, postgres_url)
    conninfo = sa.make_url(postgres_url).set(drivername="postgresql")
    try:
        with psycopg.connect(
            conninfo.render_as_string(hide_password=False), autocommit=True
        ) as conn:
            conn.execute(f"LISTEN {listener.CHANNEL}")
            with db.new_session(app) as session:
                session.info[DEFER] = True
                session.add_all([IndexChange(listing_id=i) for i in (1, 2, 3)])
                session.commit()
                last = sync.latest_seq(session)
            heard = [n.payload for n in conn.notifies(timeout=1.0)]
        assert heard == [str(last)]
    finally:
        close_app(app)


def test_no_listener_starts_on_sqlite(app: Flask) -> None:
    assert listener.start(app) is None


def test_no_listener_starts_when_listening_is_switched_off(
    tmp_path: Path, postgres_url: str
) -> None:
    app = make_app(tmp_path, postgres_url, INDEX_LISTEN=False)
    try:
        assert listener.start(app) is None
    finally:
        close_app(app)
