"""How many feedback words find related listings: the config's, else the backend's default."""

from __future__ import annotations

from pathlib import Path

import pytest

from broker.config import load
from broker.search.engine import feedback_words


@pytest.mark.parametrize(
    ("backend", "configured", "words"),
    [
        ("tantivy", None, 4),
        ("whoosh", None, 0),
        ("whoosh", 3, 3),
        ("tantivy", 0, 0),
        ("tantivy", -2, 0),
    ],
)
def test_the_backend_decides_unless_the_config_says(backend, configured, words) -> None:
    assert feedback_words(backend, {"SEARCH_FEEDBACK": configured}) == words


def test_the_environment_sets_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROKER_SEARCH_FEEDBACK", "6")
    assert load(str(tmp_path))["SEARCH_FEEDBACK"] == 6
    monkeypatch.setenv("BROKER_SEARCH_FEEDBACK", " ")
    assert load(str(tmp_path))["SEARCH_FEEDBACK"] is None
