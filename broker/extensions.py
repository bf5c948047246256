"""Unbound extension objects that create_app binds to the application."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
#: Bound by broker.auth.init_app (session protection "strong", server-side session records).
login_manager = LoginManager()
