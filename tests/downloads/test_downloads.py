"""Downloads: a search's results and a priority's shortlist as formula-safe CSV, the shortlist as a
printable page; the shortlist only for the school's circle."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from broker.spreadsheet import safe_cell, to_csv
from tests import factories as f
from tests.schools import world as w


def _rows(response: object) -> list[list[str]]:
    text = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _titles_on_page(html: str) -> list[str]:
    return re.findall(r'app-result__title">\s*<a class="govuk-link" href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_a_cell_a_spreadsheet_would_run_is_defused(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert next(csv.reader(io.StringIO(to_csv([[text]]))))[0] == "'" + text


def test_ordinary_cells_are_left_as_they_are() -> None:
    assert [safe_cell(v) for v in ("Kent", 12, None, "a=b", " =x")] == [
        "Kent",
        "12",
        "",
        "a=b",
        " =x",
    ]


def test_search_results_download_has_the_pages_words_filters_and_order(
    client: FlaskClient, session: Session
) -> None:
    provider = f.assured_provider(session, listings=0, name="Early Reading Partners")
    for n in range(3):
        f.listing(session, provider, title=f"Phonics coaching {n}", phases=["primary"])
    f.listing(session, provider, title="Phonics for secondary", phases=["secondary"])
    f.listing(session, provider, title="Governance review", phases=["primary"])
    session.commit()
    query = "q=phonics&phase=primary&sort=title"

    page = client.get(f"/directory?{query}").get_data(as_text=True)
    response = client.get(f"/directory/results.csv?{query}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="directory-search-phonics-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    rows = _rows(response)
    assert rows[0][:3] == ["Code", "Listing", "Provider"]
    titles = [row[1] for row in rows[1:]]
    assert titles == _titles_on_page(page) == [f"Phonics coaching {n}" for n in range(3)]
    assert rows[1][2] == "Early Reading Partners"
    assert rows[1][5] == "Primary"
    assert rows[1][-1].startswith("http://localhost/l/")
    # The page links to it with the same words and filters.
    assert f'href="/directory/results.csv?{query.replace("&", "&amp;")}"' in page


def test_search_results_download_is_formula_safe(client: FlaskClient, session: Session) -> None:
    provider = f.assured_provider(session, listings=0, name="@Evil Provider")
    f.listing(
        session,
        provider,
        title='=HYPERLINK("http://evil.example","Click")',
        summary="+44 helpline, -1 cost",
    )
    session.commit()

    rows = _rows(client.get("/directory/results.csv"))

    (row,) = rows[1:]
    assert row[1] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row[2] == "'@Evil Provider"
    assert row[8] == "'+44 helpline, -1 cost"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_searching_for_a_school_outside_your_circle_cannot_be_downloaded(
    app: Flask, session: Session
) -> None:
    world = w.build(session)
    outsider = w.client_for(app, world.neighbour_head)
    assert outsider.get(f"/directory/results.csv?for={world.school.id}").status_code == 403
    own = w.client_for(app, world.head).get(f"/directory/results.csv?for={world.school.id}")
    assert own.status_code == 200
    assert own.headers["Cache-Control"] == "private, no-store"


def test_bad_search_parameters_never_give_an_error(client: FlaskClient) -> None:
    for query in ("page=abc", "phase=nonsense", "sort=%00", "for=abc", "q=" + "x" * 3000):
        response = client.get(f"/directory/results.csv?{query}")
        assert response.status_code in (200, 400), query


def _shortlist(session: Session) -> tuple[w.World, int, str]:
    world = w.build(session)
    _visit, (priority,) = w.visit(session, world)
    world.listing.contact_email = "phonics@example.org"
    world.listing.price_note = "=cmd|' /C calc'!A0"
    session.add(world.listing)
    w.shortlisted(session, world, priority)
    w.shortlisted(session, world, priority, world.other_listing)
    return world, int(priority.id or 0), f"/schools/{world.school.id}/priorities/{priority.id}"


def test_a_shortlist_downloads_as_csv_for_the_schools_circle(app: Flask, session: Session) -> None:
    world, priority_id, base = _shortlist(session)

    for user in (world.head, world.sip, world.qa, world.admin):
        response = w.client_for(app, user).get(f"{base}/shortlist.csv")
        assert response.status_code == 200, user.role
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert re.fullmatch(
            rf'attachment; filename="shortlist-{world.school.urn}-priority-{priority_id}-'
            r'\d{4}-\d{2}-\d{2}\.csv"',
            response.headers["Content-Disposition"],
        )
    rows = _rows(response)
    header = rows[0]
    by_title = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_title) == {"Phonics leadership coaching", "Governance health check"}
    phonics = by_title["Phonics leadership coaching"]
    assert phonics["Contact email"] == "phonics@example.org"
    assert phonics["Status"] == "Shortlisted"
    assert phonics["In the directory"] == "Yes"
    assert phonics["Price note"] == "'=cmd|' /C calc'!A0"


def test_a_shortlist_download_is_refused_outside_the_schools_circle(
    app: Flask, session: Session
) -> None:
    world, _priority_id, base = _shortlist(session)
    outsiders = [
        (user.role, w.client_for(app, user))
        for user in (world.neighbour_head, world.neighbour_sip, world.far_qa, world.provider)
    ]
    for path in (f"{base}/shortlist.csv", f"{base}/shortlist/print"):
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302
        assert anonymous.headers["Location"].startswith("/sign-in?next=")
        for role, client in outsiders:
            response = client.get(path)
            assert response.status_code == 403, (path, role)
            assert b"Priority 1: raise attainment" not in response.data


def test_another_schools_priority_is_not_found_through_this_school(
    app: Flask, session: Session
) -> None:
    world, priority_id, _base = _shortlist(session)
    _v, (elsewhere,) = w.visit(session, world, school=world.neighbour, sip=world.neighbour_sip)
    head = w.client_for(app, world.head)
    path = f"/schools/{world.school.id}/priorities/{elsewhere.id}/shortlist.csv"
    assert head.get(path).status_code == 404


def test_a_listing_no_longer_public_keeps_its_record_but_not_its_contacts(
    app: Flask, session: Session
) -> None:
    world, _priority_id, base = _shortlist(session)
    world.listing.status = "suspended"
    session.add(world.listing)
    session.commit()
    head = w.client_for(app, world.head)

    rows = _rows(head.get(f"{base}/shortlist.csv"))
    printed = head.get(f"{base}/shortlist/print").get_data(as_text=True)

    row = dict(
        zip(rows[0], next(r for r in rows if r[1] == "Phonics leadership coaching"), strict=True)
    )
    assert row["In the directory"].startswith("No")
    assert row["Contact email"] == ""
    assert "phonics@example.org" not in printed
    assert "no longer in the directory" in printed


def test_the_printable_shortlist_has_contacts_and_its_print_stylesheet(
    app: Flask, session: Session
) -> None:
    world, _priority_id, base = _shortlist(session)
    response = w.client_for(app, world.sip).get(f"{base}/shortlist/print")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert "Confidential: for the school, its SIP and the LA" in page
    assert "phonics@example.org" in page
    assert "Governance health check" in page
    assert "/download-assets/shortlist-print.css" in page
    css = app.test_client().get("/download-assets/shortlist-print.css")
    assert b"@media print" in css.data
    priority_page = w.client_for(app, world.sip).get(base).get_data(as_text=True)
    assert f'href="{base}/shortlist/print"' in priority_page
    assert f'href="{base}/shortlist.csv"' in priority_page


def test_one_client_may_not_download_search_results_without_end(client: FlaskClient) -> None:
    statuses = [client.get("/directory/results.csv?q=x").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
