"""Turn a Hardcopy into print HTML and an A4 PDF (WeasyPrint), with its own print stylesheet.

WeasyPrint ignores govuk-frontend's media queries, so the PDF has its own template and CSS
(STACK-NOTES trap 8). The template is self-contained: WeasyPrint is given the stylesheet as a
string and a URL fetcher that fetches nothing, so listing text can never make it load a file.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from threading import Lock
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup

from broker.hardcopy.services import Hardcopy, area_label

#: The print stylesheet, shared by the PDF and the web page's print media (package data).
PRINT_CSS = Path(__file__).resolve().parents[1] / "static" / "print.css"
#: Dates on paper are the reader's dates.
LONDON = ZoneInfo("Europe/London")
#: Renderings kept per process (each a few hundred kilobytes).
CACHE_SIZE = 8


def local_date(value: datetime) -> str:
    """Return a date the GOV.UK way in UK time: 4 June 2025."""
    moment = value.astimezone(LONDON)
    return f"{moment.day} {moment.strftime('%B %Y')}"


def _context(app: Flask, hardcopy: Hardcopy, site_url: str, *, pdf: bool) -> dict[str, Any]:
    site = site_url.rstrip("/")
    shown_site = site.removeprefix("https://").removeprefix("http://")
    return {
        "hc": hardcopy,
        "produced_on": local_date(hardcopy.produced_at),
        "previous_on": local_date(hardcopy.previous.produced_at) if hardcopy.previous else None,
        "site": site,
        "shown_site": shown_site,
        "local_date": local_date,
        "area_label": area_label,
        "service_name": app.config["SERVICE_NAME"],
        # WeasyPrint's time goes on styling and laying out elements, so the PDF has as few as
        # can be: lines broken by white-space: pre-line, no per-entry anchors or links.
        "pdf": pdf,
        "line_break": "\n" if pdf else Markup("<br>"),
    }


def render_html(app: Flask, hardcopy: Hardcopy, site_url: str = "") -> str:
    """Return the standalone print HTML of `hardcopy` (the PDF's source)."""
    template = app.jinja_env.get_template("hardcopy/print.html")
    return template.render(**_context(app, hardcopy, site_url, pdf=True))


def page_context(app: Flask, hardcopy: Hardcopy, site_url: str) -> dict[str, Any]:
    """Return the variables the web page's template needs."""
    return _context(app, hardcopy, site_url, pdf=False)


def _no_fetching() -> Any:
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """Refuse every external resource: the hardcopy needs none."""

        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            raise ValueError(f"The printed directory loads no external resources ({url[:60]}).")

    return NoFetching()


def to_pdf(html: str, css_path: Path = PRINT_CSS) -> bytes:
    """Lay out `html` on A4 pages and return the PDF."""
    import weasyprint

    # WeasyPrint logs every refused fetch and CSS nicety at WARNING; keep the app log readable.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = _no_fetching()
    stylesheet = weasyprint.CSS(string=css_path.read_text(), url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet]) or b""


class RenderCache:
    """The last few PDFs by fingerprint: the public download must not re-render for every click."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def cache_for(app: Flask) -> RenderCache:
    """Return the app's PDF cache, creating it on first use."""
    cache = app.extensions.get("broker.hardcopy_cache")
    if cache is None:
        cache = app.extensions["broker.hardcopy_cache"] = RenderCache()
    return cache
