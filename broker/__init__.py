"""The School Improvement e-Directory: a Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The application cannot start safely with the settings it was given."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    from broker import config

    app = Flask(
        __name__,
        instance_path=config.instance_path(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/assets",
    )
    app.config.from_mapping(config.load(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _secret_key(app)

    from broker import db, errors, health, input_guard, logs, security

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

    from broker import templating
    from broker.search import engine as search_engine

    search_engine.init_app(app)

    templating.init_app(app)

    from broker.directory import views as directory

    app.register_blueprint(directory.bp)

    from broker.api import views as api

    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)
    from broker.hardcopy import views as hardcopy

    app.register_blueprint(hardcopy.bp)
    from broker.submissions import views as submissions

    app.register_blueprint(submissions.bp)

    from broker.brokerage import views as brokerage
    from broker.schools import views as schools
    from broker.visitpack import views as visitpack

    app.register_blueprint(schools.bp)
    app.register_blueprint(brokerage.bp)
    app.register_blueprint(visitpack.bp)

    from broker.assurance import views as assurance
    from broker.insight import views as insight
    from broker.recommendations import views as recommendations

    app.register_blueprint(assurance.bp)
    app.register_blueprint(recommendations.bp)
    app.register_blueprint(insight.bp)

    from broker import auth, mail

    auth.init_app(app)
    mail.init_app(app)

    from broker import cli

    cli.init_app(app)
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
