"""Security headers on every response; nothing a signed-in user sees is kept by any cache."""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["HTTPS"] or request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", f"max-age={current_app.config['HSTS_SECONDS']}"
        )
    if "Cache-Control" not in response.headers and _signed_in():
        # Pages for a signed-in user carry their name and, often, a school's confidential
        # records: no browser or proxy may keep a copy (a shared school laptop, the back button).
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    return request.endpoint != "static" and "_user_id" in session


def init_app(app: Flask) -> None:
    app.after_request(_headers)
