"""A migrated SQLite app holding the real seed directory and its index, loaded once per module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import close_app, make_app


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Flask]:
    """An app on its own copy of the migrated database, after `broker seed` and `broker index rebuild`."""
    tmp = tmp_path_factory.mktemp("seeded")
    shutil.copy(sqlite_template, tmp / "broker.sqlite")
    app = make_app(tmp, f"sqlite:///{tmp / 'broker.sqlite'}")
    runner = app.test_cli_runner()
    # The search engine a CLI command creates may hold `current_app`: keep one context open.
    with app.app_context():
        for args in (["seed"], ["index", "rebuild"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        yield app
    close_app(app)
