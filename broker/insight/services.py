"""The LA's supply and demand: what its schools need against what the directory offers there.

Demand is the priorities SIPs recorded for the LA's schools, by the academic year of the visit
(September to August). Supply is the public listings (assured, in date, two schools behind the
provider) that serve the LA. Both are counted by the same facets: area of support, Every Child
Matters outcome, phase (the school's phase; a listing's phases) and pupil group.

Only aggregates leave this module, and no figure drawn from fewer than `MIN_SCHOOLS` schools:
such a cell is suppressed, and where a dimension adds up to a total that is shown (areas and
phases), a second cell is suppressed with it so the first cannot be worked out by subtraction.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from broker import local_authorities
from broker.errors import Forbidden
from broker.evidence import public_clause
from broker.geography import Geography, may_serve_clause
from broker.models import (
    Listing,
    LocalAuthority,
    Priority,
    School,
    SchoolVisit,
    User,
    utcnow,
)
from broker.spreadsheet import safe_cell
from broker.taxonomy import CATEGORIES, ECM_OUTCOMES, PHASES, PUPIL_GROUPS, Vocabulary

#: A figure drawn from fewer schools than this is never shown (page and CSV alike).
MIN_SCHOOLS = 3
#: A need is a gap when its share of demand is at least this many times its share of supply.
GAP_RATIO = 2.0
#: What a suppressed figure says instead of a number.
SUPPRESSED = "fewer than 3"
#: What a figure hidden only to protect a suppressed one says.
HIDDEN = "hidden"
#: LA codes are short; anything longer cannot exist (and is not echoed back in full).


# --- academic years -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AcademicYear:
    """An academic year, 1 September to 31 August, named by the calendar year it starts in."""

    start_year: int

    @classmethod
    def of(cls, day: date) -> AcademicYear:
        """Return the academic year `day` falls in."""
        return cls(day.year if day.month >= 9 else day.year - 1)

    @property
    def first_day(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 8, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"

    @property
    def short(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def previous(self) -> AcademicYear:
        return AcademicYear(self.start_year - 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day


# --- charts (the insight pages draw theirs with templates/insight/_chart.html) ---------------


def chart_scale(shares: Iterable[int | None]) -> int:
    """Return the top of a chart's axis for these percentages: a multiple of 10, at least 10."""
    return max(10, math.ceil(max((s or 0 for s in shares), default=0) / 10) * 10)


def bar_width(share: int | None, scale: int) -> int:
    """Return a bar's length as a whole percentage of the chart's width (a visible 1 at least)."""
    return 0 if not share else min(100, max(1, round(100 * share / scale)))


# --- the figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """One way of slicing demand and supply: its name, vocabulary, and whether cells add up."""

    key: str
    title: str
    #: The title as it reads inside a sentence ("by area of support").
    phrase: str
    vocabulary: Vocabulary
    #: Each priority (areas) or school (phases) falls in exactly one cell, so the cells add up to
    #: the year's total: suppressing one cell alone would let it be found by subtraction.
    additive: bool


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("category", "Area of support", "area of support", CATEGORIES, additive=True),
    Dimension(
        "ecm",
        "Every Child Matters outcome",
        "Every Child Matters outcome",
        ECM_OUTCOMES,
        additive=False,
    ),
    Dimension("phase", "Phase", "phase", PHASES, additive=True),
    Dimension("pupil_group", "Pupil group", "pupil group", PUPIL_GROUPS, additive=False),
)


@dataclass(frozen=True)
class Demand:
    """Priorities and distinct schools in one cell of one year; None when suppressed."""

    schools: int | None
    priorities: int | None
    #: Schools with this need as a whole percentage of the year's schools with priorities.
    share: int | None
    #: Why the figures are not shown: SUPPRESSED or HIDDEN (None: they are shown).
    withheld: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.schools is None


@dataclass(frozen=True)
class Row:
    """One facet value: demand this year and last, supply now, and whether it is a gap."""

    slug: str
    label: str
    this_year: Demand
    last_year: Demand
    listings: int
    #: Listings with this facet as a whole percentage of the listings serving the LA.
    supply_share: int
    #: Demand share over supply share (None: not shown, or no supply to divide by).
    ratio: float | None
    gap: bool

    @property
    def no_supply(self) -> bool:
        return self.listings == 0


@dataclass(frozen=True)
class Breakdown:
    """Every row of one dimension, with the scale its chart is drawn to."""

    dimension: Dimension
    rows: list[Row]
    #: The top of the chart's axis, a whole percentage (a multiple of 10).
    scale: int

    @property
    def gaps(self) -> list[Row]:
        return [r for r in self.rows if r.gap]

    def width(self, share: int | None) -> int:
        """Return a bar's length as a whole percentage of the chart's width."""
        return bar_width(share, self.scale)


@dataclass(frozen=True)
class YearTotal:
    """The year's schools with priorities and its priorities (None when suppressed)."""

    year: AcademicYear
    schools: int | None
    priorities: int | None

    @property
    def suppressed(self) -> bool:
        return self.schools is None


@dataclass(frozen=True)
class Report:
    """The supply-and-demand figures of one LA."""

    la: LocalAuthority
    this_year: YearTotal
    last_year: YearTotal
    listings: int
    breakdowns: list[Breakdown]
    produced_at: datetime
    suppressed_any: bool = field(default=False)

    def gaps(self) -> list[tuple[Dimension, Row]]:
        """Return every gap, biggest first (no supply at all, then by ratio)."""
        found = [(b.dimension, r) for b in self.breakdowns for r in b.gaps]
        return sorted(found, key=lambda dr: (-(dr[1].ratio or math.inf), dr[1].label))


# --- access -------------------------------------------------------------------------------------


def local_authority_for(
    session: Session, user: User, code: str | None, what: str = "supply and demand"
) -> LocalAuthority | None:
    """Return the LA `user` may see figures for (None: an admin who has not chosen one yet).

    A QA officer sees their own LA only; an administrator chooses any LA by its code. `what`
    names the figures in refusals ("supply and demand").
    """
    if user.role == "admin":
        return local_authorities.find(session, code) if code and code.strip() else None
    if user.role != "qa_officer" or user.la_id is None:
        raise Forbidden(f"Only QA officers and administrators can see {what}.")
    la = session.get(LocalAuthority, user.la_id)
    if la is None:
        raise Forbidden("Your account is not linked to a local authority.")
    if code and code.strip() and code.strip() != la.code:
        raise Forbidden(f"You can see the {what} of your own local authority only.")
    return la


# --- counting -----------------------------------------------------------------------------------


@dataclass
class _Cell:
    schools: set[int] = field(default_factory=set)
    priorities: int = 0


@dataclass
class _Year:
    schools: set[int] = field(default_factory=set)
    priorities: int = 0
    cells: dict[str, dict[str, _Cell]] = field(
        default_factory=lambda: {d.key: {} for d in DIMENSIONS}
    )

    def add(self, key: str, slug: str, school_id: int) -> None:
        cell = self.cells[key].setdefault(slug, _Cell())
        cell.schools.add(school_id)
        cell.priorities += 1


def _demand(session: Session, la: LocalAuthority, years: Sequence[AcademicYear]) -> list[_Year]:
    rows = session.exec(
        select(Priority, col(School.phase), col(SchoolVisit.visited_on))
        .join(SchoolVisit, col(SchoolVisit.id) == col(Priority.visit_id))
        .join(School, col(School.id) == col(Priority.school_id))
        .where(
            School.la_id == la.id,
            col(SchoolVisit.visited_on) >= min(y.first_day for y in years),
            col(SchoolVisit.visited_on) <= max(y.last_day for y in years),
        )
    ).all()
    counted = [_Year() for _ in years]
    for priority, phase, visited_on in rows:
        school_id = priority.school_id
        for year, tally in zip(years, counted, strict=True):
            if visited_on not in year:
                continue
            tally.schools.add(school_id)
            tally.priorities += 1
            tally.add("category", priority.category, school_id)
            tally.add("phase", phase, school_id)
            for slug in set(priority.ecm_outcomes or ()):
                tally.add("ecm", slug, school_id)
            for slug in set(priority.pupil_groups or ()):
                tally.add("pupil_group", slug, school_id)
    return counted


def serving_listings(session: Session, la: LocalAuthority, now: datetime) -> list[Listing]:
    """Return every public listing that serves `la` (the directory's own rules decide)."""
    # A coarse SQL filter on the areas narrows the rows; Geography.serves has the last word.
    rows = session.exec(select(Listing).where(public_clause(now), may_serve_clause(la))).all()
    geography = Geography.load(session)
    return [listing for listing in rows if la.code in geography.serves(listing)[1]]


def _supply(listings: Iterable[Listing]) -> dict[str, dict[str, int]]:
    facets = {
        "category": lambda item: item.categories,
        "ecm": lambda item: item.ecm_outcomes,
        "phase": lambda item: item.phases,
        "pupil_group": lambda item: item.pupil_groups,
    }
    counts: dict[str, dict[str, int]] = {key: {} for key in facets}
    for listing in listings:
        for key, values in facets.items():
            for slug in set(values(listing) or ()):
                counts[key][slug] = counts[key].get(slug, 0) + 1
    return counts


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _suppressed_slugs(dimension: Dimension, cells: dict[str, _Cell]) -> set[str]:
    """Return the cells of one dimension and year that must not be shown."""
    hidden = {slug for slug, c in cells.items() if 0 < len(c.schools) < MIN_SCHOOLS}
    if dimension.additive and len(hidden) == 1:
        # One hidden cell of a dimension that adds up to a shown total could be found by
        # subtraction: hide the smallest shown (non-zero) cell with it.
        shown = sorted(
            (c.priorities, len(c.schools), slug)
            for slug, c in cells.items()
            if slug not in hidden and slug in dimension.vocabulary
        )
        if shown:
            hidden.add(shown[0][2])
    return hidden


def _year_demand(dimension: Dimension, tally: _Year, year_hidden: bool) -> dict[str, Demand]:
    cells = tally.cells[dimension.key]
    hidden = _suppressed_slugs(dimension, cells)
    out: dict[str, Demand] = {}
    for slug in dimension.vocabulary.slugs:
        cell = cells.get(slug, _Cell())
        if year_hidden or slug in hidden:
            few = year_hidden or len(cell.schools) < MIN_SCHOOLS
            out[slug] = Demand(None, None, None, SUPPRESSED if few else HIDDEN)
        else:
            schools = len(cell.schools)
            out[slug] = Demand(schools, cell.priorities, _percent(schools, len(tally.schools)))
    return out


def _gap(
    demand: Demand, schools_share: float, listings: int, total_listings: int
) -> tuple[float | None, bool]:
    """Return (demand share over supply share, whether that makes a gap)."""
    if demand.suppressed or not demand.schools:
        return None, False
    if listings == 0:
        return None, True
    ratio = schools_share / (listings / total_listings)
    return round(ratio, 1), ratio >= GAP_RATIO


def _scale(rows: Sequence[Row]) -> int:
    shares = [r.supply_share for r in rows]
    shares += [d.share or 0 for r in rows for d in (r.this_year, r.last_year)]
    return chart_scale(shares)


def _total(year: AcademicYear, tally: _Year) -> YearTotal:
    if 0 < len(tally.schools) < MIN_SCHOOLS:
        return YearTotal(year, None, None)
    return YearTotal(year, len(tally.schools), tally.priorities)


def report(session: Session, la: LocalAuthority, today: date | None = None) -> Report:
    """Compute the LA's demand (this academic year and last) against its supply now."""
    now = utcnow()
    this_year = AcademicYear.of(today or now.date())
    years = (this_year, this_year.previous())
    tallies = _demand(session, la, years)
    totals = [_total(y, t) for y, t in zip(years, tallies, strict=True)]
    listings = serving_listings(session, la, now)
    supply = _supply(listings)
    breakdowns = []
    suppressed_any = any(t.suppressed for t in totals)
    for dimension in DIMENSIONS:
        now_d, last_d = (
            _year_demand(dimension, tally, total.suppressed)
            for tally, total in zip(tallies, totals, strict=True)
        )
        rows = []
        for term in dimension.vocabulary.terms:
            count = supply[dimension.key].get(term.slug, 0)
            cell = tallies[0].cells[dimension.key].get(term.slug, _Cell())
            schools_share = len(cell.schools) / len(tallies[0].schools) if tallies[0].schools else 0
            ratio, gap = _gap(now_d[term.slug], schools_share, count, len(listings))
            share = _percent(count, len(listings))
            rows.append(
                Row(
                    term.slug,
                    term.label,
                    now_d[term.slug],
                    last_d[term.slug],
                    count,
                    share,
                    ratio,
                    gap,
                )
            )
            suppressed_any = suppressed_any or any(
                d.suppressed for d in (now_d[term.slug], last_d[term.slug])
            )
        breakdowns.append(Breakdown(dimension, rows, _scale(rows)))
    return Report(
        la=la,
        this_year=totals[0],
        last_year=totals[1],
        listings=len(listings),
        breakdowns=breakdowns,
        produced_at=now,
        suppressed_any=suppressed_any,
    )


# --- the CSV ------------------------------------------------------------------------------------


def _figure(demand: Demand, value: int | None) -> str:
    return (demand.withheld or "") if value is None else str(value)


def csv_header(result: Report) -> list[str]:
    """Return the CSV's header row."""
    now, last = result.this_year.year.label, result.last_year.year.label
    return [
        "Local authority code",
        "Local authority",
        "Facet",
        "Value",
        f"Schools with this need {now}",
        f"Priorities {now}",
        f"Share of schools with priorities {now} (%)",
        f"Schools with this need {last}",
        f"Priorities {last}",
        "Listings serving the LA",
        "Share of listings (%)",
        "Demand share / supply share",
        "Gap",
    ]


def csv_rows(result: Report) -> list[list[str]]:
    """Return the CSV's rows (header first), suppressed figures written as words."""
    out = [csv_header(result)]
    for breakdown in result.breakdowns:
        for row in breakdown.rows:
            out.append(
                [
                    result.la.code,
                    result.la.name,
                    breakdown.dimension.title,
                    row.label,
                    _figure(row.this_year, row.this_year.schools),
                    _figure(row.this_year, row.this_year.priorities),
                    _figure(row.this_year, row.this_year.share),
                    _figure(row.last_year, row.last_year.schools),
                    _figure(row.last_year, row.last_year.priorities),
                    str(row.listings),
                    str(row.supply_share),
                    "" if row.ratio is None else f"{row.ratio:.1f}",
                    ("no supply" if row.no_supply else "yes") if row.gap else "",
                ]
            )
    return [[safe_cell(cell) for cell in line] for line in out]


def to_csv(result: Report) -> str:
    """Return the report as CSV text (CRLF line ends, every cell formula-safe)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows(result))
    return buffer.getvalue()


def csv_filename(result: Report) -> str:
    """Return a safe download name: supply-and-demand-<LA code>-<year>.csv."""
    code = "".join(ch for ch in result.la.code if ch.isalnum()) or "la"
    return f"supply-and-demand-{code}-{result.this_year.year.short}.csv"
