"""The index follows the database through the change log, and never loses a change."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session

from broker import db
from broker.search import sync
from broker.search.engine import get_search
from index import service
from tests import factories as f
from tests.conftest import close_app, make_app


def _ids(app: Flask, text: str = "") -> set[int]:
    results = service.search(get_search(app).backend, service.Request(text=text, per_page=100))
    return {hit.id for hit in results.hits}


def _new_listing(app: Flask, **kw: object) -> int:
    with app.app_context():
        session = db.get_session()
        provider = f.assured_provider(session, listings=0)
        listing = f.listing(session, provider, **kw)
        session.commit()
        return int(listing.id)


def test_committed_change_is_searchable_at_once(any_app: Flask) -> None:
    listing_id = _new_listing(any_app, title="Phonics intervention for Year 1")
    assert listing_id in _ids(any_app, "phonics")


def test_suspension_disappears_from_search_at_once(any_app: Flask) -> None:
    listing_id = _new_listing(any_app, title="Attendance improvement programme")
    with any_app.app_context():
        session = db.get_session()
        listing = session.get(sync.Listing, listing_id)
        listing.status = "suspended"
        session.commit()
    assert listing_id not in _ids(any_app, "attendance")


def test_rolled_back_change_logs_nothing(app: Flask) -> None:
    with app.app_context():
        session = db.get_session()
        provider = f.assured_provider(session, listings=0)
        f.listing(session, provider)
        session.rollback()
        assert sync.latest_seq(session) == 0


def test_provider_below_two_schools_leaves_the_index(app: Flask, session: Session) -> None:
    listing_id = _new_listing(app, title="Governor training")
    with app.app_context():
        s = db.get_session()
        for rec in s.get(sync.Listing, listing_id).provider.recommendations[:1]:
            rec.status = "withdrawn"
        s.commit()
    assert listing_id not in _ids(app)


def test_lapsed_assurance_leaves_the_index_on_next_sync(app: Flask) -> None:
    listing_id = _new_listing(app, title="Lapsing listing")
    with app.app_context():
        s = db.get_session()
        # Time passes: the assurance runs out without a write through a Session (a statement on
        # the bare connection, which change capture does not see), so nothing is logged.
        table = sync.Listing.__table__  # type: ignore[attr-defined]
        s.connection().execute(
            sa.update(table)
            .where(table.c.id == listing_id)
            .values(assurance_expires_at=sync.utcnow())
        )
        s.commit()
        report = get_search(app).sync()
    assert report.lapsed == 1
    assert listing_id not in _ids(app)


def test_check_reports_differences_and_rebuild_repairs_them(app: Flask) -> None:
    listing_id = _new_listing(app, title="Numeracy coaching")
    engine = get_search(app)
    engine.backend.apply([], [listing_id], engine.backend.last_seq())  # damage the index
    with app.app_context():
        s = db.get_session()
        assert [d.listing_id for d in sync.check(s, engine.backend)] == [listing_id]
        assert sync.rebuild(s, engine.backend, engine.directory) == 1
        assert sync.check(s, engine.backend) == []
    assert listing_id in _ids(app, "numeracy")


def test_index_commands_sync_rebuild_and_check(app: Flask) -> None:
    _new_listing(app, title="Safeguarding audit")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    rebuilt = runner.invoke(args=["index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 searchable listings" in rebuilt.output
    assert runner.invoke(args=["index", "sync"]).exit_code == 0


def test_change_committed_before_a_crash_is_indexed_on_restart(app: Flask, tmp_path: Path) -> None:
    """Kill the process between commit and indexing: the restarted app applies the change."""
    get_search(app).backend.last_seq()  # create the index folder as a running server would
    script = textwrap.dedent(
        f"""
        import os
        from broker import create_app, db
        from tests import factories as f
        app = create_app({{"TESTING": True, "SECRET_KEY": "x",
                           "DATABASE_URL": {app.config["DATABASE_URL"]!r},
                           "INDEX_DIR": {app.config["INDEX_DIR"]!r}}})
        with app.app_context():
            session = db.get_session()
            session.info["broker.defer_index"] = True  # stand in for dying before the index write
            provider = f.assured_provider(session, listings=0)
            listing = f.listing(session, provider, title="Crash-safe EAL support")
            session.commit()
            print(listing.id, flush=True)
            os._exit(9)  # no cleanup, no index write
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=Path.cwd(), timeout=60
    )
    assert done.returncode == 9, done.stderr
    listing_id = int(done.stdout.strip())
    assert listing_id not in _ids(app, "crash")
    restarted = make_app(tmp_path, app.config["DATABASE_URL"], INDEX_DIR=app.config["INDEX_DIR"])
    try:
        with restarted.app_context():  # what the first search after a restart does
            get_search(restarted).catch_up(db.get_session())
        assert listing_id in _ids(restarted, "crash")
    finally:
        close_app(restarted)
