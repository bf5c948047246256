"""Backends registry: each backend registers a factory under a name chosen by configuration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from index.backends.base import SearchBackend

_REGISTRY: dict[str, Callable[..., SearchBackend]] = {}


def register(name: str, factory: Callable[..., SearchBackend]) -> None:
    _REGISTRY[name] = factory


def create(name: str, **options: Any) -> SearchBackend:
    """Return a new backend called `name`, configured by `options`."""
    if name not in _REGISTRY:
        _load_builtin(name)
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ValueError(f"Unknown search backend {name!r}; known: {sorted(_REGISTRY)}") from None
    return factory(**options)


#: The backends that ship with the library, imported (and so registered) on first use.
BUILTIN = ("tantivy", "whoosh")


def _load_builtin(name: str) -> None:
    if name == "tantivy":
        import index.backends.tantivy  # noqa: F401  (registers itself)
    elif name == "whoosh":
        import index.backends.whoosh  # noqa: F401  (registers itself)
