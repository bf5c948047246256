"""Schools from the DfE register, Get Information about Schools (GIAS): its establishment CSV.

`import_register` reads the CSV as GIAS publishes it (the columns named in REQUIRED, with the
register's own header; the file is windows-1252 in places, so each line is read as UTF-8 and,
failing that, as windows-1252), adds and updates schools by URN, marks closed ones closed and
maps the register's types and phases to the directory's taxonomy. Establishments of types the
directory does not hold (independent schools, colleges, children's centres, ...) are skipped and
counted. A bad row is reported by its line and skipped; the rest land, committed in batches.

What people record about a school (its support category, the SEN it serves once set) is theirs:
the register sets name, phase, type, LA, postcode and the closing date, nothing else.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from broker.models import LocalAuthority, School

#: The register's columns this import needs (GIAS header names, exactly).
URN = "URN"
NAME = "EstablishmentName"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
TYPE = "TypeOfEstablishment (name)"
PHASE = "PhaseOfEducation (name)"
STATUS = "EstablishmentStatus (name)"
POSTCODE = "Postcode"
CLOSE_DATE = "CloseDate"
REQUIRED = (URN, NAME, LA_CODE, TYPE, PHASE, STATUS)
#: GIAS lists up to 13 types of SEN provision for a school, "SEN1 (name)" ... "SEN13 (name)".
SEN_COLUMNS = tuple(f"SEN{i} (name)" for i in range(1, 14))

#: Register type -> (school type slug, phase slug that overrides the register's phase or None).
TYPES: dict[str, tuple[str, str | None]] = {
    "community school": ("community-school", None),
    "voluntary aided school": ("voluntary-aided-school", None),
    "voluntary controlled school": ("voluntary-controlled-school", None),
    "foundation school": ("foundation-school", None),
    "local authority nursery school": ("nursery-school", "early-years"),
    "community special school": ("community-special-school", "special"),
    "foundation special school": ("foundation-special-school", "special"),
    "pupil referral unit": ("pru", "pru"),
    # Academies and free schools (free schools, UTCs and studio schools are academies in law).
    "academy converter": ("academy", None),
    "academy sponsor led": ("academy", None),
    "academy 16-19 converter": ("academy", "post-16"),
    "academy 16 to 19 sponsor led": ("academy", "post-16"),
    "academy special converter": ("academy", "special"),
    "academy special sponsor led": ("academy", "special"),
    "academy alternative provision converter": ("academy", "pru"),
    "academy alternative provision sponsor led": ("academy", "pru"),
    "free schools": ("academy", None),
    "free schools 16 to 19": ("academy", "post-16"),
    "free schools special": ("academy", "special"),
    "free schools alternative provision": ("academy", "pru"),
    "university technical college": ("academy", None),
    "studio schools": ("academy", None),
    "city technology college": ("academy", None),
}
PHASES: dict[str, str] = {
    "nursery": "early-years",
    "primary": "primary",
    "middle deemed primary": "primary",
    "secondary": "secondary",
    "middle deemed secondary": "secondary",
    "16 plus": "post-16",
    "all-through": "all-through",
}
#: The register's SEN provision codes (the text before " - ") -> our SEN specialism slugs.
SEN: dict[str, str] = {
    "PMLD": "pmld",
    "SLD": "sld",
    "MLD": "mld",
    "SEMH": "besd",  # social, emotional and mental health: what BESD became in 2014
    "BESD": "besd",
    "ASD": "asd",
    "SLCN": "slcn",
    "HI": "hi",
    "VI": "vi",
    "MSI": "msi",
    "PD": "pd",
    "SPLD": "spld",
}
CLOSED = "closed"
NAME_MAX = 200
POSTCODE_MAX = 10
URN_MAX = 12

Progress = Callable[[int], None]


class RegisterFileError(Exception):
    """The file as a whole cannot be read as the register (no header, missing columns)."""


@dataclass
class RegisterReport:
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> list[str]:
        """Return the report as lines for people."""
        verb = "would be" if self.dry_run else "were"
        head = "Dry run: nothing was written. " if self.dry_run else ""
        lines = [
            f"{head}{self.rows} rows read, {len(self.errors)} with errors.",
            f"Schools {verb} created: {self.created}, updated: {self.updated}, "
            f"unchanged: {self.unchanged}.",
            f"Closed schools in the file (kept, marked closed): {self.closed}.",
        ]
        if self.skipped:
            kinds = ", ".join(f"{name} {n}" for name, n in sorted(self.skipped.items()))
            lines.append(
                f"Skipped (types the directory does not hold): {sum(self.skipped.values())}: "
                f"{kinds}."
            )
        return lines


@dataclass(frozen=True)
class _Row:
    line: int
    urn: str
    name: str
    la_id: int
    type: str
    phase: str
    postcode: str | None
    closed_on: date | None
    sen: tuple[str, ...]


class _BadRow(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


def decoded_lines(stream: Iterable[bytes]) -> Iterator[str]:
    """Yield the file's lines as text: UTF-8 where they are, else windows-1252 (latin-1 at worst)."""
    for number, raw in enumerate(stream):
        if number == 0:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                yield raw.decode("cp1252")
            except UnicodeDecodeError:
                yield raw.decode("latin-1")  # the five bytes cp1252 leaves undefined


def _close_date(text: str, today: date) -> date:
    """Return the register's CloseDate (dd-mm-yyyy, or ISO), or today when it gives none."""
    text = text.strip()
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return today


class _Reader:
    def __init__(self, las: dict[str, int], today: date) -> None:
        self.las = las
        self.today = today

    def row(self, line: int, cells: dict[str, str]) -> _Row | str:
        """Return the row typed, or the register type that puts it out of scope."""
        kind = cells[TYPE].strip()
        mapped = TYPES.get(kind.casefold())
        if mapped is None:
            return kind or "(no type)"
        urn = cells[URN].strip()
        if not urn.isdigit() or len(urn) > URN_MAX:
            raise _BadRow(URN, f"{urn!r} is not a URN (a number of up to {URN_MAX} digits)")
        name = " ".join(cells[NAME].split())
        if not name:
            raise _BadRow(NAME, "is empty")
        if len(name) > NAME_MAX:
            raise _BadRow(NAME, f"is longer than {NAME_MAX} characters")
        code = cells[LA_CODE].strip()
        la_id = self.las.get(code)
        if la_id is None:
            la_name = (cells.get(LA_NAME) or "").strip()
            called = f" ({la_name})" if la_name else ""
            raise _BadRow(
                LA_CODE,
                f"{code!r}{called} is not a known local authority: run `broker init-db` to "
                "load England's current LAs, or check the code",
            )
        school_type, phase = mapped
        if phase is None:
            phase = PHASES.get(cells[PHASE].strip().casefold(), "")
        postcode = " ".join((cells.get(POSTCODE) or "").upper().split()) or None
        if postcode is not None and len(postcode) > POSTCODE_MAX:
            raise _BadRow(POSTCODE, f"{postcode!r} is not a postcode")
        closed_on = None
        if cells[STATUS].strip().casefold() == CLOSED:
            closed_on = _close_date(cells.get(CLOSE_DATE) or "", self.today)
        sen: list[str] = []
        for column in SEN_COLUMNS:
            code_text = (cells.get(column) or "").split(" - ", 1)[0].strip().upper()
            slug = SEN.get(code_text)
            if slug and slug not in sen:
                sen.append(slug)
        return _Row(line, urn, name, la_id, school_type, phase, postcode, closed_on, tuple(sen))


def import_register(
    session: Session,
    stream: Iterable[bytes],
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = 1000,
    today: date | None = None,
) -> RegisterReport:
    """Add and update schools by URN from the register's establishment CSV; see the module docstring."""
    report = RegisterReport(dry_run=dry_run)
    reader = csv.DictReader(decoded_lines(stream))
    header = reader.fieldnames
    if not header:
        raise RegisterFileError("The file is empty: expected the register's CSV with its header.")
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise RegisterFileError(
            "This is not the register's establishment CSV: it has no column "
            + ", ".join(repr(c) for c in missing)
            + ". Download it from Get Information about Schools (all establishment data)."
        )
    las = {
        code: int(la_id or 0)
        for code, la_id in session.exec(select(LocalAuthority.code, LocalAuthority.id))
    }
    parse = _Reader(las, today or date.today())
    table = School.__table__  # type: ignore[attr-defined]
    columns = ("urn", "id", "name", "phase", "type", "la_id", "postcode", "closed_on")
    known: dict[str, tuple[Any, ...]] = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            sa.select(*(table.c[name] for name in columns), table.c.sen_specialisms)
        )
    }
    seen: dict[str, int] = {}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []

    def flush() -> None:
        if new:
            session.execute(sa.insert(School), new)
        if changed:
            session.execute(sa.update(School), changed)
        new.clear()
        changed.clear()
        if not dry_run:
            session.commit()

    for cells in reader:
        line = reader.line_num
        report.rows += 1
        try:
            if None in cells or any(cells.get(c) is None for c in REQUIRED):
                raise _BadRow("row", f"does not have the header's {len(header)} columns")
            row = parse.row(line, cells)
        except _BadRow as exc:
            report.errors.append(f"line {line}: {exc}")
            continue
        if isinstance(row, str):
            report.skipped[row] += 1
            continue
        if row.urn in seen:
            report.errors.append(
                f"line {line}: {URN}: {row.urn} is also on line {seen[row.urn]}; the first is kept"
            )
            continue
        seen[row.urn] = line
        report.closed += row.closed_on is not None
        values = {
            "name": row.name,
            "phase": row.phase,
            "type": row.type,
            "la_id": row.la_id,
            "postcode": row.postcode,
            "closed_on": row.closed_on,
        }
        old = known.get(row.urn)
        if old is None:
            new.append(
                {
                    "urn": row.urn,
                    **values,
                    "sen_specialisms": list(row.sen),
                    "support_category": None,
                }
            )
            report.created += 1
        else:
            school_id, *current, sen_now = old
            update = {
                key: value
                for key, value, now in zip(values, values.values(), current, strict=True)
                if value != now
            }
            if row.sen and not sen_now:
                update["sen_specialisms"] = list(row.sen)
            if update:
                changed.append({"id": school_id, **update})
                report.updated += 1
            else:
                report.unchanged += 1
        if len(new) + len(changed) >= batch_size:
            flush()
        if progress is not None:
            progress(report.rows)
    flush()
    if dry_run:
        session.rollback()
    return report
