"""Kill -9 the production server (several workers) in the middle of 200 concurrent changes made
over HTTP, restart it, and find that nothing it acknowledged was lost and the index catches up."""

from __future__ import annotations

import http.client
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from broker import db
from broker.models import AuditEvent, Listing
from tests.conftest import close_app, make_app
from tests.serving import live
from tests.serving.officer import officer_with_listings, sign_in

pytestmark = pytest.mark.slow

CHANGES = 200
KILL_AFTER = 60  # acknowledged changes before the kill: the rest are in flight or not yet sent


def test_nothing_acknowledged_is_lost_when_the_server_is_killed_mid_flight(
    tmp_path: Path, sqlite_template: Path
) -> None:
    env = live.server_env(
        tmp_path, sqlite_template, BROKER_WORKERS="3", BROKER_THREADS="4", BROKER_TIMEOUT="30"
    )
    qa, ids = officer_with_listings(tmp_path, env["BROKER_DATABASE_URL"], CHANGES)
    server = live.start(["serve", "--bind", "127.0.0.1:{port}"], env, tmp_path / "logs")
    browser = sign_in(server.port, qa)
    browser.get(f"/qa/listings/{ids[0]}")  # a page with the QA forms: its CSRF token
    headers = browser._headers()
    acknowledged: list[int] = []
    lock = threading.Lock()
    killed = threading.Event()

    def suspend(listing_id: int) -> None:
        if killed.is_set():
            return
        try:
            status, _, _ = live.request(
                server.port,
                "POST",
                f"/qa/listings/{listing_id}/suspend",
                data={
                    "suspend-reason": "A complaint is being looked into.",
                    "csrf_token": browser.csrf,
                },
                headers=headers,
                timeout=20,
            )
        except (OSError, http.client.HTTPException):
            # The server died under this request (no answer, or half of one: IncompleteRead is
            # no OSError): not acknowledged.
            return
        if 200 <= status < 400:
            with lock:
                acknowledged.append(listing_id)
                if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    server.stop(signal.SIGKILL)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(suspend, ids))
    assert killed.is_set(), (
        f"only {len(acknowledged)} changes were acknowledged:\n{server.output()}"
    )

    restarted = live.start(
        ["serve", "--bind", "127.0.0.1:{port}"], env, tmp_path / "logs", port=server.port
    )
    try:
        status, _, _ = live.request(restarted.port, "GET", "/directory")
        assert status == 200
        # A few more changes through the restarted server, in the same signed-in session.
        browser.get(f"/qa/listings/{ids[0]}")
        for listing_id in ids[-5:]:
            if listing_id not in acknowledged:
                status, _, _ = browser.post(
                    f"/qa/listings/{listing_id}/suspend", {"suspend-reason": "Follow-up."}
                )
                assert status == 302
                acknowledged.append(listing_id)
    finally:
        restarted.stop()

    app = make_app(tmp_path, env["BROKER_DATABASE_URL"], INDEX_DIR=env["BROKER_INDEX_DIR"])
    try:
        with Session(db.get_engine(app)) as s:
            suspended = set(s.exec(select(Listing.id).where(Listing.status == "suspended")).all())
            audited = s.exec(
                select(AuditEvent.entity_id).where(
                    AuditEvent.action == "suspend", col(AuditEvent.entity_id).in_(ids)
                )
            ).all()
        lost = sorted(set(acknowledged) - suspended)
        assert not lost, f"acknowledged but not in the database: {lost}"
        # Every change that did commit is audited exactly once (none half-written).
        assert sorted(audited) == sorted(suspended)
    finally:
        close_app(app)

    command_env = {**env}
    synced = subprocess.run(
        [live.BROKER, "index", "sync"], env=command_env, capture_output=True, text=True, timeout=60
    )
    assert synced.returncode == 0, synced.stdout + synced.stderr
    checked = subprocess.run(
        [live.BROKER, "index", "check"], env=command_env, capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert time.monotonic() - started < 60
