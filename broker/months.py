"""Whole calendar months: assurance lasts taxonomy.ASSURANCE_MONTHS of them, whoever dates it."""

from __future__ import annotations

import calendar
from datetime import datetime


def add_months(moment: datetime, months: int) -> datetime:
    """Return `moment` moved by whole calendar months (31 January + 1 month = 28/29 February)."""
    years, month0 = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + years, month0 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
