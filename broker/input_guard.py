"""Refuse control characters in any input (path, query string, form, JSON) before a view runs.

PostgreSQL text cannot hold NUL at all (psycopg raises DataError: a 500), and SQLite would store
it, so such data could never move to PostgreSQL. No field of this service needs control
characters: tab, newline and carriage return are allowed in values (multi-line text), and
nothing of C0 (nor DEL) anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest

#: Every C0 control character and DEL.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: The same less tab, newline and carriage return (allowed in multi-line text).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same two as JSON Schema patterns, for the OpenAPI documents (text in a JSON body may hold
#: tab, newline and carriage return): values that pass them pass here.
NO_CONTROL = "^[^\\u0000-\\u001f\\u007f]*$"
NO_CONTROL_IN_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
#: Bodies read as form fields; any other body is read as JSON.
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ControlCharacters(BadRequest):
    """A request carried a control character where none may be."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"The {where} contains a control character (such as NUL) that this service does "
            "not accept. Remove it and try again."
        )


def bad_strings(value: Any, pattern: re.Pattern[str] = _CONTROL_IN_TEXT) -> bool:
    """Say whether `value` (a string, or JSON made of lists and objects) holds a control character."""
    if isinstance(value, str):
        return pattern.search(value) is not None
    if isinstance(value, dict):
        return any(
            bad_strings(k, _ANY_CONTROL) or bad_strings(v, pattern) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(bad_strings(v, pattern) for v in value)
    return False


def _bad_pairs(pairs: Iterable[tuple[str, str]]) -> bool:
    return any(_ANY_CONTROL.search(k) or _CONTROL_IN_TEXT.search(v) for k, v in pairs)


def check_request() -> None:
    """Raise ControlCharacters (a 400) when any part of the request holds a control character."""
    if _ANY_CONTROL.search(request.path):
        raise ControlCharacters("web address")
    if _bad_pairs(request.args.items(multi=True)):
        raise ControlCharacters("web address")
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if request.mimetype in _FORM_TYPES:
        if _bad_pairs(request.form.items(multi=True)) or any(
            _ANY_CONTROL.search(f.filename or "") for f in request.files.values()
        ):
            raise ControlCharacters("form")
    # Any other body is read as JSON, whatever its declared type (the API reads it so too).
    elif bad_strings(request.get_json(force=True, silent=True)):
        raise ControlCharacters("request body")


def init_app(app: Flask) -> None:
    """Check every request before the views (create_app binds this before other extensions)."""
    app.before_request(check_request)
