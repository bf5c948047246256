"""Load the shipped reference data into the database: add and update, never lose what data uses.

`broker init-db` calls `load_local_authorities` after migrating. LAs are matched on their DfE
code; names and regions follow the shipped list (an LA's own settings, such as its fatigue
threshold, are the operator's and stay). A code the list marks as retired (an LA abolished by a
reorganisation) is removed only if nothing in the database refers to it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from broker.models import Listing, ListingRevision, LocalAuthority
from broker.taxonomy import REGIONS
from index import analysis

DATA_FILE = "local_authorities.json"


class ReferenceDataError(Exception):
    """The shipped reference file is wrong; the message says where."""


@dataclass(frozen=True)
class ReferenceLA:
    code: str
    name: str
    region: str


@dataclass
class ReferenceReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired_removed: list[str] = field(default_factory=list)
    #: "code name: what refers to it"
    retired_kept: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Return the report as lines for people."""
        lines = [
            f"Local authorities (reference list): {self.created} added, {self.updated} updated, "
            f"{self.unchanged} unchanged."
        ]
        if self.retired_removed:
            lines.append(
                f"Retired LAs removed (nothing referred to them): {', '.join(self.retired_removed)}."
            )
        lines += [
            f"Retired LA kept because data refers to it: {text}." for text in self.retired_kept
        ]
        return lines


def _read() -> dict[str, Any]:
    text = resources.files("broker.reference").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@functools.cache
def place_words() -> frozenset[str]:
    """The words of England's LAs' and regions' names, folded ("hammersmith", "fulham",
    "yorkshire"): names of places, for the search to tell from other words."""
    names = [la.name for la in reference_local_authorities()] + [t.label for t in REGIONS]
    return frozenset(word for name in names for word in analysis.words(name))


def reference_local_authorities() -> list[ReferenceLA]:
    """Return the shipped list of current LAs, checked (codes unique, regions known)."""
    rows = _read()["local_authorities"]
    seen: set[str] = set()
    out: list[ReferenceLA] = []
    for row in rows:
        code, name, region = str(row["code"]), str(row["name"]), str(row["region"])
        term = REGIONS.get(region)
        if term is None or not code or code in seen:
            raise ReferenceDataError(f"{DATA_FILE}: LA {code!r} is repeated or has no known region")
        seen.add(code)
        out.append(ReferenceLA(code, name, term.slug))
    return out


def retired_codes() -> dict[str, str]:
    """Return {code: description} of the LAs that reorganisations abolished."""
    return {str(row["code"]): str(row["name"]) for row in _read()["retired"]}


def references_to(session: Session, la: LocalAuthority) -> list[str]:
    """Say what in the database refers to this LA (rows by table, listings naming its code)."""
    found: list[str] = []
    target = LocalAuthority.__table__.c.id  # type: ignore[attr-defined]
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column is target for fk in column.foreign_keys):
                count = session.exec(
                    select(sa.func.count()).select_from(table).where(column == la.id)
                ).one()
                if count:
                    found.append(f"{count} {table.name} row(s)")
    quoted = f'%"{la.code}"%'
    for model, column in (
        (Listing, Listing.__table__.c.local_authorities),  # type: ignore[attr-defined]
        (ListingRevision, ListingRevision.__table__.c.proposed),  # type: ignore[attr-defined]
    ):
        count = session.exec(
            select(sa.func.count()).select_from(model).where(sa.cast(column, sa.Text).like(quoted))
        ).one()
        if count:
            found.append(f"{count} {model.__tablename__} row(s) naming its code")
    return found


def load_local_authorities(session: Session) -> ReferenceReport:
    """Add and update the shipped LAs by code; remove retired ones nothing refers to; commit."""
    report = ReferenceReport()
    existing = {la.code: la for la in session.exec(select(LocalAuthority))}
    for ref in reference_local_authorities():
        la = existing.get(ref.code)
        if la is None:
            session.add(LocalAuthority(code=ref.code, name=ref.name, region=ref.region))
            report.created += 1
        elif (la.name, la.region) != (ref.name, ref.region):
            la.name, la.region = ref.name, ref.region
            session.add(la)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    for code, description in retired_codes().items():
        la = existing.get(code)
        if la is None:
            continue
        uses = references_to(session, la)
        if uses:
            report.retired_kept.append(f"{code} {la.name} ({description}): {', '.join(uses)}")
        else:
            session.delete(la)
            report.retired_removed.append(f"{code} {la.name}")
    session.commit()
    return report
