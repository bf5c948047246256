"""The balancer of `make scaleout` (deploy/scaleout.py) keeps a busy machine and drops a dead one.

In the 100,000-listing run on a saturated CPU, /healthz answered after more than the check's
one-second default, HAProxy took live machines out (all of them at times) and answered 503
itself. A machine slow to answer its check stays in; one that refuses connections goes out.
"""

from __future__ import annotations

import csv
import http.client
import http.server
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.auth.helpers import free_port
from tests.conftest import unavailable
from tests.deploy.test_scaleout_processes import _scaleout

pytestmark = pytest.mark.slow

#: How long the busy machine takes to answer /healthz: over HAProxy's default check timeout.
SLOW_CHECK = 1.5


class _BusyMachine(http.server.BaseHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/healthz":
            time.sleep(SLOW_CHECK)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def machine() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _BusyMachine)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _state(stats_port: int) -> str:
    _, body = _get(stats_port, "/stats;csv")
    rows = csv.DictReader(body.decode().lstrip("# ").splitlines())
    return next(r["status"] for r in rows if r["svname"] == "a")


def test_a_machine_slow_to_answer_its_check_keeps_its_requests_and_a_dead_one_loses_them(
    tmp_path: Path, machine: http.server.ThreadingHTTPServer
) -> None:
    if shutil.which("haproxy") is None:
        unavailable("haproxy is not installed (apt-get install haproxy; .ci/run does)")
    scaleout = _scaleout()
    lb, stats = free_port(), free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(
        scaleout.haproxy_config(
            {"a": f"127.0.0.1:{machine.server_address[1]}"},
            maxconn=8,
            bind=("127.0.0.1", lb),
            stats=("127.0.0.1", stats),
        )
    )
    checked = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    log = tmp_path / "haproxy.log"
    with log.open("wb") as out:
        balancer = subprocess.Popen(
            ["haproxy", "-db", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                _get(stats, "/stats")
                break
            except OSError:
                time.sleep(0.1)
        # Several checks' worth of time: each answered after 1.5 s, none taking the machine out.
        statuses = []
        until = time.monotonic() + 3 * SLOW_CHECK + 2
        while time.monotonic() < until:
            statuses.append(_get(lb, "/")[0])
            time.sleep(0.1)
        assert set(statuses) == {200}, (statuses, log.read_text())
        assert _state(stats) == "UP"

        # Dead: its port refuses connections, and the balancer notices within seconds.
        machine.shutdown()
        machine.server_close()
        deadline = time.monotonic() + 5
        while _state(stats) != "DOWN" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _state(stats) == "DOWN", log.read_text()
        assert _get(lb, "/")[0] == 503
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)
