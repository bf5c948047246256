"""Unbound extension objects that create_app binds to the application."""

from __future__ import annotations

from flask_wtf import CSRFProtect

csrf = CSRFProtect()
