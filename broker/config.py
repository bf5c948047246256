"""Every setting, with a safe default, read from BROKER_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask.sansio.scaffold import find_package


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional_bool(value: str | None) -> bool | None:
    return _bool(value) if value and value.strip() else None


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.strip() else None


def instance_path() -> str:
    """Return the instance folder: BROKER_INSTANCE_PATH, else Flask's default for the package.

    That is ./instance beside the package in a checkout, and <prefix>/var/broker-instance when
    installed (a wheel in a virtual environment), never a folder inside site-packages.
    """
    explicit = os.environ.get("BROKER_INSTANCE_PATH")
    if explicit:
        return explicit
    prefix, package_path = find_package("broker")
    if prefix is None:
        return os.path.join(package_path, "instance")
    return os.path.join(prefix, "var", "broker-instance")


def load(instance_path: str) -> dict[str, Any]:
    """Return the settings for an app whose instance folder is `instance_path`."""
    env = os.environ
    instance = Path(instance_path)
    base_url = (env.get("BROKER_BASE_URL") or "").rstrip("/") or None
    https = _bool(env.get("BROKER_HTTPS", str(bool(base_url and base_url.startswith("https:")))))
    return {
        # SQLite file in the instance folder unless a database URL is given.
        "DATABASE_URL": env.get("BROKER_DATABASE_URL", f"sqlite:///{instance / 'broker.sqlite'}"),
        # The on-disk search index; the application alone may write here.
        "INDEX_DIR": env.get("BROKER_INDEX_DIR", str(instance / "index")),
        # Which search backend answers queries (index/backends registry).
        # tantivy (fast, the default) or whoosh (pure Python, LA-sized directories).
        "SEARCH_BACKEND": env.get("BROKER_SEARCH_BACKEND", "tantivy"),
        # Words the best few results share that also find related listings in a directory
        # search (pseudo-relevance feedback: a second engine search each time); 0: only
        # listings with the searched words are found. Unset: 4 on tantivy, 0 on Whoosh (whose
        # second search, scored in Python, took a 10,000-listing search's p95 to 2 s).
        "SEARCH_FEEDBACK": _optional_int(env.get("BROKER_SEARCH_FEEDBACK")),
        # The matcher re-ranks its suggestions by meaning as well as words (a sentence model,
        # all-MiniLM-L6-v2, run in numpy: index/semantic.py); false: by words alone.
        "MATCH_MEANING": _bool(env.get("BROKER_MATCH_MEANING", "true")),
        # A directory search also finds listings close in meaning to the words (the same
        # model), and orders its best results by words and meaning together; false: words.
        # Unset: on with tantivy, off with Whoosh (two more searches, scored in Python).
        "SEARCH_MEANING": _optional_bool(env.get("BROKER_SEARCH_MEANING")),
        # A folder holding the model's files as Hugging Face publishes them (model.safetensors,
        # config.json, tokenizer.json); unset: the copy installed with the package.
        "MATCH_MODEL_DIR": env.get("BROKER_MATCH_MODEL_DIR") or None,
        # PostgreSQL: each server process LISTENs for change-log notifications and applies
        # them at once, so every machine's index follows within moments (SQLite: not used).
        "INDEX_LISTEN": _bool(env.get("BROKER_INDEX_LISTEN", "true")),
        # Seconds between looks at the change log when no notification came (the fallback).
        "INDEX_POLL_SECONDS": float(env.get("BROKER_INDEX_POLL_SECONDS", "30")),
        # Required outside debug/testing: create_app refuses to start without it.
        "SECRET_KEY": env.get("BROKER_SECRET_KEY"),
        # Where `make run` keeps a generated key for local use.
        "SECRET_KEY_FILE": env.get("BROKER_SECRET_KEY_FILE", str(instance / "secret_key")),
        # The service name shown in the header and page titles.
        "SERVICE_NAME": env.get("BROKER_SERVICE_NAME", "School Improvement e-Directory"),
        # Listings per page on the directory pages.
        "PAGE_SIZE": int(env.get("BROKER_PAGE_SIZE", "20")),
        # Rate limiter storage shared by all processes (memory:// only for one process;
        # redis://host:6379 for several processes or machines).
        "RATELIMIT_STORAGE_URI": env.get("BROKER_RATELIMIT_STORAGE_URI", "memory://"),
        # Seconds to wait for Redis before counting in this process's memory instead (an outage
        # then means limits per process, with a warning in the log, never an error page).
        "RATELIMIT_STORAGE_TIMEOUT": float(env.get("BROKER_RATELIMIT_STORAGE_TIMEOUT", "0.25")),
        # Prefix of the limiter's keys, so services sharing one Redis never share counters.
        "RATELIMIT_KEY_PREFIX": env.get("BROKER_RATELIMIT_KEY_PREFIX", "broker"),
        # Requests one client may make to POST /api/v1/match (Flask-Limiter syntax).
        "MATCH_RATE_LIMIT": env.get("BROKER_MATCH_RATE_LIMIT", "60 per minute"),
        # Printed-directory PDFs cost seconds of CPU each: a per-client limit.
        "HARDCOPY_RATE_LIMIT": env.get("BROKER_HARDCOPY_RATE_LIMIT", "10 per minute"),
        # Visit-pack PDFs likewise, per client.
        "VISIT_PACK_RATE_LIMIT": env.get("BROKER_VISIT_PACK_RATE_LIMIT", "20 per minute"),
        # Per client: one download of a search's results runs up to ten searches (1,000 rows).
        "SEARCH_CSV_RATE_LIMIT": env.get("BROKER_SEARCH_CSV_RATE_LIMIT", "30 per minute"),
        # Served over HTTPS: Secure cookies and HSTS (on by default when the base URL is https).
        "HTTPS": https,
        # Cookies only over HTTPS; follows BROKER_HTTPS unless set on its own.
        "SESSION_COOKIE_SECURE": _bool(env.get("BROKER_SECURE_COOKIES", str(https))),
        # Seconds browsers must keep to HTTPS once told (Strict-Transport-Security max-age).
        "HSTS_SECONDS": int(env.get("BROKER_HSTS_SECONDS", "31536000")),
        # Proxies in front of the app (hops) whose X-Forwarded-For/-Proto are believed; 0: none.
        "TRUSTED_PROXIES": int(env.get("BROKER_TRUSTED_PROXIES", "0")),
        # The largest request body read, in bytes (larger ones get 413 without being read).
        "MAX_CONTENT_LENGTH": int(env.get("BROKER_MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # "text" (one line, with the request id) or "json" (JSON lines for a log collector).
        "LOG_FORMAT": env.get("BROKER_LOG_FORMAT", "text").strip().lower(),
        # The application's log level; INFO shows development email and each request's id.
        "LOG_LEVEL": env.get("BROKER_LOG_LEVEL", "INFO").strip().upper(),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # --- accounts and email (issue 4) ---
        # The public address emailed links start with (e.g. https://directory.example.gov.uk);
        # set it in production so a forged Host header can never shape a reset link.
        "BASE_URL": base_url,
        # "smtp" or "log"; unset means SMTP when BROKER_SMTP_HOST is set, else the app log.
        "MAIL_BACKEND": env.get("BROKER_MAIL_BACKEND") or None,
        "SMTP_HOST": env.get("BROKER_SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("BROKER_SMTP_PORT", "587")),
        "SMTP_USERNAME": env.get("BROKER_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("BROKER_SMTP_PASSWORD") or None,
        # STARTTLS before login: on unless the server is on a trusted local link.
        "SMTP_STARTTLS": _bool(env.get("BROKER_SMTP_STARTTLS", "true")),
        "SMTP_TIMEOUT": float(env.get("BROKER_SMTP_TIMEOUT", "10")),
        "MAIL_FROM": env.get(
            "BROKER_SMTP_FROM", "School Improvement e-Directory <no-reply@localhost>"
        ),
        # `broker mail send` gives up on a message after this many attempts.
        "MAIL_MAX_ATTEMPTS": int(env.get("BROKER_MAIL_MAX_ATTEMPTS", "10")),
        # Each `broker serve` worker retries unsent mail this often (seconds; 0: only by command).
        "MAIL_RETRY_SECONDS": int(env.get("BROKER_MAIL_RETRY_SECONDS", "60")),
        # Each served process records lapsed assurances this often (seconds; 0: only by the
        # `broker assurance lapse` command). Lapsed listings are hidden at once either way.
        "LAPSE_INTERVAL_SECONDS": float(env.get("BROKER_LAPSE_INTERVAL_SECONDS", "900")),
        # Sessions end after this many idle minutes, and this many hours after sign-in.
        "SESSION_IDLE_MINUTES": int(env.get("BROKER_SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_HOURS": int(env.get("BROKER_SESSION_ABSOLUTE_HOURS", "12")),
        # Failed sign-ins allowed in the window: one account from one client address,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS": int(
            env.get("BROKER_LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS", "5")
        ),
        # one account from anywhere (above the first, so one client alone cannot lock a user out),
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(
            env.get("BROKER_LOGIN_MAX_FAILURES_PER_ACCOUNT", "10")
        ),
        # and one client address over every account (much higher: a school or council shares one).
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(
            env.get("BROKER_LOGIN_MAX_FAILURES_PER_ADDRESS", "100")
        ),
        "LOGIN_FAILURE_WINDOW_MINUTES": int(env.get("BROKER_LOGIN_FAILURE_WINDOW_MINUTES", "15")),
        # Lifetimes of emailed one-time links.
        "INVITATION_DAYS": int(env.get("BROKER_INVITATION_DAYS", "7")),
        "PASSWORD_RESET_MINUTES": int(env.get("BROKER_PASSWORD_RESET_MINUTES", "60")),
        "EMAIL_CONFIRMATION_DAYS": int(env.get("BROKER_EMAIL_CONFIRMATION_DAYS", "2")),
        # Seconds a browser may cache /assets files.
        "SEND_FILE_MAX_AGE_DEFAULT": int(env.get("BROKER_ASSET_MAX_AGE", "3600")),
    }


def server(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the production server's settings (`broker serve`: gunicorn) from BROKER_* variables."""
    env = os.environ if env is None else env
    cores = os.cpu_count() or 1
    return {
        # Address and port gunicorn listens on (host:port, or unix:/path/to.sock).
        "BIND": env.get("BROKER_BIND", "127.0.0.1:8000"),
        # Worker processes: each has its own database pool and open index searcher.
        "WORKERS": int(env.get("BROKER_WORKERS", str(max(2, 2 * cores)))),
        # Threads per worker: requests mostly wait on the database and the index.
        "THREADS": int(env.get("BROKER_THREADS", "4")),
        # A worker silent this many seconds is killed and replaced (PDFs take a few seconds).
        "TIMEOUT": int(env.get("BROKER_TIMEOUT", "60")),
        # Seconds a worker has to finish its requests on restart or shutdown.
        "GRACEFUL_TIMEOUT": int(env.get("BROKER_GRACEFUL_TIMEOUT", "30")),
        # Seconds an idle keep-alive connection is held (a proxy in front keeps its own).
        "KEEPALIVE": int(env.get("BROKER_KEEPALIVE", "5")),
    }
