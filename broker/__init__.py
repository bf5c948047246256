"""The School Improvement e-Directory: a Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The application cannot start safely with the settings it was given."""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("BROKER_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/assets",
    )
    from broker import config

    app.config.from_mapping(config.load(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _secret_key(app)

    from broker import db, errors, security
    from broker.extensions import csrf, limiter

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    errors.register(app)

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


def _secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.config["SECRET_KEY_FILE"])
    if key_file.is_file():
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    elif app.config.get("TESTING") or app.debug:
        app.config["SECRET_KEY"] = os.urandom(32).hex()
    else:
        raise ConfigurationError(
            "BROKER_SECRET_KEY is not set. Set it to a long random value "
            f"(or write one to {key_file}); the service will not start with a known key."
        )
