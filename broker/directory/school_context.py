"""Searching the directory "for" a school: what can serve it, and what it already did with each.

A SIP (or the school's head, or its LA's QA officer) searches `/directory?for=<school id>`. The
search is then narrowed by filters the user cannot remove: the phases that serve the school (the
matcher's `school_phases`) and where listings work (the school's LA code: the index's "serves"
relation already counts national and online listings). Each result the school has brokered is
marked: used before, in use now, shortlisted or declined (brokerage.school_states).

Who may search for which school is the views' question (broker.auth.access.can_see_school); this
module only describes a school they may see. Its marks are private: pages showing them are never
cached publicly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from broker import taxonomy
from broker.brokerage import services as brokerage
from broker.errors import NotFound
from broker.matching.services import context_of, school_phases
from broker.models import LocalAuthority, School
from broker.routing import parse_id

NO_SUCH_SCHOOL = "There is no such school to search for."
#: A brokerage state -> what the result is marked with.
MARKS = {
    "completed": "Used before",
    "evaluated": "Used before",
    "agreed": "In use now",
    "engaged": "In use now",
    "suggested": "Shortlisted",
    "declined": "Declined",
}


@dataclass(frozen=True)
class SchoolContext:
    """The school a search is for: its name, what narrows the search, and its brokerage marks."""

    school_id: int
    name: str
    urn: str
    #: The phase as the search uses it (a special school by type is "Special").
    phase: str
    la_code: str
    la_name: str
    #: Facet name -> slugs the search is locked to ("phase", "la").
    locked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Listing id -> the furthest state of the school's brokerages of it.
    states: dict[int, str] = field(default_factory=dict)

    def mark(self, listing_id: int) -> str:
        """Return what the school did with this listing, in words ("" when nothing)."""
        state = self.states.get(listing_id)
        return MARKS.get(state, "") if state else ""


def school_id_of(raw: str) -> int:
    """Read the `for` parameter as a school id, or raise NotFound with a clear message."""
    school_id = parse_id(raw.strip())
    if not school_id:
        raise NotFound(NO_SUCH_SCHOOL)
    return school_id


def for_school(session: Session, school_id: int) -> SchoolContext:
    """Describe the school a search is for (the caller has checked the user may see it)."""
    school = session.get(School, school_id)
    if school is None:
        raise NotFound(NO_SUCH_SCHOOL)
    la = session.get(LocalAuthority, school.la_id)
    phases = school_phases(context_of(school))
    ordered = tuple(slug for slug in taxonomy.PHASES.slugs if slug in phases)
    locked: dict[str, tuple[str, ...]] = {}
    if ordered:
        locked["phase"] = ordered
    if la is not None:
        locked["la"] = (la.code,)
    # The phase the search uses, in words: the school's own, unless its type decides (special).
    shown = ordered[0] if len(ordered) == 1 else school.phase
    return SchoolContext(
        school_id=school_id,
        name=school.name,
        urn=school.urn,
        phase=taxonomy.PHASES.label_of(shown) if shown else "phase not known",
        la_code=la.code if la else "",
        la_name=la.name if la else "",
        locked=locked,
        states=brokerage.school_states(session, school_id),
    )
