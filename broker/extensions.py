"""Unbound extension objects that create_app binds to the application."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
#: Bound by broker.auth.init_app (session protection "strong", server-side session records).
login_manager = LoginManager()
#: Bound by create_app; storage from RATELIMIT_STORAGE_URI (memory:// serves one process only).
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


#: Storage URI schemes that reach a server over the network (and so can time out or be down).
_NETWORK_STORAGE = ("redis", "rediss", "redis+unix", "valkey", "valkeys", "redis+sentinel")


def init_limiter(app: Flask) -> None:
    """Bind the limiter: shared storage when configured, this process's memory when it is down.

    With Redis unreachable (or slower than RATELIMIT_STORAGE_TIMEOUT) Flask-Limiter logs
    "Rate limit storage unreachable - falling back to in-memory storage", counts each process's
    requests in memory with the same limits, and tries Redis again after 1, 2, 4 ... 32 seconds
    ("Rate limit storage recovered"). Anything else the storage raises is logged, not shown.
    """
    config = app.config
    # Said for every app: the limiter is one object, and an app that switched it off (a test)
    # would otherwise leave it off for every app created after it in the same process.
    config.setdefault("RATELIMIT_ENABLED", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    scheme = str(config.get("RATELIMIT_STORAGE_URI", "memory://")).split(":", 1)[0].lower()
    if scheme in _NETWORK_STORAGE:
        timeout = float(config.get("RATELIMIT_STORAGE_TIMEOUT", 0.25))
        options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", options)
    limiter.init_app(app)
