"""CSV for spreadsheets: cells that cannot run as formulas (OWASP's "CSV injection" advice)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """Return a CSV cell a spreadsheet will not run as a formula (a leading quote defuses it)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: Iterable[Iterable[object]]) -> str:
    """Return rows as CSV text (CRLF line ends, every cell formula-safe)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def filename_part(text: str, fallback: str, limit: int = 40) -> str:
    """Return `text` reduced to letters, digits and single hyphens, for a download's file name."""
    out = "".join(ch.lower() if ch.isascii() and ch.isalnum() else "-" for ch in text)
    out = "-".join(part for part in out.split("-") if part)[:limit].strip("-")
    return out or fallback
