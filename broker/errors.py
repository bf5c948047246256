"""A small exception hierarchy, each class with its HTTP status, and the error pages."""

from __future__ import annotations

from typing import Annotated

from flask import Flask, render_template, request
from pydantic import BaseModel, ConfigDict, WithJsonSchema
from werkzeug.exceptions import HTTPException


class BrokerError(Exception):
    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(BrokerError):
    """A value the user gave breaks a rule; `field` names the form field to attach it to."""

    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(BrokerError):
    status = 404


class Forbidden(BrokerError):
    status = 403


class Conflict(BrokerError):
    status = 409


_TITLES = {
    400: "There is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That change clashes with another",
    413: "That upload is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


class ErrorDetail(BaseModel):
    """What went wrong: the status again, a title, what to do, and the field at fault if one is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: int
    title: str
    message: str
    # Left out when no one field is at fault (never null).
    field: Annotated[str | None, WithJsonSchema({"type": "string"})] = None


class ErrorResponse(BaseModel):
    """The body of every error the API answers (400, 404, 405, 413, 429, 500)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Error")

    error: ErrorDetail


def _wants_json() -> bool:
    # The JSON API and the Open Referral UK feed answer errors in JSON, never with a page.
    return request.path.startswith(("/api/", "/openreferral/"))


def render_error(status: int, message: str = "", field: str | None = None) -> tuple[object, int]:
    title = _TITLES.get(status, "Sorry, there is a problem")
    if _wants_json():
        detail = ErrorDetail(
            status=status, title=title, message=message or title, field=field or None
        )
        return ErrorResponse(error=detail).model_dump(mode="json", exclude_none=True), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _retry_after(exc: HTTPException) -> int:
    """Return seconds until a rate limit resets (Flask-Limiter's limit, else a minute)."""
    limit = getattr(getattr(exc, "limit", None), "limit", None)
    try:
        return max(1, int(limit.get_expiry()))  # type: ignore[union-attr]
    except Exception:
        return 60


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        message = exc.description if status in (400, 405, 413, 429) else ""
        body, status = render_error(status, message or "")
        response = app.make_response((body, status))  # type: ignore[arg-type]
        # Keep what the exception says about itself: Allow on 405, Retry-After on 429...
        for name, value in exc.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        if status == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(_retry_after(exc))
        return response

    @app.errorhandler(BrokerError)
    def _broker(exc: BrokerError):  # type: ignore[no-untyped-def]
        return render_error(exc.status, exc.message, getattr(exc, "field", None))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(500)
