"""Start the real servers (`broker serve`, `broker run`) as processes on a free loopback port."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.auth.helpers import free_port

BROKER = str(Path(sys.executable).with_name("broker"))
SECRET_KEY = "a-test-secret-key-long-enough-for-production-use-0123456789"


def server_env(tmp_path: Path, sqlite_template: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a server on its own SQLite copy of the migrated template."""
    database = tmp_path / "broker.sqlite"
    if not database.exists():
        shutil.copy(sqlite_template, database)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BROKER_", "FLASK_", "PYTEST_"))
    }
    env.update(
        BROKER_INSTANCE_PATH=str(tmp_path / "instance"),
        BROKER_DATABASE_URL=f"sqlite:///{database}",
        BROKER_INDEX_DIR=str(tmp_path / "index"),
        BROKER_SECRET_KEY=SECRET_KEY,
        BROKER_MAIL_BACKEND="log",
        BROKER_MAIL_RETRY_SECONDS="0",
        BROKER_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@dataclass
class Server:
    """A server process group on 127.0.0.1:`port`, its output in files under `logs`."""

    process: subprocess.Popen[bytes]
    port: int
    logs: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        """Signal the whole process group (master and workers) and wait for the master."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if sig == signal.SIGKILL:
            # The workers are in the group too; wait until every one has gone.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _group_alive(self.process.pid):
                time.sleep(0.05)

    def output(self) -> str:
        return "".join(
            p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")) if p.exists()
        )


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def start(
    args: list[str],
    env: dict[str, str],
    logs: Path,
    port: int | None = None,
    wait: float = 30,
    broker: str = BROKER,
    cwd: Path | None = None,
) -> Server:
    """Run `broker ARGS` (with {port} filled in) in a new session; wait until /healthz answers."""
    port = port or free_port()
    logs.mkdir(parents=True, exist_ok=True)
    n = len(list(logs.glob("*.out.log")))
    with (logs / f"{n}.out.log").open("wb") as out, (logs / f"{n}.err.log").open("wb") as err:
        process = subprocess.Popen(
            [broker, *[a.format(port=port) for a in args]],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    server = Server(process, port, logs)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{server.output()}")
        try:
            status, _, _ = request(port, "GET", "/healthz", timeout=2)
            if status in (200, 503):
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"the server did not answer within {wait} s:\n{server.output()}")


def request(
    port: int,
    method: str,
    path: str,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Make one HTTP request on a new connection; return status, headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = urlencode(data) if data is not None else None
        all_headers = dict(headers or {})
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@dataclass
class Browser:
    """Just enough of a browser for forms: a cookie jar and the CSRF token of the last page."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep(self, headers: Any, body: bytes) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
            rb'name="csrf_token" value="([^"]+)"', body
        )
        if match:
            self.csrf = match.group(1).decode()

    def get(self, path: str) -> tuple[int, Any, bytes]:
        status, headers, body = request(self.port, "GET", path, headers=self._headers())
        self._keep(headers, body)
        return status, headers, body

    def post(self, path: str, data: dict[str, str]) -> tuple[int, Any, bytes]:
        status, headers, body = request(
            self.port,
            "POST",
            path,
            data={**data, "csrf_token": self.csrf},
            headers=self._headers(),
        )
        self._keep(headers, body)
        return status, headers, body
