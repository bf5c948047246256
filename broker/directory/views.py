"""The public directory: home page, assured listings, listing details."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("directory", __name__)


@bp.get("/")
def home() -> str:
    return render_template("directory/home.html")
