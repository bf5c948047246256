"""Account test helpers: a real SMTP server on loopback, users with passwords, signing in."""

from __future__ import annotations

import email
import functools
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.security import generate_password_hash

from broker.auth import totp
from broker.models import User, utcnow
from tests import factories as f

PASSWORD = "correct horse battery"


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """Return a scrypt hash of `password` that the app checks like any other, at a lower cost.

    The cost is written in the hash (scrypt:N:r:p), so the app's own hashes keep theirs (N=2**15,
    about 0.1 s a check, on purpose); the suite's thousands of sign-ins check N=2**10 instead.
    """
    return generate_password_hash(password, method="scrypt:1024:8:1")


@dataclass
class Inbox:
    """What the local SMTP server received."""

    port: int
    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        with self.inbox.lock:
            self.inbox.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp(port: int | None = None) -> tuple[Controller, Inbox]:
    inbox = Inbox(port=port or free_port())
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    return controller, inbox


def use_smtp(app: Flask, port: int) -> None:
    """Point the app's mail at the loopback SMTP server."""
    app.config.update(
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
        MAIL_FROM="Directory <no-reply@example.org>",
        BASE_URL="http://localhost",
    )


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def link_in(message: Message) -> str:
    """Return the path of the first http://localhost link in a message."""
    match = re.search(r"http://localhost(/\S+)", body(message))
    assert match, body(message)
    return match.group(1)


def make_user(
    session: Session, role: str = "headteacher", password: str = PASSWORD, **kw: Any
) -> User:
    """Add a confirmed user with a password (and, for QA/admin with `enrolled=True`, TOTP)."""
    enrolled = kw.pop("enrolled", False)
    if role in ("headteacher",) and "school_id" not in kw:
        kw["school_id"] = f.school(session).id
    user = f.user(
        session,
        role=role,
        password_hash=password_hash(password),
        email_confirmed_at=utcnow(),
        **kw,
    )
    if enrolled:
        user.totp_secret = totp.generate_secret()
        user.totp_enrolled_at = utcnow()
    session.add(user)
    session.commit()
    return user


def current_code(user: User, offset: int = 0) -> str:
    assert user.totp_secret
    return totp.code_at(user.totp_secret, time.time() + offset)


def sign_in(client: FlaskClient, email_address: str, password: str = PASSWORD, **kw: Any) -> Any:
    return client.post("/sign-in", data={"email": email_address, "password": password, **kw})


def sign_in_fully(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Sign in, passing the second factor when the role needs it."""
    response = sign_in(client, user.email, password)
    assert response.status_code == 302, response.data
    if user.needs_second_factor:
        response = client.post("/two-factor", data={"code": current_code(user)})
        assert response.status_code == 302, response.data
