"""How the LA's brokered work is spread between providers, and by which SIPs, over a period.

"Brokered" means a school agreed to the support: a brokerage agreed, engaged, completed or
evaluated whose agreement falls in the period (a declined one never counts, even if it was agreed
first). "Shortlisted" means a SIP put a listing on a school's shortlist in the period, whatever
became of it. Only the LA's own schools count, whoever the SIP is.

A SIP is flagged when most of what they brokered in the period went to one provider (see
CONCENTRATION_MIN and CONCENTRATION_PERCENT), with a mark where they have, or had, a registered
interest in that provider. A flag is a prompt to look, not a finding: a SIP may rightly send
most work to the one provider that offers what their schools need.

Days are UK days (Europe/London): work agreed at 00:30 on 1 September, British Summer Time,
counts on 1 September. Every figure comes from a few grouped queries, whatever the number of
providers or SIPs.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.errors import InvalidInput
from broker.insight.services import AcademicYear, bar_width, chart_scale
from broker.interests import services as interests
from broker.models import Brokerage, Interest, LocalAuthority, Provider, School, User, utcnow
from broker.spreadsheet import filename_part, to_csv

#: The states of work a school agreed to (broker.taxonomy.BROKERAGE_STATES, less the others).
BROKERED_STATES = ("agreed", "engaged", "completed", "evaluated")

#: A SIP is flagged only once they brokered at least this many pieces of work in the period:
#: with fewer, one provider taking most of them says little.
CONCENTRATION_MIN = 4
#: ... and when more than this percentage of them went to one provider ("most of their
#: brokering", as the LA asked): 3 of 4, 3 of 5 or 4 of 7 are flagged; 2 of 4 is not.
CONCENTRATION_PERCENT = 50

#: The provider chart shows this many providers (most brokered first); the table shows all.
CHART_PROVIDERS = 15

#: The earliest and latest years a period may be in (a typo like 0224 or 20255 is caught).
FIRST_YEAR = 2000
LAST_YEAR = 2100

LONDON = ZoneInfo("Europe/London")

#: The ways of choosing a period: value -> words on the form.
PERIODS: dict[str, str] = {
    "this-term": "This term",
    "this-year": "This school year",
    "last-12-months": "The last 12 months",
    "custom": "Dates you choose",
}
DEFAULT_PERIOD = "this-year"

#: Terms by fixed dates (Easter moves, so the spring term here ends with March every year):
#: (name, first (month, day), last (month, day)).
TERMS = (
    ("Autumn term", (9, 1), (12, 31)),
    ("Spring term", (1, 1), (3, 31)),
    ("Summer term", (4, 1), (8, 31)),
)


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A run of whole days, first to last, both included."""

    first_day: date
    last_day: date
    #: What it is called: "This school year (2024 to 2025)", "1 March 2025 to 4 April 2025".
    name: str
    #: How it was chosen (one of PERIODS).
    choice: str = "custom"

    @property
    def dates(self) -> str:
        return f"{_day(self.first_day)} to {_day(self.last_day)}"

    def bounds(self) -> tuple[datetime, datetime]:
        """Return the period's start and end as UTC moments: [first day 00:00, day after 00:00)."""

        def midnight(d: date) -> datetime:
            return datetime.combine(d, time(0), LONDON).astimezone(UTC)

        return midnight(self.first_day), midnight(self.last_day + timedelta(days=1))


def term_of(day: date) -> Period:
    """Return the term `day` falls in (TERMS)."""
    for name, (m1, d1), (m2, d2) in TERMS:
        first, last = date(day.year, m1, d1), date(day.year, m2, d2)
        if first <= day <= last:
            return Period(first, last, f"This term ({name.lower()} {day.year})", "this-term")
    raise AssertionError("TERMS cover the whole year")  # pragma: no cover


def _year_ago(day: date) -> date:
    """Return the same day a year earlier (28 February for 29 February)."""
    last = calendar.monthrange(day.year - 1, day.month)[1]
    return day.replace(year=day.year - 1, day=min(day.day, last))


def period_for(
    choice: str | None, start: date | None, end: date | None, today: date | None = None
) -> Period:
    """Return the period chosen; raise InvalidInput naming the field to correct.

    `choice` is one of PERIODS (None or empty: the dates if any were given, else this school year).
    `start` and `end` count only for "custom".
    """
    today = today or datetime.now(LONDON).date()
    choice = (choice or "").strip() or ("custom" if start or end else DEFAULT_PERIOD)
    if choice == "this-term":
        return term_of(today)
    if choice == "this-year":
        year = AcademicYear.of(today)
        return Period(
            year.first_day, year.last_day, f"This school year ({year.label})", "this-year"
        )
    if choice == "last-12-months":
        return Period(
            _year_ago(today) + timedelta(days=1), today, "The last 12 months", "last-12-months"
        )
    if choice != "custom":
        raise InvalidInput("period", "Select the period to show")
    if start is None:
        raise InvalidInput("start", "Enter the first day of the period")
    if end is None:
        raise InvalidInput("end", "Enter the last day of the period")
    for name, value, what in (("start", start, "first"), ("end", end, "last")):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise InvalidInput(
                name, f"The {what} day must be a date between {FIRST_YEAR} and {LAST_YEAR}"
            )
    if end < start:
        raise InvalidInput("end", "The last day must be the same as or after the first day")
    return Period(start, end, f"{_day(start)} to {_day(end)}")


# --- the figures --------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def concentrated(count: int, total: int) -> bool:
    """Say whether `count` of a SIP's `total` brokered pieces of work to one provider is a flag."""
    return total >= CONCENTRATION_MIN and count * 100 > CONCENTRATION_PERCENT * total


@dataclass(frozen=True)
class SipShare:
    """One SIP's brokering to one provider."""

    user_id: int | None
    name: str
    brokered: int
    shortlisted: int
    #: The SIP has an interest in this provider in the register that counted during the period.
    interest: bool


@dataclass(frozen=True)
class ProviderRow:
    """One provider: what was brokered to it in the period, for how many schools and priorities."""

    provider_id: int
    name: str
    brokered: int
    schools: int
    priorities: int
    shortlisted: int
    #: Its share of the LA's brokered work, and of the LA's shortlisting (whole percentages).
    share: int
    shortlisted_share: int
    #: The SIPs who brokered (or shortlisted) it, most brokered first.
    sips: list[SipShare]


@dataclass(frozen=True)
class SipRow:
    """One SIP: what they brokered in the period and the provider with their largest share."""

    user_id: int | None
    name: str
    brokered: int
    shortlisted: int
    #: Brokered pieces of work where the SIP declared an interest when shortlisting.
    declared: int
    providers: int
    #: The provider with their largest share (None when they brokered nothing).
    top_provider: str | None
    top_count: int
    top_share: int
    #: The SIP has a registered interest in that provider that counted during the period.
    interest: bool
    flagged: bool


@dataclass(frozen=True)
class Spread:
    """How one LA's brokered work was spread over one period."""

    la: LocalAuthority
    period: Period
    brokered: int
    schools: int
    priorities: int
    shortlisted: int
    providers: list[ProviderRow]
    sips: list[SipRow]
    produced_at: datetime
    provider_scale: int = field(default=10)

    @property
    def charted(self) -> list[ProviderRow]:
        return self.providers[:CHART_PROVIDERS]

    @property
    def flagged(self) -> list[SipRow]:
        return [s for s in self.sips if s.flagged]

    def width(self, share: int | None) -> int:
        """Return a provider bar's length as a whole percentage of the chart's width."""
        return bar_width(share, self.provider_scale)

    @staticmethod
    def sip_width(share: int | None) -> int:
        """Return a SIP's bar length: their share to one provider, on a scale of 0 to 100%."""
        return bar_width(share, 100)


def _conditions(period: Period) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    start, end = period.bounds()
    brokered = sa.and_(
        col(Brokerage.state).in_(BROKERED_STATES),
        col(Brokerage.agreed_at) >= start,
        col(Brokerage.agreed_at) < end,
    )
    shortlisted = sa.and_(col(Brokerage.suggested_at) >= start, col(Brokerage.suggested_at) < end)
    return brokered, shortlisted


def _count_if(condition: sa.ColumnElement[bool], value: Any = None) -> Any:
    """COUNT of the rows (or DISTINCT values) meeting `condition`: one pass, both databases."""
    if value is None:
        return sa.func.count(sa.case((condition, col(Brokerage.id))))
    return sa.func.count(sa.distinct(sa.case((condition, value))))


def _interests(
    session: Session, pairs: Iterable[tuple[int | None, int]], period: Period
) -> set[tuple[int, int]]:
    """Return the (user, provider) pairs with an interest that counted on some day of the period."""
    users = sorted({u for u, _ in pairs if u is not None})
    if not users:
        return set()
    rows = session.exec(
        select(Interest.user_id, Interest.provider_id).where(
            col(Interest.user_id).in_(users),
            col(Interest.removed_at).is_(None),
            col(Interest.started_on) <= period.last_day,
            sa.or_(
                col(Interest.ended_on).is_(None),
                col(Interest.ended_on) >= interests.counts_from(period.first_day),
            ),
        )
    ).all()
    return {(int(u), int(p)) for u, p in rows}


def spread(session: Session, la: LocalAuthority, period: Period) -> Spread:
    """Work out how the LA's brokered work was spread over `period` (four queries, whatever the size)."""
    brokered, shortlisted = _conditions(period)
    in_la = (col(School.la_id) == la.id, sa.or_(brokered, shortlisted))

    totals = session.exec(
        select(
            _count_if(brokered),
            _count_if(brokered, col(Brokerage.school_id)),
            _count_if(brokered, col(Brokerage.priority_id)),
            _count_if(shortlisted),
        )
        .select_from(Brokerage)
        .join(School, col(School.id) == col(Brokerage.school_id))
        .where(*in_la)
    ).one()
    total, schools, priorities, total_shortlisted = (int(n or 0) for n in totals)

    # Six columns: past sqlmodel.select's typed overloads, so SQLAlchemy's own select.
    by_provider = session.execute(
        sa.select(
            col(Brokerage.provider_id),
            col(Provider.name),
            _count_if(brokered),
            _count_if(brokered, col(Brokerage.school_id)),
            _count_if(brokered, col(Brokerage.priority_id)),
            _count_if(shortlisted),
        )
        .join(School, col(School.id) == col(Brokerage.school_id))
        .join(Provider, col(Provider.id) == col(Brokerage.provider_id))
        .where(*in_la)
        .group_by(col(Brokerage.provider_id), col(Provider.name))
    ).all()

    declared = sa.and_(
        brokered,
        col(Brokerage.interest_declared).is_not(None),
        col(Brokerage.interest_declared) != "",
    )
    by_pair = session.execute(
        sa.select(
            col(Brokerage.shortlisted_by_id),
            col(User.name),
            col(Brokerage.provider_id),
            _count_if(brokered),
            _count_if(shortlisted),
            _count_if(declared),
        )
        .join(School, col(School.id) == col(Brokerage.school_id))
        .outerjoin(User, col(User.id) == col(Brokerage.shortlisted_by_id))
        .where(*in_la)
        .group_by(col(Brokerage.shortlisted_by_id), col(User.name), col(Brokerage.provider_id))
    ).all()

    registered = _interests(session, [(u, int(p)) for u, _, p, *_ in by_pair], period)
    names = {int(p): str(n) for p, n, *_ in by_provider}

    shares: dict[int, list[SipShare]] = {}
    per_sip: dict[int | None, list[tuple[int, int, int, int]]] = {}
    sip_names: dict[int | None, str] = {}
    for user_id, user_name, provider_id, n_brokered, n_shortlisted, n_declared in by_pair:
        pid = int(provider_id)
        uid = None if user_id is None else int(user_id)
        name = str(user_name) if user_name else "Not recorded"
        sip_names[uid] = name
        share = SipShare(
            uid,
            name,
            int(n_brokered or 0),
            int(n_shortlisted or 0),
            uid is not None and (uid, pid) in registered,
        )
        shares.setdefault(pid, []).append(share)
        per_sip.setdefault(uid, []).append(
            (pid, share.brokered, share.shortlisted, int(n_declared or 0))
        )

    providers = [
        ProviderRow(
            provider_id=int(pid),
            name=str(name),
            brokered=int(n or 0),
            schools=int(n_schools or 0),
            priorities=int(n_priorities or 0),
            shortlisted=int(n_shortlisted or 0),
            share=_percent(int(n or 0), total),
            shortlisted_share=_percent(int(n_shortlisted or 0), total_shortlisted),
            sips=sorted(
                shares.get(int(pid), []), key=lambda s: (-s.brokered, -s.shortlisted, s.name)
            ),
        )
        for pid, name, n, n_schools, n_priorities, n_shortlisted in by_provider
    ]
    providers.sort(key=lambda p: (-p.brokered, -p.shortlisted, p.name.casefold(), p.provider_id))

    sips = []
    for uid, rows in per_sip.items():
        sip_total = sum(r[1] for r in rows)
        top = min(rows, key=lambda r: (-r[1], names[r[0]].casefold(), r[0]))
        has_top = top[1] > 0
        sips.append(
            SipRow(
                user_id=uid,
                name=sip_names[uid],
                brokered=sip_total,
                shortlisted=sum(r[2] for r in rows),
                declared=sum(r[3] for r in rows),
                providers=sum(1 for r in rows if r[1] > 0),
                top_provider=names[top[0]] if has_top else None,
                top_count=top[1],
                top_share=_percent(top[1], sip_total),
                interest=has_top and uid is not None and (uid, top[0]) in registered,
                flagged=concentrated(top[1], sip_total),
            )
        )
    sips.sort(key=lambda s: (not s.flagged, -s.brokered, -s.shortlisted, s.name.casefold()))

    return Spread(
        la=la,
        period=period,
        brokered=total,
        schools=schools,
        priorities=priorities,
        shortlisted=total_shortlisted,
        providers=providers,
        sips=sips,
        produced_at=utcnow(),
        provider_scale=chart_scale(
            s for p in providers[:CHART_PROVIDERS] for s in (p.share, p.shortlisted_share)
        ),
    )


# --- the CSV ------------------------------------------------------------------------------------

CSV_HEADER = [
    "Local authority code",
    "Local authority",
    "First day",
    "Last day",
    "Table",
    "Name",
    "Brokered",
    "Share of the LA's brokered work (%)",
    "Schools",
    "Priorities",
    "Shortlisted",
    "Brokered by (SIP: number)",
    "Declared an interest (brokered)",
    "Provider with the largest share",
    "Brokered to it",
    "Share to it (%)",
    "Registered interest in it",
    "Most to one provider",
]


def csv_rows(result: Spread) -> list[list[object]]:
    """Return the CSV's rows, header first: one per provider, then one per SIP."""
    lead = [
        result.la.code,
        result.la.name,
        result.period.first_day.isoformat(),
        result.period.last_day.isoformat(),
    ]
    out: list[list[object]] = [list(CSV_HEADER)]
    for p in result.providers:
        by = "; ".join(f"{s.name}: {s.brokered}" for s in p.sips if s.brokered)
        out.append(
            [*lead, "By provider", p.name, p.brokered, p.share, p.schools, p.priorities]
            + [p.shortlisted, by, "", "", "", "", "", ""]
        )
    for s in result.sips:
        out.append(
            [*lead, "By SIP", s.name, s.brokered, _percent(s.brokered, result.brokered)]
            + ["", "", s.shortlisted, "", s.declared, s.top_provider or ""]
            + [s.top_count if s.top_provider else "", s.top_share if s.top_provider else ""]
            + ["yes" if s.interest else "", "yes" if s.flagged else ""]
        )
    return out


def to_csv_text(result: Spread) -> str:
    """Return the figures as CSV text (every cell formula-safe: broker.spreadsheet)."""
    return to_csv(csv_rows(result))


def csv_filename(result: Spread) -> str:
    """Return a safe download name: brokering-spread-<LA code>-<first day>-to-<last day>.csv."""
    code = filename_part(result.la.code, "la")
    first, last = result.period.first_day.isoformat(), result.period.last_day.isoformat()
    return f"brokering-spread-{code}-{first}-to-{last}.csv"
