"""Where a listing works: the one definition, in Python and as a coarse SQL filter.

A listing serves exactly what it names (../shared/DOMAIN.md, "Where"): an LA it names, every LA
of a region it names, or every LA when it says national. Delivering online or as a download
does not widen that: a provider whose online course is open to every school says national.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from broker.models import Listing, LocalAuthority
from broker.taxonomy import REGIONS

#: In the index's LA facet: a listing that works in every LA (national).
EVERYWHERE = "*"
#: In the index's LA facet, before a region's slug: a listing that works in every LA of it.
WHOLE_REGION = "@"


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

    def index_values(self, listing: Listing) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the (region, LA) facet values the index keeps for `listing`, compactly.

        A national listing is "*" and a named region "@region" rather than every LA they cover
        (at national scale most LA postings would otherwise be national listings'); an LA
        inside a named region is left out, so that counts can add up: see la_filter, la_counts.
        """
        if listing.national:
            return REGIONS.slugs, (EVERYWHERE,)
        regions = set(listing.regions) & set(REGIONS.slugs)
        las = {
            code
            for code in listing.local_authorities
            if code in self.la_regions and self.la_regions[code] not in regions
        }
        in_regions = regions | {self.la_regions[code] for code in las}
        ordered = tuple(r for r in REGIONS.slugs if r in in_regions)
        return ordered, tuple(sorted(las | {WHOLE_REGION + r for r in regions}))

    def la_filter(self, codes: Iterable[str]) -> frozenset[str]:
        """Return the LA facet values that mean "works in one of `codes`"."""
        out = {EVERYWHERE}
        for code in codes:
            out.add(code)
            if code in self.la_regions:
                out.add(WHOLE_REGION + self.la_regions[code])
        return frozenset(out)

    def la_counts(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Return {LA code: listings working there} from the index's counts of LA facet values."""
        everywhere = counts.get(EVERYWHERE, 0)
        out = {}
        for code, region in self.la_regions.items():
            n = counts.get(code, 0) + counts.get(WHOLE_REGION + region, 0) + everywhere
            if n:
                out[code] = n
        return out


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


def json_has(column: Any, value: str) -> sa.ColumnElement[bool]:
    """SQL: the JSON list of strings in `column` holds `value`.

    On PostgreSQL, JSON containment (`column::jsonb @> '["value"]'`), which a GIN index on the
    same expression answers (migration 0010 makes one for listing.local_authorities: a QA
    officer's queue at 100,000 listings); elsewhere a quoted, escaped LIKE. Both forms' values
    are bound parameters, so a cached statement is reused with the right ones.
    """
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _JsonHas(
        column,
        sa.literal(f'%"{escaped}"%', sa.String),
        sa.literal(json.dumps([value]), sa.String),
    )


class _JsonHas(FunctionElement[bool]):
    type = sa.Boolean()
    name = "json_has"
    inherit_cache = True


@compiles(_JsonHas)
def _json_has_like(element: _JsonHas, compiler: Any, **kw: Any) -> str:
    column, pattern, _contained = list(element.clauses)
    return str(compiler.process(sa.cast(column, sa.Text).like(pattern, escape="\\"), **kw))


@compiles(_JsonHas, "postgresql")
def _json_has_contains(element: _JsonHas, compiler: Any, **kw: Any) -> str:
    column, _pattern, contained = list(element.clauses)
    return str(compiler.process(sa.cast(column, JSONB).op("@>")(sa.cast(contained, JSONB)), **kw))


def serves_la(
    national: bool, regions: Iterable[str], local_authorities: Iterable[str], la: LocalAuthority
) -> bool:
    """Say whether a listing working where these say serves `la` (Geography.serves, for one LA)."""
    return national or la.code in local_authorities or la.region in regions


def may_serve_clause(la: LocalAuthority) -> sa.ColumnElement[bool]:
    """SQL: a coarse filter for listings that may serve `la` (Geography.serves or serves_la
    decides)."""
    return sa.or_(
        col(Listing.national).is_(True),
        json_has(Listing.local_authorities, la.code),
        json_has(Listing.regions, la.region),
    )
