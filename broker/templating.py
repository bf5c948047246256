"""Jinja set-up: the GOV.UK Frontend macros and the taxonomy available in every template."""

from __future__ import annotations

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from broker import navigation, taxonomy


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,  # type: ignore[list-item]
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {
            "taxonomy": taxonomy,
            "service_name": app.config["SERVICE_NAME"],
            "navigation_items": lambda: navigation.items_for_user(app),
        }
