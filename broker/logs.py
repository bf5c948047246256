"""Logging: each request's id on every line it logs, as text or as JSON lines."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request
from flask.logging import default_handler

#: The id of the request being served in this thread (or context), for log lines.
REQUEST_ID: ContextVar[str | None] = ContextVar("broker_request_id", default=None)
HEADER = "X-Request-ID"
#: An incoming id is kept only when it is short and plain (a proxy's or load balancer's id).
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}")
#: Record attributes every LogRecord has; anything else was passed in `extra` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}
#: gunicorn's access-log atoms worth a field of their own in JSON.
_ACCESS_ATOMS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "s": "status",
    "B": "bytes",
    "a": "user_agent",
}


class RequestIdFilter(logging.Filter):
    """Put the current request's id (or "-") on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            args = record.args if isinstance(record.args, dict) else {}
            record.request_id = REQUEST_ID.get() or args.get("{x-request-id}o") or "-"
        return True


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get() or None,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            for atom, key in _ACCESS_ATOMS.items():
                if atom in record.args:
                    entry[key] = record.args[atom]
            if "D" in record.args:
                entry["duration_ms"] = round(int(record.args["D"]) / 1000, 1)
            entry["request_id"] = record.args.get("{x-request-id}o") or entry["request_id"]
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def formatter(kind: str, access: bool = False) -> logging.Formatter:
    """Return the formatter for BROKER_LOG_FORMAT (`text` or `json`); `access` for gunicorn's."""
    if kind == "json":
        return JsonFormatter()
    if kind != "text":
        raise ValueError(f"BROKER_LOG_FORMAT must be 'text' or 'json', not {kind!r}")
    # gunicorn's access line already holds the time, the request and its id.
    return logging.Formatter("%(message)s" if access else TEXT_FORMAT)


class _StderrHandler(logging.StreamHandler):
    """Write to whatever sys.stderr is when the record is emitted (so redirections apply)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


#: Loggers written like the application's own: ours, and the rate limiter's (its storage going
#: down and coming back are an operator's business).
OWN_LOGGERS = ("broker", "flask-limiter")


def configure(kind: str, level: str) -> logging.Handler:
    """Send the `broker` loggers to stderr in `kind` format at `level` (idempotent)."""
    handler = _StderrHandler()
    handler.broker = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter())
    for name in OWN_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            if old is default_handler or getattr(old, "broker", False):
                logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
    return handler


def request_id() -> str:
    """Return this request's id."""
    return g.get("request_id") or REQUEST_ID.get() or "-"


def _begin() -> None:
    incoming = request.headers.get(HEADER, "")
    rid = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_id = rid
    REQUEST_ID.set(rid)


def _echo(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    return response


def init_app(app: Flask) -> None:
    """Configure the log format and give every request an id, echoed in X-Request-ID."""
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.before_request(_begin)
    app.after_request(_echo)
