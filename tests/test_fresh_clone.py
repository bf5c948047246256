"""A council adopting the directory from a fresh clone, with no demo data at all:
`broker init-db`, `broker schools import` of the register, `broker import` of its directory."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from broker.models import Listing, School, User

SAMPLE = Path(__file__).resolve().parent / "data" / "edubasealldata_sample.csv"
RECENT = (date.today() - timedelta(days=400)).isoformat()  # more than a year ago, still valid


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args))


def rec(urn: str, name: str) -> dict[str, Any]:
    return {
        "school_urn": urn,
        "school_name": name,
        "recommender_name": "A. Head",
        "service_title": "Support",
        "impact": "Pupils' reading ages rose by a year in two terms.",
        "date": RECENT,
    }


def listing(title: str, **areas: Any) -> dict[str, Any]:
    return {
        "title": title,
        "summary": "Practical support for schools.",
        "categories": ["Teaching and Learning"],
        "phases": ["Primary"],
        "cost": "Paid",
        "areas_served": {"national": False, "regions": [], "local_authorities": [], **areas},
    }


def directory() -> list[dict[str, Any]]:
    kent = {
        "provider": {
            "name": "Kent Maths Hub",
            "kind": "LA service",
            "email": "hub@kent.example.org",
            "la_code": "886",
        },
        "listings": [listing("Mastery in maths", local_authorities=["886"])],
        "recommendations": [
            rec("118000", "Oakfield Primary School"),
            rec("118002", "Riverside Special School"),
        ],
        "status": "assured",
    }
    national = {
        "provider": {
            "name": "National Reading Trust",
            "kind": "National programme",
            "website": "https://nrt.example.org",
        },
        "listings": [
            listing("Every Child a Reader", national=True),
            listing(
                "Reading in the north",
                regions=["North West"],
                local_authorities=["940", "941", "839"],
            ),
        ],
        "recommendations": [
            rec("145000", "Solway Coast Academy"),
            rec("146000", "St Thomas à Becket Catholic Primary School"),
        ],
        "status": "assured",
    }
    return [kent, national]


def test_init_db_then_the_register_then_a_directory_works_without_any_demo_data(
    any_app: Flask, any_session: Session, tmp_path: Path
) -> None:
    assert run(any_app, "init-db").exit_code == 0

    # The register as downloaded, less the sample's two deliberately bad rows.
    register = tmp_path / "edubasealldata.csv"
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    register.write_bytes(b"".join(line for n, line in enumerate(lines, 1) if n not in (9, 10)))
    schools = run(any_app, "schools", "import", str(register))
    assert schools.exit_code == 0, schools.output
    assert "Schools were created: 8" in schools.output

    path = tmp_path / "council-directory.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in directory()) + "\n", "utf-8"
    )
    imported = run(any_app, "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert "2 records read, 2 valid, 0 failed." in imported.stdout
    assert "Schools were created: 0." in imported.stdout  # every referee school is in the register
    assert "Listings of the file that were published (searchable): 3 of 3." in imported.stdout
    assert "Warnings: 0." in imported.stdout

    any_session.expire_all()
    assert any_session.exec(select(User)).all() == []  # no demo users, no demo anything
    assert len(any_session.exec(select(School)).all()) == 8
    listings = any_session.exec(select(Listing)).all()
    assert len(listings) == 3 and all(item.is_public() for item in listings)

    assert run(any_app, "index", "rebuild").exit_code == 0

    def titles(la: str) -> set[str]:
        found = any_app.test_client().get(f"/api/v1/listings?la={la}").get_json()
        return {item["title"] for item in found["results"]}

    assert titles("942") == {"Every Child a Reader", "Reading in the north"}  # by its region
    assert titles("941") == {"Every Child a Reader", "Reading in the north"}  # by its code
    assert titles("886") == {"Every Child a Reader", "Mastery in maths"}
    assert titles("850") == {"Every Child a Reader"}  # only the national programme
