"""The simplified whole-directory hardcopy of one LA: what it contains, and its published editions.

A hardcopy lists every public listing that serves the LA, grouped by area of support. A listing
in several areas is printed in full once, under its first area in taxonomy order, and appears in
its other areas as a one-line cross-reference to that entry (code and page): the paper stays
short and every area still shows all that is on offer in it.

An *edition* is recorded only when one is published (`publish`): the previous published edition
is the baseline of the "new" and "withdrawn" pages, so it must be the copy the LA last handed
out, not whatever an anonymous visitor last downloaded. Previews compare with it and record
nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from broker import local_authorities, taxonomy
from broker.errors import Conflict
from broker.evidence import public_clause
from broker.geography import Geography, may_serve_clause
from broker.models import (
    HardcopyEdition,
    HardcopyEditionListing,
    Listing,
    LocalAuthority,
    Provider,
    utcnow,
)

#: The section for listings that name no area of support the taxonomy knows.
OTHER_AREA = taxonomy.Term("other", "Other support")
#: Longest price note printed; the web page has the rest.
PRICE_NOTE_CHARS = 80
#: Longest LA code anyone can mean (LocalAuthority.code).


@dataclass(frozen=True)
class Entry:
    """One listing as printed: one or two lines."""

    listing_id: int
    code: str
    title: str
    provider_name: str
    phone: str
    email: str
    cost: str
    #: Slugs of the areas it is listed under, in taxonomy order; the first holds the full entry.
    areas: tuple[str, ...]

    @property
    def home_area(self) -> str:
        return self.areas[0]


@dataclass(frozen=True)
class Area:
    """One area of support: the entries printed in full here, and cross-references to others."""

    slug: str
    label: str
    entries: list[Entry] = field(default_factory=list)
    see_also: list[Entry] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"area-{self.slug}"

    @property
    def size(self) -> int:
        return len(self.entries) + len(self.see_also)


@dataclass(frozen=True)
class Printed:
    """A listing as an earlier edition printed it."""

    listing_id: int
    code: str
    title: str
    provider_name: str


@dataclass(frozen=True)
class EditionInfo:
    number: int
    produced_at: datetime
    listing_count: int


@dataclass(frozen=True)
class Hardcopy:
    """Everything the printed directory of one LA shows."""

    la_code: str
    la_name: str
    region: str
    produced_at: datetime
    entries: list[Entry]
    areas: list[Area]
    #: The last published edition, the baseline of `new` and `withdrawn` (None: there is none).
    previous: EditionInfo | None
    new: list[Entry]
    withdrawn: list[Printed]
    #: Set once this hardcopy is published as an edition; None for a preview.
    edition: EditionInfo | None = None

    @property
    def listing_count(self) -> int:
        return len(self.entries)

    def fingerprint(self) -> str:
        """Return a digest of everything printed except the time, to reuse a rendering."""
        parts = [self.la_code, self.la_name, self.region, self.produced_at.date().isoformat()]
        parts += [repr(e) for e in self.entries]
        parts.append(repr(self.previous))
        parts.append(repr(self.edition))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _cost(listing: Listing) -> str:
    label = taxonomy.COSTS.label_of(listing.cost)
    note = (listing.price_note or "").strip()
    if len(note) > PRICE_NOTE_CHARS:
        note = note[: PRICE_NOTE_CHARS - 1].rstrip() + "…"
    return f"{label}: {note}" if note else label


def _areas(listing: Listing) -> tuple[str, ...]:
    known = [slug for slug in taxonomy.CATEGORIES.slugs if slug in set(listing.categories)]
    return tuple(known) or (OTHER_AREA.slug,)


def serving_entries(session: Session, la: LocalAuthority, now: datetime) -> list[Entry]:
    """Return every public listing that serves `la`, as printed entries, by title."""
    rows = session.exec(
        select(Listing, Provider)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(public_clause(now), may_serve_clause(la))
    ).all()
    geography = Geography.load(session)
    entries = []
    for listing, provider in rows:
        _regions, las = geography.serves(listing)
        if la.code not in las:
            continue
        entries.append(
            Entry(
                listing_id=int(listing.id or 0),
                code=listing.code,
                title=listing.title,
                provider_name=provider.name,
                phone=(listing.contact_phone or provider.phone or "").strip(),
                email=(listing.contact_email or provider.email or "").strip(),
                cost=_cost(listing),
                areas=_areas(listing),
            )
        )
    entries.sort(key=lambda e: (_natural(e.title), e.code))
    return entries


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading runs of digits as numbers: "Year 2" before "Year 10"."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", text.casefold())
        if part
    )


def group_by_area(entries: Sequence[Entry]) -> list[Area]:
    """Group entries by area in taxonomy order: full under the first area, cross-referenced after."""
    terms = [*taxonomy.CATEGORIES.terms, OTHER_AREA]
    areas = {term.slug: Area(term.slug, term.label) for term in terms}
    for entry in entries:
        areas[entry.home_area].entries.append(entry)
        for slug in entry.areas[1:]:
            areas[slug].see_also.append(entry)
    # "Other support" is shown only when something needs it.
    return [a for a in areas.values() if a.slug != OTHER_AREA.slug or a.entries]


def area_label(slug: str) -> str:
    """Return the label of an area slug, including the "other" section."""
    return OTHER_AREA.label if slug == OTHER_AREA.slug else taxonomy.CATEGORIES.label_of(slug)


def latest_edition(session: Session, la_code: str) -> HardcopyEdition | None:
    """Return the LA's most recently published edition, if any."""
    return session.exec(
        select(HardcopyEdition)
        .where(HardcopyEdition.la_code == la_code)
        .order_by(col(HardcopyEdition.number).desc())
        .limit(1)
    ).first()


def editions(session: Session, la_code: str) -> list[HardcopyEdition]:
    """Return the LA's published editions, newest first."""
    return list(
        session.exec(
            select(HardcopyEdition)
            .where(HardcopyEdition.la_code == la_code)
            .order_by(col(HardcopyEdition.number).desc())
        ).all()
    )


def _info(edition: HardcopyEdition) -> EditionInfo:
    return EditionInfo(edition.number, edition.produced_at, edition.listing_count)


def prepare(
    session: Session, la_code: str, now: datetime | None = None, *, as_edition: bool = False
) -> Hardcopy:
    """Return the LA's hardcopy as of `now`, compared with its last published edition.

    With `as_edition` it carries the next edition's number, ready to print and then `publish`.
    """
    now = now or utcnow()
    la = local_authorities.find(session, la_code)
    entries = serving_entries(session, la, now)
    previous = latest_edition(session, la.code)
    printed: dict[int, Printed] = {}
    if previous is not None:
        for row in session.exec(
            select(HardcopyEditionListing).where(HardcopyEditionListing.edition_id == previous.id)
        ).all():
            printed[row.listing_id] = Printed(
                row.listing_id, row.code, row.title, row.provider_name
            )
    current = {e.listing_id for e in entries}
    new = [e for e in entries if e.listing_id not in printed] if previous is not None else []
    withdrawn = sorted(
        (p for i, p in printed.items() if i not in current),
        key=lambda p: (_natural(p.title), p.code),
    )
    edition = None
    if as_edition:
        number = previous.number + 1 if previous is not None else 1
        edition = EditionInfo(number, now, len(entries))
    return Hardcopy(
        la_code=la.code,
        la_name=la.name,
        region=la.region,
        produced_at=now,
        entries=entries,
        areas=group_by_area(entries),
        previous=_info(previous) if previous is not None else None,
        new=new,
        withdrawn=withdrawn,
        edition=edition,
    )


def publish(session: Session, hardcopy: Hardcopy) -> HardcopyEdition:
    """Record `hardcopy` (prepared `as_edition`) as the LA's next edition and commit it.

    Raises Conflict when another edition of the LA was published since `hardcopy` was prepared:
    its number would clash and its "new" and "withdrawn" pages compare with the wrong baseline.
    """
    if hardcopy.edition is None:
        raise ValueError("prepare the hardcopy with as_edition=True before publishing it")
    latest = latest_edition(session, hardcopy.la_code)
    if (latest.number if latest is not None else 0) != hardcopy.edition.number - 1:
        raise Conflict(_raced(hardcopy.la_code))
    edition = HardcopyEdition(
        la_code=hardcopy.la_code,
        number=hardcopy.edition.number,
        produced_at=hardcopy.produced_at,
        listing_count=hardcopy.listing_count,
    )
    try:
        session.add(edition)
        session.flush()
        if hardcopy.entries:
            session.execute(
                sa.insert(HardcopyEditionListing),
                [
                    {
                        "edition_id": edition.id,
                        "listing_id": e.listing_id,
                        "code": e.code,
                        "title": e.title,
                        "provider_name": e.provider_name,
                    }
                    for e in hardcopy.entries
                ],
            )
        session.commit()
    except IntegrityError:
        # Another process took this number between our check and our insert.
        session.rollback()
        raise Conflict(_raced(hardcopy.la_code)) from None
    return edition


def _raced(la_code: str) -> str:
    return (
        f"Another edition for {la_code} was published while this one was being prepared; "
        "produce it again so that it compares with that edition."
    )
