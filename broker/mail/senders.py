"""Ways to hand a message to the world: SMTP (smtplib), or the application log in development."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol


class Sender(Protocol):
    def send(self, to: str, subject: str, body: str) -> None:
        """Deliver one message or raise."""


def build_message(from_address: str, to: str, subject: str, body: str) -> EmailMessage:
    """Return a plain-text message with the headers mail servers expect."""
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=from_address.rpartition("@")[2].strip(">") or None)
    message.set_content(body)
    return message


class SmtpSender:
    """Speak SMTP to a configured server, with STARTTLS and login when configured."""

    def __init__(
        self,
        host: str,
        port: int,
        from_address: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, to: str, subject: str, body: str) -> None:
        message = build_message(self.from_address, to, subject, body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class LogSender:
    """Write each message to the application log (development: BROKER_MAIL_BACKEND=log)."""

    def __init__(self, logger: logging.Logger, from_address: str) -> None:
        self.logger = logger
        self.from_address = from_address

    def send(self, to: str, subject: str, body: str) -> None:
        self.logger.info("Email to %s\nSubject: %s\n\n%s", to, subject, body)


def sender_from_config(config: Mapping[str, Any], logger: logging.Logger) -> Sender:
    """Choose the sender: BROKER_MAIL_BACKEND, else SMTP when a host is set, else the log."""
    backend = config.get("MAIL_BACKEND") or ("smtp" if config.get("SMTP_HOST") else "log")
    if backend == "log":
        return LogSender(logger, config["MAIL_FROM"])
    if backend != "smtp" or not config.get("SMTP_HOST"):
        raise ValueError(
            f"BROKER_MAIL_BACKEND={backend!r} needs 'log', or 'smtp' with BROKER_SMTP_HOST set"
        )
    return SmtpSender(
        host=config["SMTP_HOST"],
        port=int(config["SMTP_PORT"]),
        from_address=config["MAIL_FROM"],
        username=config.get("SMTP_USERNAME") or None,
        password=config.get("SMTP_PASSWORD") or None,
        starttls=bool(config["SMTP_STARTTLS"]),
        timeout=float(config.get("SMTP_TIMEOUT", 10)),
    )
