"""Open Referral UK (HSDS 3.0 UK profile): the public directory as a standard feed, and feeds in.

See the README's "Open Referral UK" section for the mapping.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the read-only feed, and the openreferral format of `broker import/export`."""
    from broker.extensions import csrf
    from broker.openreferral import cli, views

    app.register_blueprint(views.bp)
    csrf.exempt(views.bp)
    app.extensions.setdefault("broker.interchange.formats", {})["openreferral"] = cli.FORMAT
    # The feed's endpoints in the project's OpenAPI document (/api/v1/openapi.json).
    app.extensions.setdefault("broker.api.openapi_paths", []).append(openapi_paths)


def openapi_paths() -> dict[str, object]:
    """Return the OpenAPI `paths` entries of the feed, to merge into /api/v1/openapi.json."""
    from broker.openreferral.openapi import paths

    return paths()
