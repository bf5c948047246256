"""Every setting, with a safe default, read from BROKER_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load(instance_path: str) -> dict[str, Any]:
    """Return the settings for an app whose instance folder is `instance_path`."""
    env = os.environ
    instance = Path(instance_path)
    return {
        # SQLite file in the instance folder unless a database URL is given.
        "DATABASE_URL": env.get("BROKER_DATABASE_URL", f"sqlite:///{instance / 'broker.sqlite'}"),
        # The on-disk search index; the application alone may write here (Whoosh stores pickles).
        "INDEX_DIR": env.get("BROKER_INDEX_DIR", str(instance / "index")),
        # Which search backend answers queries (index/backends registry).
        "SEARCH_BACKEND": env.get("BROKER_SEARCH_BACKEND", "whoosh"),
        # Required outside debug/testing: create_app refuses to start without it.
        "SECRET_KEY": env.get("BROKER_SECRET_KEY"),
        # Where `make run` keeps a generated key for local use.
        "SECRET_KEY_FILE": env.get("BROKER_SECRET_KEY_FILE", str(instance / "secret_key")),
        # The service name shown in the header and page titles.
        "SERVICE_NAME": env.get("BROKER_SERVICE_NAME", "School Improvement e-Directory"),
        # Listings per page on the directory pages.
        "PAGE_SIZE": int(env.get("BROKER_PAGE_SIZE", "20")),
        # Rate limiter storage shared by all processes (memory:// only for one process).
        "RATELIMIT_STORAGE_URI": env.get("BROKER_RATELIMIT_STORAGE_URI", "memory://"),
        # Cookies only over HTTPS; off for local http://127.0.0.1 development.
        "SESSION_COOKIE_SECURE": _bool(env.get("BROKER_SECURE_COOKIES", "false")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Seconds a browser may cache /assets files.
        "SEND_FILE_MAX_AGE_DEFAULT": int(env.get("BROKER_ASSET_MAX_AGE", "3600")),
    }
