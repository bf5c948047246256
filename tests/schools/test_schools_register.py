"""`broker schools import`: the DfE register's establishment CSV (Get Information about Schools)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker.models import LocalAuthority, School

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "edubasealldata_sample.csv"


@pytest.fixture
def england(any_app: Flask) -> Flask:
    """The app with England's LAs loaded, as `broker init-db` leaves a fresh database."""
    result = any_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    return any_app


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["schools", "import", *args])


def schools(session: Session) -> dict[str, School]:
    session.expire_all()
    return {s.urn: s for s in session.exec(select(School))}


def la_code(session: Session, school: School) -> str:
    la = session.get(LocalAuthority, school.la_id)
    assert la is not None
    return la.code


def test_the_register_adds_schools_in_the_directorys_terms(
    england: Flask, any_session: Session
) -> None:
    result = run(england, str(SAMPLE))
    assert result.exit_code == 1  # two rows had errors; the others landed
    assert "Traceback" not in result.output
    assert (
        "Error: line 9: LA (code): '999' (Nowhere Borough) is not a known local authority"
        in result.stderr
    )
    assert "Error: line 10: URN: 'ABC12' is not a URN" in result.stderr
    assert "11 rows read, 2 with errors." in result.stdout
    assert "Schools were created: 8, updated: 0, unchanged: 0." in result.stdout
    assert "Closed schools in the file (kept, marked closed): 1." in result.stdout
    assert "Skipped (types the directory does not hold): 1: Other independent school 1." in (
        result.stdout
    )
    found = schools(any_session)
    assert set(found) == {
        "118000",
        "118001",
        "118002",
        "131000",
        "100001",
        "145000",
        "146000",
        "147000",
    }
    open_primary = found["118000"]
    assert (open_primary.name, open_primary.phase, open_primary.type) == (
        "Oakfield Primary School",
        "primary",
        "community-school",
    )
    assert (open_primary.postcode, open_primary.closed_on) == ("ME10 1AA", None)
    assert la_code(any_session, open_primary) == "886"
    assert found["118001"].closed_on == date(2015, 8, 31)
    assert found["118001"].postcode == "ME10 2BB"
    special = found["118002"]
    assert (special.phase, special.type) == ("special", "community-special-school")
    assert special.sen_specialisms == ["asd", "slcn", "besd"]
    assert (found["131000"].phase, found["131000"].type) == ("pru", "pru")
    assert (found["100001"].phase, found["100001"].type) == ("early-years", "nursery-school")
    academy = found["145000"]
    assert (academy.phase, academy.type, la_code(any_session, academy)) == (
        "secondary",
        "academy",
        "942",
    )
    # The file is windows-1252, as GIAS publishes it; "proposed to close" is still open.
    becket = found["146000"]
    assert becket.name == "St Thomas à Becket Catholic Primary School"
    assert becket.closed_on is None and la_code(any_session, becket) == "943"
    free_special = found["147000"]
    assert (free_special.phase, free_special.type, free_special.sen_specialisms) == (
        "special",
        "academy",
        ["sld"],
    )


def test_a_utf8_register_file_reads_the_same(
    england: Flask, any_session: Session, tmp_path: Path
) -> None:
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes().decode("cp1252").encode("utf-8"))
    result = run(england, str(utf8))
    assert "Schools were created: 8" in result.stdout
    assert schools(any_session)["146000"].name == "St Thomas à Becket Catholic Primary School"


def test_importing_again_updates_by_urn_and_keeps_what_people_recorded(
    england: Flask, any_session: Session, tmp_path: Path
) -> None:
    run(england, str(SAMPLE))
    found = schools(any_session)
    found["118000"].support_category = "intensive"
    found["118002"].sen_specialisms = ["pmld"]
    any_session.commit()
    rows = list(csv.DictReader(io.StringIO(SAMPLE.read_bytes().decode("cp1252"))))
    rows[0]["EstablishmentName"] = "Oakfield Church Primary School"
    rows[0]["EstablishmentStatus (name)"] = "Closed"
    changed = tmp_path / "later.csv"
    with changed.open("w", encoding="cp1252", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run(england, str(changed))
    assert "Schools were created: 0, updated: 1, unchanged: 7." in result.stdout
    again = schools(any_session)
    assert len(again) == 8
    school = again["118000"]
    assert school.id == found["118000"].id
    assert school.name == "Oakfield Church Primary School"
    assert school.closed_on == date.today()  # the register gave no closing date
    assert school.support_category == "intensive"
    assert again["118002"].sen_specialisms == ["pmld"]


def test_a_dry_run_checks_every_row_and_writes_nothing(
    england: Flask, any_session: Session
) -> None:
    result = run(england, "--dry-run", str(SAMPLE))
    assert "Dry run: nothing was written." in result.stdout
    assert "Schools would be created: 8" in result.stdout
    assert schools(any_session) == {}


def test_a_file_that_is_not_the_register_is_one_clear_message(
    england: Flask, tmp_path: Path
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("urn,name\n1,A school\n", encoding="utf-8")
    result = run(england, str(other))
    assert result.exit_code == 1
    assert "This is not the register's establishment CSV: it has no column 'URN'" in result.output
    assert "Traceback" not in result.output
    missing = run(england, str(tmp_path / "absent.csv"))
    assert missing.exit_code == 1 and "is not a file" in missing.output


def test_a_row_with_missing_cells_is_reported_by_line(
    england: Flask, any_session: Session, tmp_path: Path
) -> None:
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join([lines[0], lines[1], "118999,886,Kent"]) + "\n", encoding="utf-8")
    result = run(england, str(short))
    assert result.exit_code == 1
    assert "line 3: row: does not have the header's 138 columns" in result.stderr
    assert set(schools(any_session)) == {"118000"}
