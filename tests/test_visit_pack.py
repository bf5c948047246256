"""The visit pack: a school's current priorities with their shortlists, suggestions and contacts,
as a print-friendly page and an A4 PDF, seen only by the school's circle and never cached publicly."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from broker.brokerage import services as brokerage
from broker.hardcopy.printing import local_date
from broker.models import Listing, Priority, School, utcnow
from broker.schools import services as schools
from tests import factories as f
from tests.auth.helpers import PASSWORD
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.schools import world as w

SITE = "https://directory.example.org"
CONFIDENTIAL = "Confidential: for the school, its SIP and the LA"
EVERYONE, CIRCLE = w.EVERYONE, w.CIRCLE
DESCRIPTION = 'Phonics in Year 1: <script>alert("x")</script> & "decoding" for boys'


@dataclass
class Scene:
    world: w.World
    priority: Priority
    second: Priority
    agreed: Listing
    suggested: Listing
    suspended: Listing


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Return the text of a PDF as pdftotext (poppler) reads it."""
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def pdf_info(data: bytes, tmp_path: Path) -> dict[str, str]:
    """Return what pdfinfo (poppler) says of a PDF: page size, pages..."""
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in result.stdout.splitlines())
    )


def _outcome(response) -> int | str:  # type: ignore[no-untyped-def]
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in"):
        return "sign-in"
    return response.status_code


@pytest.fixture
def scene(app: Flask, session: Session) -> Scene:
    app.config["BASE_URL"] = SITE
    world = w.build(session)
    provider = f.assured_provider(
        session,
        listings=0,
        name="Fenland Phonics Partnership",
        phone="01354 111222",
        email="hello@fenland-phonics.example",
        website="https://fenland-phonics.example",
    )
    suggested = f.listing(
        session,
        provider,
        code="PHX001",
        title="Phonics decoding catch-up for Year 1",
        summary="Phonics decoding sessions for Year 1 boys.",
        description="Phonics decoding programme: synthetic phonics for Year 1 pupils.",
        categories=["curriculum-and-subject-support"],
        pupil_groups=["boys-achievement"],
        phases=["primary"],
    )
    suspended = f.listing(
        session,
        f.assured_provider(session, listings=0),  # public when shortlisted, suspended since
        title="Phonics audit by a consultant now suspended",
        categories=["curriculum-and-subject-support"],
        contact_phone="07000 999999",
    )
    session.commit()
    visit = schools.record_visit(
        session,
        world.sip,
        world.school,
        visited_on=date.today() - timedelta(days=3),
        evidence=["sef"],
        support_category="targeted",
    )
    priority = schools.add_priority(
        session,
        world.sip,
        visit,
        description=DESCRIPTION,
        category="curriculum-and-subject-support",
        ecm_outcomes=["enjoy-and-achieve"],
        pupil_groups=["boys-achievement"],
        rag="amber",
    )
    second = schools.add_priority(
        session,
        world.sip,
        visit,
        description="Governors to hold leaders to account for attendance",
        category="governance",
        rag="red",
    )
    session.commit()
    agreed = brokerage.shortlist(session, world.sip, priority, int(world.listing.id or 0))
    brokerage.shortlist(session, world.sip, priority, int(suspended.id or 0))
    session.commit()
    brokerage.move(session, world.head, agreed, "agreed")
    suspended.status = "suspended"
    session.add(suspended)
    session.commit()
    return Scene(world, priority, second, world.listing, suggested, suspended)


def test_the_pack_answers_each_role_as_the_school_page_does(app: Flask, scene: Scene) -> None:
    users = scene.world.users()
    sid = scene.world.school.id
    for role in EVERYONE:
        client = w.client_for(app, users.get(role))
        for path in (f"/schools/{sid}/visit-pack", f"/schools/{sid}/visit-pack.pdf"):
            response = client.get(path)
            expected = "sign-in" if role == "anonymous" else 200 if role in CIRCLE else 403
            assert _outcome(response) == expected, (role, path)
            if expected != 200:
                assert b"Phonics in Year 1" not in response.data, (role, path)
                assert b"Fenland" not in response.data, (role, path)
            else:
                assert response.headers["Cache-Control"] == "private, no-store", (role, path)


def test_the_page_shows_each_priority_with_its_shortlist_suggestions_and_contacts(
    app: Flask, scene: Scene
) -> None:
    page = w.client_for(app, scene.world.sip).get(f"/schools/{scene.world.school.id}/visit-pack")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    text = page.get_data(as_text=True).replace("&#39;", "'")
    school = scene.world.school
    for expected in (
        CONFIDENTIAL,
        f"Visit pack: {school.name}",
        f"URN {school.urn}",
        "Margaret Holloway",  # the SIP
        "Kent (886)",
        local_date(utcnow()),
        # The priority: description, area, outcomes, pupil groups, RAG in words.
        "Priority 1: Curriculum and Subject Support",
        "Enjoy and achieve",
        "Boys' achievement",
        "Amber (some concern: needs attention)",
        "Priority 2: Governance",
        "Red (serious concern: needs action now)",
        # The shortlist with its state in words.
        "Phonics leadership coaching",
        "Status: Agreed",
        "Helen Marsh Education Consultancy",
        # A suggestion with its reasons and full contact.
        "Phonics decoding catch-up for Year 1",
        "Why suggested:",
        "Fenland Phonics Partnership",
        "01354 111222",
        "hello@fenland-phonics.example",
        "https://fenland-phonics.example",
        "directory.example.org/l/PHX001",
        "Download the visit pack (PDF, A4)",
    ):
        assert expected in text, expected
    # The suspended listing keeps its place on the shortlist, without contacts; never suggested.
    assert "Phonics audit by a consultant now suspended" in text
    assert "no longer in the directory" in text
    assert "07000 999999" not in text
    assert text.count("Phonics decoding catch-up for Year 1") == 1


def test_users_text_is_escaped_on_the_page_and_printed_as_written(
    app: Flask, scene: Scene, tmp_path: Path
) -> None:
    client = w.client_for(app, scene.world.head)
    page = client.get(f"/schools/{scene.world.school.id}/visit-pack").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;decoding&#34;" in page
    pdf = client.get(f"/schools/{scene.world.school.id}/visit-pack.pdf")
    assert pdf.status_code == 200
    assert DESCRIPTION in pdf_text(pdf.data, tmp_path)


def test_the_pdf_is_an_a4_download_with_the_same_contents(
    app: Flask, scene: Scene, tmp_path: Path
) -> None:
    response = w.client_for(app, scene.world.qa).get(
        f"/schools/{scene.world.school.id}/visit-pack.pdf"
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    urn = scene.world.school.urn
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="visit-pack-{urn}-')
    assert response.data.startswith(b"%PDF")
    assert "(A4)" in pdf_info(response.data, tmp_path)["Page size"]
    text = " ".join(pdf_text(response.data, tmp_path).split())
    for expected in (
        CONFIDENTIAL,
        f"Visit pack: {scene.world.school.name}",
        f"URN {urn}",
        "Margaret Holloway",
        "Amber (some concern: needs attention)",
        "Red (serious concern: needs action now)",
        "Status: Agreed",
        "Phonics leadership coaching",
        "Phonics decoding catch-up for Year 1",
        "Why suggested:",
        "01354 111222",
        "hello@fenland-phonics.example",
        "directory.example.org/l/PHX001",
        local_date(utcnow()),
        "Page 1 of",
    ):
        assert expected in text, expected
    assert "07000 999999" not in text


def test_a_school_without_priorities_gets_a_pack_saying_so(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    world = w.build(session)
    client = w.client_for(app, world.neighbour_sip)
    page = client.get(f"/schools/{world.neighbour.id}/visit-pack")
    assert page.status_code == 200
    assert "No priorities have been recorded" in page.get_data(as_text=True)
    pdf = client.get(f"/schools/{world.neighbour.id}/visit-pack.pdf")
    assert "No priorities yet" in pdf_text(pdf.data, tmp_path)


def test_the_school_page_links_to_its_visit_pack(app: Flask, scene: Scene) -> None:
    sid = scene.world.school.id
    page = w.client_for(app, scene.world.sip).get(f"/schools/{sid}")
    assert f'href="/schools/{sid}/visit-pack"' in page.get_data(as_text=True)


def test_unknown_and_impossible_schools_are_not_found(app: Flask, session: Session) -> None:
    world = w.build(session)
    client = w.client_for(app, world.admin)
    assert session.get(School, 10_000) is None
    for path in (
        "/schools/10000/visit-pack",
        "/schools/99999999999/visit-pack",
        "/schools/99999999999/visit-pack.pdf",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.browser
def test_the_pack_page_passes_axe_and_fits_a_phone_in_a_real_browser(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.session() as session:
        world = w.build(session)
        w.visit(session, world)
    for width in (1024, 320):
        browsing = browse_at(width=width)
        browsing.visit("/sign-in")
        browsing.page.fill("#email", world.sip.email)
        browsing.page.fill("#password", PASSWORD)
        browsing.page.click("button:has-text('Sign in')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        browsing.visit(f"/schools/{world.school.id}")
        browsing.page.click("a:has-text('Visit pack')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        assert browsing.path() == f"/schools/{world.school.id}/visit-pack"
        assert CONFIDENTIAL in browsing.page.inner_text("main")
        assert not browsing.has_horizontal_scroll(), width
