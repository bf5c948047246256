"""Email in development and from the command line: visible in the console, absolute links, and a
confirmation link that survives signing in too early."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from broker.models import utcnow
from tests import factories as f
from tests.auth.helpers import Inbox, body, link_in, sign_in, use_smtp
from tests.conftest import close_app, make_app

PASSWORD = "a fresh long passphrase"
REGISTRATION = {
    "name": "Pat Provider",
    "email": "pat@consult.example",
    "organisation": "Pat Consulting",
    "kind": "independent-consultant",
    "password": PASSWORD,
    "confirm": PASSWORD,
}


def test_with_the_default_log_backend_a_new_provider_sees_the_confirmation_link_in_the_console(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The settings of `make run`: no SMTP host, the default log level, the base URL it serves on.
    app = make_app(tmp_path, sqlite_url, MAIL_BACKEND=None, BASE_URL="http://127.0.0.1:5000")
    try:
        assert app.config["LOG_LEVEL"] == "INFO"
        client = app.test_client()
        assert client.post("/register", data=REGISTRATION).status_code == 302
        console = capsys.readouterr().err
        assert "Email to pat@consult.example" in console and "Confirm your email address" in console
        link = re.search(r"http://127\.0\.0\.1:5000(/confirm-email/\S+)", console)
        assert link, console
        assert client.get(link.group(1)).status_code == 302
        assert sign_in(client, REGISTRATION["email"], PASSWORD).status_code == 302
    finally:
        close_app(app)


def test_signing_in_before_confirming_does_not_kill_the_link_already_sent(
    any_app: Flask, smtp: Inbox
) -> None:
    use_smtp(any_app, smtp.port)
    client = any_app.test_client()
    assert client.post("/register", data=REGISTRATION).status_code == 302
    (first,) = smtp.wait_for(1)
    assert sign_in(client, REGISTRATION["email"], PASSWORD).status_code == 400  # not yet
    assert len(smtp.wait_for(2)) == 2  # a fresh link too
    assert client.get(link_in(first)).status_code == 302  # ...and the first still works
    assert sign_in(client, REGISTRATION["email"], PASSWORD).status_code == 302


def test_a_renewal_reminder_sent_from_the_command_line_has_absolute_links(
    app: Flask, session: Session, smtp: Inbox
) -> None:
    use_smtp(app, smtp.port)
    app.config["BASE_URL"] = "https://directory.example.org"
    provider = f.assured_provider(session, listings=0, email="lead@provider.example")
    f.listing(session, provider, assurance_expires_at=utcnow() + timedelta(days=20))
    session.commit()
    result = app.test_cli_runner().invoke(args=["assurance", "remind"])
    assert result.exit_code == 0, result.output
    (message,) = smtp.wait_for(1)
    links = re.findall(r"\S*/provider\S*", body(message))
    assert links and all(x.startswith("https://directory.example.org/") for x in links), links


def test_the_reminder_command_refuses_to_run_without_a_base_url(app: Flask) -> None:
    app.config["BASE_URL"] = None
    result = app.test_cli_runner().invoke(args=["assurance", "remind"])
    assert result.exit_code != 0
    assert "BROKER_BASE_URL" in result.output


def test_a_missing_base_url_is_logged_once_however_many_links_are_made(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    from broker.lifecycle import notify
    from broker.mail import notifications

    app.config["BASE_URL"] = None
    with app.app_context(), caplog.at_level(logging.WARNING):
        links = [notify.link("/a"), notifications.base_url() + "/b", notify.link("/c")]
    assert links == ["http://localhost/a", "http://localhost/b", "http://localhost/c"]
    warnings = [r for r in caplog.records if "BROKER_BASE_URL is not set" in r.getMessage()]
    assert len(warnings) == 1
