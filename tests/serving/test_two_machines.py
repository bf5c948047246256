"""The national arrangement, small and fast (issue 12's `make test` version of `make scaleout`).

Two application machines (`broker serve`, two workers each, their own instance and index
folders) on one PostgreSQL database, HAProxy in front checking /healthz. A few hundred requests
go through the balancer: searches, listing pages, and QA suspensions made by a signed-in officer.
Mid-run one machine's process group gets SIGKILL; later it is restarted. Then: no acknowledged
write is lost, no server error happened outside the kill window, the restarted machine serves
again and its index catches up with the database, and `broker index check` is clean on both.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from broker import db
from broker.models import Listing
from broker.search import sync
from index.backends.storage import Folders
from tests.auth.helpers import free_port
from tests.conftest import _pg_database, unavailable
from tests.serving import live
from tests.serving.officer import officer_with_listings, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LISTINGS = 60
SUSPENSIONS = 40
SEARCHES = 240
#: Seconds after the kill within which an error may be the kill's (in flight on the dead machine,
#: or sent before the balancer's checks marked it down: 2 failed checks, 250 ms apart).
KILL_WINDOW = 3.0

HAPROXY = """
global
    maxconn 256
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout queue 10s
    retries 2
    option redispatch 1
    retry-on conn-failure empty-response
frontend directory
    bind 127.0.0.1:{port}
    default_backend machines
backend machines
    balance roundrobin
    http-request disable-l7-retry unless METH_GET
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect status 200
    default-server check inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2
{servers}
"""


@pytest.fixture
def postgres_url(pg_template: str) -> Iterator[str]:
    url, admin, name = _pg_database(pg_template)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _machine_env(tmp_path: Path, name: str, url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BROKER_", "FLASK_", "PYTEST_"))
    }
    env.update(
        BROKER_INSTANCE_PATH=str(tmp_path / name / "instance"),
        BROKER_INDEX_DIR=str(tmp_path / name / "index"),
        BROKER_DATABASE_URL=url,
        BROKER_SECRET_KEY=live.SECRET_KEY,
        BROKER_MAIL_BACKEND="log",
        BROKER_MAIL_RETRY_SECONDS="0",
        BROKER_LOG_LEVEL="WARNING",
        BROKER_WORKERS="2",
        BROKER_THREADS="4",
        BROKER_TIMEOUT="30",
    )
    return env


def _broker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [live.BROKER, *args], env=env, capture_output=True, text=True, timeout=120
    )


def _start_haproxy(tmp_path: Path, port: int, machines: dict[str, int]) -> subprocess.Popen[bytes]:
    servers = "\n".join(f"    server {n} 127.0.0.1:{p}" for n, p in machines.items())
    config = tmp_path / "haproxy.cfg"
    config.write_text(HAPROXY.format(port=port, servers=servers))
    checked = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    log = (tmp_path / "haproxy.log").open("wb")
    process = subprocess.Popen(
        ["haproxy", "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if live.request(port, "GET", "/healthz", timeout=2)[0] == 200:
                return process
        time.sleep(0.1)
    process.kill()
    raise AssertionError("HAProxy did not answer: " + (tmp_path / "haproxy.log").read_text())


def _applied(index_dir: str) -> int:
    folder = Folders(Path(index_dir)).current()
    return Folders.read_seq(folder) if folder else 0


def test_two_machines_behind_haproxy_lose_nothing_when_one_is_killed_and_restarted(
    tmp_path: Path, postgres_url: str
) -> None:
    if shutil.which("haproxy") is None:
        unavailable("haproxy is not installed (apt-get install haproxy; .ci/run does)")
    env_a = _machine_env(tmp_path, "a", postgres_url)
    env_b = _machine_env(tmp_path, "b", postgres_url)
    qa, ids = officer_with_listings(
        tmp_path / "build", postgres_url, LISTINGS, INDEX_DIR=env_a["BROKER_INDEX_DIR"]
    )
    # Machine B joins as a new machine does: its index built from the database.
    rebuilt = _broker(env_b, "index", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr

    port_a, port_b, port_lb = free_port(), free_port(), free_port()
    a = live.start(["serve", "--bind", "127.0.0.1:{port}"], env_a, tmp_path / "a" / "logs", port_a)
    b = live.start(["serve", "--bind", "127.0.0.1:{port}"], env_b, tmp_path / "b" / "logs", port_b)
    balancer = _start_haproxy(tmp_path, port_lb, {"a": port_a, "b": port_b})
    try:
        # The officer signs in through the balancer: sessions live in the database, so every
        # machine knows them.
        browser = sign_in(port_lb, qa)
        browser.get(f"/qa/listings/{ids[0]}")
        headers = browser._headers()

        lock = threading.Lock()
        errors: list[tuple[float, str, str]] = []
        acknowledged: list[int] = []
        done = [0]
        killed_at: list[float] = []
        kill_after = (SEARCHES + SUSPENSIONS) // 3

        def count_and_maybe_kill() -> None:
            with lock:
                done[0] += 1
                if done[0] == kill_after:
                    killed_at.append(time.monotonic())
                    b.stop(signal.SIGKILL)

        def send(job: tuple[str, int]) -> None:
            kind, n = job
            try:
                if kind == "suspend":
                    listing_id = ids[n]
                    status, _, _ = live.request(
                        port_lb,
                        "POST",
                        f"/qa/listings/{listing_id}/suspend",
                        data={"suspend-reason": "A complaint.", "csrf_token": browser.csrf},
                        headers=headers,
                        timeout=20,
                    )
                    if status == 302:
                        with lock:
                            acknowledged.append(listing_id)
                elif kind == "listing":
                    status, _, _ = live.request(
                        port_lb, "GET", f"/directory/listings/{ids[n % LISTINGS]}"
                    )
                else:
                    words = ("coaching", "phonics", "governors", "attendance", "")[n % 5]
                    status, _, _ = live.request(port_lb, "GET", f"/api/v1/listings?q={words}")
                if status >= 500 or (kind == "suspend" and status != 302):
                    with lock:
                        errors.append((time.monotonic(), kind, str(status)))
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append((time.monotonic(), kind, repr(error)))
            count_and_maybe_kill()

        jobs = [("search" if i % 2 else "listing", i) for i in range(SEARCHES)]
        for n in range(SUSPENSIONS):
            jobs.insert(n * len(jobs) // SUSPENSIONS, ("suspend", n))
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(send, jobs))
        assert killed_at, "machine B was never killed"

        # B comes back (its index folder survived the kill) and catches up with the log.
        restarted_at = time.monotonic()
        b = live.start(
            ["serve", "--bind", "127.0.0.1:{port}"], env_b, tmp_path / "b" / "logs", port_b
        )
        serving_after = time.monotonic() - restarted_at
        engine = db.make_engine(postgres_url)
        try:
            with Session(engine) as s:
                latest = sync.latest_seq(s)
            deadline = time.monotonic() + 30
            while _applied(env_b["BROKER_INDEX_DIR"]) < latest and time.monotonic() < deadline:
                live.request(port_b, "GET", "/api/v1/listings?q=coaching")
                time.sleep(0.1)
            caught_up_after = time.monotonic() - restarted_at
            assert _applied(env_b["BROKER_INDEX_DIR"]) >= latest, "B's index never caught up"

            # Nothing acknowledged is lost.
            with Session(engine) as s:
                suspended = set(
                    s.exec(select(Listing.id).where(Listing.status == "suspended")).all()
                )
        finally:
            engine.dispose()
        assert len(acknowledged) == SUSPENSIONS - sum(1 for e in errors if e[1] == "suspend")
        lost = sorted(set(acknowledged) - suspended)
        assert not lost, f"acknowledged but not in the database: {lost}"

        # No error outside the kill window: the balancer sent nothing more to the dead machine.
        outside = [e for e in errors if not killed_at[0] <= e[0] <= killed_at[0] + KILL_WINDOW]
        assert not outside, f"errors outside the kill window: {outside}\n{a.output()}"
        # Not even within it for reading: a GET the dead machine dropped went to the other one.
        reads = [e for e in errors if e[1] != "suspend"]
        assert not reads, f"reads that failed: {reads}\n{a.output()}"

        # Both machines answer a search the same way, from the same public set.
        answers = []
        for port in (port_a, port_b):
            status, _, body = live.request(port, "GET", "/api/v1/listings?per_page=50")
            assert status == 200
            page = json.loads(body)
            answers.append((page["total"], [r["id"] for r in page["results"]], page["facets"]))
        assert answers[0] == answers[1]
        assert answers[0][0] == LISTINGS - len(suspended)
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)
        a.stop()
        b.stop()

    for env in (env_a, env_b):
        checked = _broker(env, "index", "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
    print(
        f"{SEARCHES + SUSPENSIONS} requests in {restarted_at - started:.1f} s, "
        f"{len(errors)} errors (all in the kill window), B serving again after "
        f"{serving_after:.1f} s and caught up after {caught_up_after:.1f} s"
    )
