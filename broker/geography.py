"""Where a listing works: the one definition, in Python and as a coarse SQL filter.

A listing serves exactly what it names (../shared/DOMAIN.md, "Where"): an LA it names, every LA
of a region it names, or every LA when it says national. Delivering online or as a download
does not widen that: a provider whose online course is open to every school says national.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.models import Listing, LocalAuthority
from broker.taxonomy import REGIONS


@dataclass(frozen=True)
class Geography:
    """Every LA code with its region, to expand where a listing works into the "serves" relation."""

    la_regions: dict[str, str]

    @classmethod
    def load(cls, session: Session) -> Geography:
        rows = session.exec(select(LocalAuthority.code, LocalAuthority.region)).all()
        return cls({code: region for code, region in rows})

    def serves(self, listing: Listing) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return (regions, LA codes) where `listing` is available."""
        if listing.national:
            return REGIONS.slugs, tuple(sorted(self.la_regions))
        las = set(listing.local_authorities) & set(self.la_regions)
        regions = set(listing.regions)
        las |= {code for code, region in self.la_regions.items() if region in regions}
        regions |= {self.la_regions[code] for code in las}
        ordered_regions = tuple(r for r in REGIONS.slugs if r in regions)
        return ordered_regions, tuple(sorted(las))


def reach(listing: Listing, la_code: str | None, region: str | None) -> str | None:
    """Return how `listing` reaches a school in `la_code` / `region`: "la", "region",
    "national", "anywhere" (the school's place is unknown), or None if it does not."""
    if la_code and la_code in listing.local_authorities:
        return "la"
    if region and region in listing.regions:
        return "region"
    if listing.national:
        return "national"
    if not la_code and not region:
        return "anywhere"
    return None


def json_has(column: object, value: str) -> sa.ColumnElement[bool]:
    """SQL: the JSON list of strings in `column` holds `value` (a quoted, escaped LIKE)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.cast(column, sa.Text).like(f'%"{escaped}"%', escape="\\")


def may_serve_clause(la: LocalAuthority) -> sa.ColumnElement[bool]:
    """SQL: a coarse filter for listings that may serve `la` (Geography.serves decides)."""
    return sa.or_(
        col(Listing.national).is_(True),
        json_has(Listing.local_authorities, la.code),
        json_has(Listing.regions, la.region),
    )
