"""The production server (gunicorn) and the development server, run for real on loopback."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from broker import config
from broker.serving.devserver import QuietRequestHandler
from tests.auth.helpers import free_port
from tests.conftest import close_app, make_app
from tests.serving import live

pytestmark = pytest.mark.slow


@pytest.fixture
def gunicorn(tmp_path: Path, sqlite_template: Path) -> Iterator[live.Server]:
    env = live.server_env(
        tmp_path,
        sqlite_template,
        BROKER_WORKERS="2",
        BROKER_THREADS="2",
        BROKER_LOG_FORMAT="json",
        BROKER_LOG_LEVEL="INFO",
    )
    server = live.start(["serve", "--bind", "127.0.0.1:{port}"], env, tmp_path / "logs")
    yield server
    server.stop()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_broker_serve_runs_gunicorn_with_the_workers_asked_for(gunicorn: live.Server) -> None:
    deadline = time.monotonic() + 10
    while len(_children(gunicorn.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_children(gunicorn.process.pid)) == 2
    status, _, body = live.request(gunicorn.port, "GET", "/healthz")
    assert status == 200
    assert json.loads(body)["status"] == "ok"


def test_gunicorn_names_no_version_in_its_server_header(gunicorn: live.Server) -> None:
    for path in ("/", "/healthz", "/no-such-page", "/assets/build/app.css"):
        _, headers, _ = live.request(gunicorn.port, "GET", path)
        servers = headers.get_all("Server") or []
        assert len(servers) <= 1, servers
        assert not any(re.search(r"[/\d]", value) for value in servers), servers


def test_gunicorn_logs_json_lines_carrying_the_request_id(gunicorn: live.Server) -> None:
    _, headers, _ = live.request(
        gunicorn.port, "GET", "/directory?q=phonics", headers={"X-Request-ID": "probe-42"}
    )
    assert headers["X-Request-ID"] == "probe-42"
    deadline = time.monotonic() + 5
    while "probe-42" not in gunicorn.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [json.loads(line) for line in gunicorn.output().splitlines() if line.strip()]
    access = [
        e for e in lines if e["logger"] == "gunicorn.access" and e["request_id"] == "probe-42"
    ]
    assert access and access[0]["path"] == "/directory" and access[0]["status"] == "200"


def test_a_bad_secret_key_stops_broker_serve_with_one_line(
    tmp_path: Path, sqlite_template: Path
) -> None:
    env = live.server_env(tmp_path, sqlite_template)
    env.pop("BROKER_SECRET_KEY")
    key_file = tmp_path / "secret_key"
    key_file.write_text("\n")
    env["BROKER_SECRET_KEY_FILE"] = str(key_file)
    result = subprocess.run(
        [live.BROKER, "serve", "--bind", f"127.0.0.1:{free_port()}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    message = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(message) == 1, result.stderr
    assert "secret key" in message[0] and "empty" in message[0]
    assert "Traceback" not in result.stderr


def test_broker_run_serves_without_a_server_header_naming_versions(
    tmp_path: Path, sqlite_template: Path
) -> None:
    env = live.server_env(tmp_path, sqlite_template)
    server = live.start(["run", "--port", "{port}"], env, tmp_path / "logs")
    try:
        for path in ("/", "/healthz", "/no-such-page"):
            _, headers, _ = live.request(server.port, "GET", path)
            assert headers.get_all("Server") is None, headers.get_all("Server")
    finally:
        server.stop(signal.SIGINT)


def test_the_server_settings_have_safe_defaults() -> None:
    settings = config.server({})
    assert settings["BIND"] == "127.0.0.1:8000"
    assert settings["WORKERS"] >= 2 and settings["THREADS"] >= 2
    assert config.server({"BROKER_WORKERS": "3"})["WORKERS"] == 3


# --- mail leaves after the response --------------------------------------------------------


class _HeldInbox:
    """An SMTP server that holds every message until the test releases it."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.release = threading.Event()
        self.received: list[float] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        self.received.append(time.monotonic())
        return "250 OK"


def test_mail_is_sent_after_the_response_has_gone(
    tmp_path: Path, sqlite_url: str, sqlite_template: Path
) -> None:
    from sqlmodel import Session

    from broker import db
    from tests.auth.helpers import make_user

    inbox = _HeldInbox()
    app = make_app(
        tmp_path,
        sqlite_url,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=inbox.port,
        SMTP_STARTTLS=False,
        BASE_URL="http://localhost",
    )
    server = make_server(
        "127.0.0.1", free_port(), app, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            user = make_user(s)
        # The inbox holds the message until released: a page that waited for the mail
        # server would never answer, and the request would time out.
        status, _, body = live.request(
            server.server_port, "POST", "/password-reset", data={"email": user.email}, timeout=20
        )
        answered = time.monotonic()
        assert status == 200, body
        assert not inbox.received
        inbox.release.set()
        deadline = time.monotonic() + 10
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert inbox.received and inbox.received[0] > answered
    finally:
        inbox.release.set()
        server.shutdown()
        thread.join(timeout=10)
        inbox.controller.stop()
        close_app(app)


def test_the_mail_courier_sends_what_a_crashed_process_left_in_the_outbox(
    tmp_path: Path, sqlite_url: str
) -> None:
    from sqlmodel import Session, select

    from broker import db, mail
    from broker.mail import courier
    from broker.models import MailMessage

    app = make_app(tmp_path, sqlite_url, MAIL_BACKEND="log")
    try:
        with app.app_context(), Session(db.get_engine(app)) as s:
            mail.queue(s, "someone@example.org", "Left behind", "Body")
            s.commit()  # ...and the process died before delivering it
        assert courier.drain(app) == (1, 0)
        with Session(db.get_engine(app)) as s:
            assert s.exec(select(MailMessage)).one().sent_at is not None
    finally:
        close_app(app)


def test_the_courier_starts_only_when_a_retry_interval_is_set(
    tmp_path: Path, sqlite_url: str
) -> None:
    from broker.mail import courier

    app = make_app(tmp_path, sqlite_url, MAIL_RETRY_SECONDS=0)
    try:
        assert courier.start(app) is None
    finally:
        close_app(app)


def test_each_gunicorn_worker_retries_what_a_dead_process_left_in_the_outbox(
    tmp_path: Path, sqlite_template: Path
) -> None:
    from sqlmodel import Session, select

    from broker import db
    from broker.models import MailMessage

    env = live.server_env(
        tmp_path, sqlite_template, BROKER_WORKERS="2", BROKER_MAIL_RETRY_SECONDS="1"
    )
    engine = db.make_engine(env["BROKER_DATABASE_URL"])
    try:
        with Session(engine) as s:
            s.add(MailMessage(to_address="left@example.org", subject="Left", body_text="Body"))
            s.commit()
        server = live.start(["serve", "--bind", "127.0.0.1:{port}"], env, tmp_path / "logs")
        try:
            deadline = time.monotonic() + 15
            sent = None
            while sent is None and time.monotonic() < deadline:
                time.sleep(0.2)
                with Session(engine) as s:
                    sent = s.exec(select(MailMessage.sent_at)).one()
            assert sent is not None, server.output()
        finally:
            server.stop()
    finally:
        engine.dispose()
