"""Rate limits shared by several machines through Redis, and what happens when Redis is down.

Two `broker serve` processes stand for two machines (their own instance and index folders, one
database). Sign-in throttling needs no Redis: it is counted in the database (tests/auth).
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.auth.helpers import free_port
from tests.conftest import unavailable
from tests.serving import live

pytestmark = pytest.mark.slow

REDIS = ("127.0.0.1", 6379)
BODY = json.dumps({"needs": [{"text": "phonics in year 1"}]})
LIMIT = 3


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _machines(
    tmp_path: Path, sqlite_template: Path, storage: str
) -> Iterator[tuple[live.Server, live.Server]]:
    servers: list[live.Server] = []
    prefix = f"test-{uuid.uuid4().hex[:12]}"  # never share counters with another run
    try:
        for name in ("a", "b"):
            env = live.server_env(
                tmp_path,
                sqlite_template,
                BROKER_INSTANCE_PATH=str(tmp_path / name / "instance"),
                BROKER_INDEX_DIR=str(tmp_path / name / "index"),
                BROKER_RATELIMIT_STORAGE_URI=storage,
                BROKER_RATELIMIT_KEY_PREFIX=prefix,
                BROKER_MATCH_RATE_LIMIT=f"{LIMIT} per minute",
                BROKER_WORKERS="1",
                BROKER_THREADS="2",
            )
            servers.append(
                live.start(["serve", "--bind", "127.0.0.1:{port}"], env, tmp_path / name / "logs")
            )
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def shared(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[live.Server, live.Server]]:
    if not _redis_answers():
        unavailable(f"Redis is not reachable at {REDIS[0]}:{REDIS[1]}")
    yield from _machines(tmp_path, sqlite_template, f"redis://{REDIS[0]}:{REDIS[1]}/0")


@pytest.fixture
def redis_down(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[live.Server, live.Server]]:
    nobody = free_port()  # nothing listens here
    yield from _machines(tmp_path, sqlite_template, f"redis://127.0.0.1:{nobody}/0")


def _match(server: live.Server) -> int:
    """POST one match request; return the status."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(
            "POST", "/api/v1/match", body=BODY, headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_one_clients_limit_is_shared_by_two_machines_through_redis(
    shared: tuple[live.Server, live.Server],
) -> None:
    a, b = shared
    assert [_match(a), _match(b), _match(a)] == [200, 200, 200]
    # The limit is spent, whichever machine the client reaches next.
    assert _match(b) == 429
    assert _match(a) == 429


def test_with_redis_down_limits_hold_per_machine_and_nobody_sees_an_error(
    redis_down: tuple[live.Server, live.Server],
) -> None:
    a, b = redis_down
    assert [_match(a) for _ in range(LIMIT)] == [200] * LIMIT
    assert _match(a) == 429  # still limited, in this process's memory
    assert _match(b) == 200  # but not shared: the other machine counts on its own
    status, _, _ = live.request(a.port, "GET", "/directory?q=phonics")
    assert status == 200
    deadline = time.monotonic() + 5
    while "falling back to in-memory storage" not in a.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Rate limit storage unreachable - falling back to in-memory storage" in a.output()
    assert "Swallowing error" not in a.output()  # the fallback answered, nothing failed
