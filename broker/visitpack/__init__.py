"""Visit packs: a school's priorities, shortlists and suggestions for print and PDF.

The pack's print stylesheet and its private-response headers are shared with the school's other
confidential print document, the support plan (broker.supportplan): one look on paper.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app

#: The pack's print stylesheet: the PDF's only styles, and the web page's print media.
PRINT_CSS = Path(__file__).resolve().parent / "static" / "visit-pack.css"

#: Laying out a PDF costs CPU: one signed-in client may not queue many (per route).
DEFAULT_PDF_RATE_LIMIT = "20 per minute"


def pdf_rate_limit() -> str:
    """Return the rate limit of the school's PDFs (BROKER_VISIT_PACK_RATE_LIMIT)."""
    return str(current_app.config.get("VISIT_PACK_RATE_LIMIT") or DEFAULT_PDF_RATE_LIMIT)


def private(response: Response) -> Response:
    """Mark a confidential page or PDF so that no shared cache keeps it."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Register the visit pack's page, PDF and stylesheet."""
    from broker.visitpack import views

    app.register_blueprint(views.bp)
