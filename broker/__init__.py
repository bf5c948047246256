"""The School Improvement e-Directory: a Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


class ConfigurationError(RuntimeError):
    """The application cannot start safely with the settings it was given."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    from broker import config
    from broker.jsonout import OrjsonProvider

    # Templates and static files are package data (broker/templates, broker/static), found
    # relative to the package, so a wheel serves the same pages as a checkout.
    app = Flask(
        __name__,
        instance_path=config.instance_path(),
        instance_relative_config=True,
        static_url_path="/assets",
    )
    app.json = OrjsonProvider(app)
    app.config.from_mapping(config.load(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _secret_key(app)

    from broker import db, errors, health, input_guard, logs, routing, security

    routing.init_app(app)

    # First: every request gets its id, then its input is checked, before any other hook.
    logs.init_app(app)
    input_guard.init_app(app)
    if app.config["TRUSTED_PROXIES"] > 0:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    from broker.extensions import csrf, init_limiter

    db.init_app(app)
    csrf.init_app(app)
    init_limiter(app)
    security.init_app(app)
    errors.register(app)
    health.init_app(app)

    from broker import (
        api,
        assurance,
        auth,
        backup,
        brokerage,
        capacity,
        comparison,
        directory,
        downloads,
        feedback,
        hardcopy,
        insight,
        interchange,
        interests,
        lifecycle,
        mail,
        migrate,
        offline,
        openreferral,
        recommendations,
        savedsearches,
        schools,
        search,
        seeding,
        submissions,
        supportplan,
        templating,
        visitpack,
    )

    # Each feature registers its own blueprints and commands (`broker --help` lists them).
    search.init_app(app)
    lifecycle.init_app(app)
    templating.init_app(app)
    directory.init_app(app)
    comparison.init_app(app)
    downloads.init_app(app)
    savedsearches.init_app(app)
    api.init_app(app)
    hardcopy.init_app(app)
    submissions.init_app(app)
    schools.init_app(app)
    brokerage.init_app(app)
    visitpack.init_app(app)
    supportplan.init_app(app)
    offline.init_app(app)
    assurance.init_app(app)
    interests.init_app(app)
    capacity.init_app(app)
    feedback.init_app(app)
    recommendations.init_app(app)
    insight.init_app(app)
    auth.init_app(app)
    mail.init_app(app)
    migrate.init_app(app)
    interchange.init_app(app)
    openreferral.init_app(app)
    seeding.init_app(app)
    backup.init_app(app)
    return app


#: Shorter secret keys are refused outside tests: they can be guessed, and sessions forged.
MIN_SECRET_KEY_LENGTH = 32


def _secret_key(app: Flask) -> None:
    key, source = app.config.get("SECRET_KEY"), "BROKER_SECRET_KEY"
    if not key:
        key_file = Path(app.config["SECRET_KEY_FILE"])
        if key_file.is_file():
            key, source = key_file.read_text().strip(), str(key_file)
        elif app.config.get("TESTING") or app.debug:
            key = os.urandom(32).hex()
        else:
            raise ConfigurationError(
                "BROKER_SECRET_KEY is not set. Set it to a long random value "
                f"(or write one to {key_file}); the service will not start with a known key."
            )
    if not key:
        raise ConfigurationError(
            f"The secret key in {source} is empty: write a long random value there "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if len(key) < MIN_SECRET_KEY_LENGTH and not app.config.get("TESTING"):
        raise ConfigurationError(
            f"The secret key in {source} is too short ({len(key)} characters): use at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    app.config["SECRET_KEY"] = key
