"""Fixtures for the index layer: every backend the contract suite runs against, and documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from index.backends import create
from index.backends.base import SearchBackend
from index.documents import Document

#: Every backend the contract suite must pass: (name, options, persistent).
BACKENDS = {
    "tantivy-disk": ("tantivy", True),
    "tantivy-ram": ("tantivy", False),
    "whoosh-disk": ("whoosh", True),
    "whoosh-ram": ("whoosh", False),
}


class BackendMaker:
    """Make backends of one kind; on disk, every call opens the same index folder."""

    def __init__(self, kind: str, tmp_path: Path) -> None:
        self.kind = kind
        self.engine, self.persistent = BACKENDS[kind]
        self.path = tmp_path / "index"
        self.made: list[SearchBackend] = []

    def __call__(self, **options: Any) -> SearchBackend:
        path = self.path if self.persistent else None
        backend = create(self.engine, path=path, **options)
        self.made.append(backend)
        return backend

    def close(self) -> None:
        for backend in self.made:
            backend.close()


@pytest.fixture(params=sorted(BACKENDS))
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BackendMaker]:
    maker = BackendMaker(request.param, tmp_path)
    yield maker
    maker.close()


@pytest.fixture(params=sorted(k for k, (_, persistent) in BACKENDS.items() if persistent))
def make_persistent_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[BackendMaker]:
    """Backends whose index outlives the object and is shared by every object on one folder."""
    maker = BackendMaker(request.param, tmp_path)
    yield maker
    maker.close()


@pytest.fixture
def backend(make_backend: BackendMaker) -> SearchBackend:
    return make_backend()


def make_doc(id: int, title: str = "", **fields: Any) -> Document:
    """Return a Document with harmless defaults for everything not given."""
    values: dict[str, Any] = {
        "title": title or f"Listing {id}",
        "summary": "",
        "description": "",
        "provider_id": 1000 + id,
        "provider_name": "Provider",
    }
    values.update(fields)
    for key, value in list(values.items()):
        if isinstance(value, list):
            values[key] = tuple(value)
    return Document(id=id, **values)


@pytest.fixture
def doc() -> Callable[..., Document]:
    return make_doc


WHEN = datetime(2010, 1, 1)
