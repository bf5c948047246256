"""A small exception hierarchy, each class with its HTTP status, and the error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
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


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, message: str = "", field: str | None = None) -> tuple[object, int]:
    title = _TITLES.get(status, "Sorry, there is a problem")
    if _wants_json():
        error: dict[str, object] = {"status": status, "title": title, "message": message or title}
        if field:
            error["field"] = field
        return {"error": error}, status
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
