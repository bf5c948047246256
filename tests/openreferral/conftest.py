"""The demo directory loaded once per module, and validators built from the standard's own files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask

from tests.conftest import close_app, make_app

ORUK = Path(__file__).resolve().parent.parent / "data" / "oruk"


def load(relative: str) -> Any:
    return json.loads((ORUK / relative).read_text(encoding="utf-8"))


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one compiled schema of the standard, checking formats (uuid, email...)."""
    schema = load(f"schema/{name}.json")
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@cache
def page_validator() -> jsonschema.Draft202012Validator:
    page = load("schema/openapi.json")["components"]["schemas"]["Page"]
    strict = {**page, "required": sorted(page["properties"])}
    return jsonschema.Draft202012Validator(strict)


@cache
def term_validator() -> jsonschema.Draft202012Validator:
    """The standard's taxonomy_term, as service.json defines it inside an attribute."""
    attribute = load("schema/service.json")["properties"]["attributes"]["items"]
    return jsonschema.Draft202012Validator(
        attribute["properties"]["taxonomy_term"], format_checker=jsonschema.FormatChecker()
    )


def assert_valid(item: Any, schema: str) -> None:
    check = term_validator() if schema == "taxonomy_term" else validator(schema)
    errors = sorted(check.iter_errors(item), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def assert_page(body: Any, item_schema: str) -> None:
    errors = list(page_validator().iter_errors(body))
    assert not errors, [e.message for e in errors]
    assert body["size"] == len(body["contents"])
    for item in body["contents"]:
        assert_valid(item, item_schema)


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Flask]:
    """An app on its own copy of the migrated database, after `broker seed`."""
    tmp = tmp_path_factory.mktemp("oruk-seeded")
    shutil.copy(sqlite_template, tmp / "broker.sqlite")
    app = make_app(tmp, f"sqlite:///{tmp / 'broker.sqlite'}")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        yield app
    close_app(app)
