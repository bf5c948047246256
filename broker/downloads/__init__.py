"""Taking work away: a search's results and a priority's shortlist as CSV, the shortlist printable."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the download pages."""
    from broker.downloads import views

    app.register_blueprint(views.bp)
