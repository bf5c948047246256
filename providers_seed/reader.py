"""Read the seed data files. Pure file reading: no database, no Flask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read_json(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return json.load(f)


def load_local_authorities() -> list[dict[str, Any]]:
    """Return the seed LAs as {"code", "name", "region" (slug)}."""
    return list(_read_json("local_authorities.json"))


def load_schools() -> list[dict[str, Any]]:
    """Return the seed schools as {"urn", "name", "phase", "type", "la_code", "sen_specialisms", "support_category"}."""
    return list(_read_json("schools.json"))


def demo_password() -> str:
    """Return the one password every demo user shares."""
    return str(_read_json("users.json")["password"])


def load_users() -> list[dict[str, Any]]:
    """Return the demo users, each with the shared demo "password" filled in."""
    data = _read_json("users.json")
    return [{**user, "password": data["password"]} for user in data["users"]]


def directory_path() -> Path:
    """Return the path of the seed directory in the JSON Lines interchange format."""
    return DATA_DIR / "directory.jsonl"


def iter_directory(path: Path | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record) for each non-blank line of the directory file."""
    with (path or directory_path()).open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                yield number, json.loads(line)
