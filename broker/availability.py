"""A provider's capacity as people read it: taking new work or not, and how much it can take on.

A provider says (broker.capacity) how many days it has available this term, or that it is not
taking new work until a date. Whether it is taking new work depends on the day, so nothing
stores a yes or no: the index keeps the moment it takes new work again (index.schema's
`not_taking_until`, compared with the moment of each search), and pages compare the date with
today. Dates are the provider's own, in England: a provider "not taking new work until 3 March
2027" takes it again from midnight, London time, on 3 March.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
#: Most days a provider may say it has available in one term (about 13 weeks of 5 days, with
#: room for a team's days together).
MAX_DAYS = 200
#: Furthest ahead a provider may say it takes new work again: further than that, it should
#: withdraw its listings instead (and its date never hides them for good if it forgets).
MAX_AHEAD = timedelta(days=366)


def today(now: datetime | None = None) -> date:
    """Return today's date in England (from `now`, a moment, when given)."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON).date()


def long_date(value: date) -> str:
    """Return a date the GOV.UK way: 3 March 2027."""
    return f"{value.day} {value:%B %Y}"


def moment_of(until: date | None) -> datetime | None:
    """Return when a provider "not taking new work until `until`" takes it again (UTC)."""
    if until is None:
        return None
    return datetime.combine(until, time(0), tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class Capacity:
    """What a provider last said of its capacity."""

    #: Days available this term (None: not said).
    days: int | None = None
    #: The date from which it takes new work again (None: it does now).
    until: date | None = None
    updated_at: datetime | None = None

    @property
    def said(self) -> bool:
        """Say whether the provider has said anything of its capacity."""
        return self.days is not None or self.until is not None

    def taking(self, on: date) -> bool:
        """Say whether the provider takes new work on day `on` (yes, unless it said otherwise)."""
        return self.until is None or self.until <= on

    def describe(self, on: date) -> str:
        """Return the capacity in words as of day `on` ("" when there is nothing to say).

        "Not taking new work until 3 March 2027", "12 days available this term", or "Taking new
        work" once the date has passed or when the provider said yes without a number of days.
        """
        if not self.taking(on):
            assert self.until is not None
            return f"Not taking new work until {long_date(self.until)}"
        if self.until is not None:
            return "Taking new work"
        if self.days is not None:
            return f"{self.days} {'day' if self.days == 1 else 'days'} available this term"
        return ""


def of(provider: Any) -> Capacity:
    """Return the capacity of a Provider row (reads capacity_days, not_taking_until and
    capacity_updated_at)."""
    return Capacity(
        days=getattr(provider, "capacity_days", None),
        until=getattr(provider, "not_taking_until", None),
        updated_at=getattr(provider, "capacity_updated_at", None),
    )


def from_stored(fields: Mapping[str, Any]) -> Capacity:
    """Return the capacity a search hit carries (index.schema's stored not_taking_until, an ISO
    moment, and capacity_days)."""
    raw = fields.get("not_taking_until")
    until = None
    if isinstance(raw, str) and raw:
        try:
            until = today(datetime.fromisoformat(raw))
        except ValueError:
            until = None
    days = fields.get("capacity_days")
    return Capacity(days=int(days) if isinstance(days, int) else None, until=until)
