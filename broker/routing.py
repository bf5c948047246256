"""Ids in URLs and forms. Database ids are PostgreSQL `integer`s (at most 2**31 - 1): a larger
number names no row, and must never reach SQL, where it is an error rather than "not found"."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: The largest id a row can have (PostgreSQL's integer; SQLite follows the same schema).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a whole number up to MAX_ID; a larger one matches no route (404).

    0 matches, and then finds nothing, as any id that names no row does.
    """

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=0, max=MAX_ID)


def parse_id(raw: str) -> int | None:
    """Return `raw` (ASCII digits, as forms and query strings send ids) as a number that can be
    looked up as an id (0 to MAX_ID; 0 finds nothing), or None when it cannot be one."""
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def init_app(app: Flask) -> None:
    """Let routes say `<id:...>` (before any blueprint is registered)."""
    app.url_map.converters["id"] = IdConverter
