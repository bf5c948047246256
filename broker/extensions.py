"""Unbound extension objects that create_app binds to the application."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
#: Bound by broker.auth.init_app (session protection "strong", server-side session records).
login_manager = LoginManager()
#: Bound by create_app; storage from RATELIMIT_STORAGE_URI (memory:// serves one process only).
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
