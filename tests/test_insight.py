"""The LA's supply and demand: figures against hand-built fixtures, suppression of small cells,
academic years, the CSV, and who may see it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from broker.insight import services
from broker.insight.services import HIDDEN, SUPPRESSED, AcademicYear, Report, Row
from broker.models import LocalAuthority, Priority, School, SchoolVisit, utcnow
from tests import factories as f
from tests.auth.helpers import PASSWORD, current_code
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.schools.world import client_for, make_user

#: A fixed "today" for the service tests: this academic year is 2024 to 2025, last is 2023 to 2024.
TODAY = date(2025, 3, 1)


# --- helpers ------------------------------------------------------------------------------------


def need(
    category: str = "teaching-and-learning",
    ecm: tuple[str, ...] = ("enjoy-and-achieve",),
    groups: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Describe one priority: its area, ECM outcomes and pupil groups."""
    return {"category": category, "ecm_outcomes": list(ecm), "pupil_groups": list(groups)}


def visited(session: Session, school: School, on: date, *needs: dict[str, Any]) -> list[Priority]:
    """Record a visit to `school` on `on` with one priority per need (rows only, no rules)."""
    record = SchoolVisit(school_id=int(school.id or 0), visited_on=on, evidence=["sef"])
    session.add(record)
    session.flush()
    rows = [
        Priority(
            visit_id=int(record.id or 0),
            school_id=int(school.id or 0),
            description=f"Priority for {school.name}",
            rag="amber",
            **n,
        )
        for n in needs
    ]
    session.add_all(rows)
    session.flush()
    return rows


def row(result: Report, key: str, slug: str) -> Row:
    """Return one row of one dimension of a report."""
    breakdown = next(b for b in result.breakdowns if b.dimension.key == key)
    return next(r for r in breakdown.rows if r.slug == slug)


def figures(result: Report, key: str, slug: str) -> tuple[Any, ...]:
    """(schools, priorities) this year and last, and listings, for one row."""
    r = row(result, key, slug)
    return (
        r.this_year.schools,
        r.this_year.priorities,
        r.last_year.schools,
        r.last_year.priorities,
        r.listings,
    )


@dataclass
class Scene:
    la: LocalAuthority
    other_la: LocalAuthority
    schools: dict[str, School]


def build_scene(session: Session) -> Scene:
    """Kent's five schools, their visits over three years, and listings in and out of Kent.

    This year (2024 to 2025): 5 schools, 7 priorities. Last year: 3 schools, 3 priorities.
    Supply: 4 listings serve Kent (national, Kent by code, the South East, online).
    """
    kent = f.local_authority(session, code="886", name="Kent", region="south-east")
    brum = f.local_authority(session, code="330", name="Birmingham", region="west-midlands")
    s = {
        "p1": f.school(session, la=kent, name="Ash Primary", phase="primary"),
        "p2": f.school(session, la=kent, name="Beech Primary", phase="primary"),
        "p3": f.school(session, la=kent, name="Cedar Primary", phase="primary"),
        "s1": f.school(session, la=kent, name="Downs Secondary", phase="secondary"),
        "x1": f.school(session, la=kent, name="Elm Special", phase="special"),
        "far": f.school(session, la=brum, name="Far Primary", phase="primary"),
    }
    # This academic year, including both of its boundary days.
    visited(
        session,
        s["p1"],
        date(2024, 10, 1),
        need(groups=("boys-achievement",)),
        need("governance", ("stay-safe",), ("free-school-meals",)),
    )
    visited(session, s["p2"], date(2024, 9, 1), need(groups=("boys-achievement",)))
    visited(
        session,
        s["p3"],
        date(2025, 8, 31),
        need(ecm=("enjoy-and-achieve", "be-healthy"), groups=("eal",)),
    )
    visited(
        session,
        s["s1"],
        date(2025, 1, 15),
        need(groups=("boys-achievement",)),
        need("governance", ("stay-safe",), ("boys-achievement",)),
    )
    visited(
        session,
        s["x1"],
        date(2025, 2, 1),
        need("inclusion-sen-and-vulnerable-groups", ("be-healthy",), ("sen-and-disabilities",)),
    )
    visited(session, s["far"], date(2024, 11, 1), need("governance"))  # another LA
    # Last academic year, including both of its boundary days.
    leadership = need("leadership-and-management")
    visited(session, s["p1"], date(2024, 8, 31), leadership)
    visited(session, s["p2"], date(2023, 9, 1), leadership)
    visited(session, s["p3"], date(2024, 5, 5), leadership)
    # Two years ago: counted nowhere.
    visited(session, s["p1"], date(2023, 8, 31), need("governance"))

    good = f.assured_provider(session, listings=0)
    f.listing(
        session,
        good,
        categories=["teaching-and-learning"],
        ecm_outcomes=["enjoy-and-achieve"],
        phases=["primary"],
        pupil_groups=[],
    )
    f.listing(
        session,
        good,
        national=False,
        local_authorities=["886"],
        categories=["teaching-and-learning", "governance"],
        ecm_outcomes=["stay-safe"],
        phases=["primary", "secondary"],
    )
    f.listing(
        session,
        good,
        national=False,
        regions=["south-east"],
        categories=["governance"],
        ecm_outcomes=["stay-safe"],
        phases=["secondary"],
    )
    f.listing(
        session,
        good,
        national=True,  # an online course open to every school says national
        delivery=["online-remote"],
        categories=["teaching-and-learning"],
        ecm_outcomes=["be-healthy"],
        phases=["special"],
    )
    # Not serving Kent, or not public: none of these counts.
    f.listing(session, good, national=False, local_authorities=["330"], categories=["early-years"])
    f.listing(session, good, status="suspended", categories=["early-years"])
    f.listing(
        session,
        good,
        categories=["early-years"],
        assurance_expires_at=utcnow() - timedelta(days=1),
    )
    lonely = f.provider(session)
    f.recommendation(session, lonely)
    f.listing(session, lonely, categories=["early-years"])
    session.commit()
    return Scene(kent, brum, s)


# --- academic years -----------------------------------------------------------------------------


def test_academic_year_runs_from_september_to_august() -> None:
    assert AcademicYear.of(date(2024, 9, 1)) == AcademicYear(2024)
    assert AcademicYear.of(date(2024, 8, 31)) == AcademicYear(2023)
    assert AcademicYear.of(date(2025, 8, 31)) == AcademicYear(2024)
    year = AcademicYear(2024)
    assert (year.first_day, year.last_day) == (date(2024, 9, 1), date(2025, 8, 31))
    assert year.label == "2024 to 2025"
    assert year.short == "2024-25"
    assert year.previous() == AcademicYear(2023)
    assert date(2024, 9, 1) in year and date(2024, 8, 31) not in year


# --- demand and supply --------------------------------------------------------------------------


def test_totals_count_schools_and_priorities_by_the_academic_year_of_the_visit(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    result = services.report(any_session, scene.la, today=TODAY)
    assert (result.this_year.year, result.last_year.year) == (
        AcademicYear(2024),
        AcademicYear(2023),
    )
    assert (result.this_year.schools, result.this_year.priorities) == (5, 7)
    assert (result.last_year.schools, result.last_year.priorities) == (3, 3)
    assert result.listings == 4


def test_demand_by_area_counts_distinct_schools_and_suppresses_small_cells(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    result = services.report(any_session, scene.la, today=TODAY)
    # (schools, priorities) this year, (schools, priorities) last year, listings serving Kent.
    assert figures(result, "category", "teaching-and-learning") == (4, 4, 0, 0, 3)
    assert figures(result, "category", "leadership-and-management") == (0, 0, 3, 3, 0)
    # Two schools (three priorities, one two years ago not counted) and one school: withheld.
    assert figures(result, "category", "governance") == (None, None, 0, 0, 2)
    assert figures(result, "category", "inclusion-sen-and-vulnerable-groups")[:2] == (None, None)
    assert row(result, "category", "governance").this_year.withheld == SUPPRESSED
    assert row(result, "category", "teaching-and-learning").this_year.share == 80
    assert row(result, "category", "teaching-and-learning").supply_share == 75
    assert figures(result, "category", "early-years") == (0, 0, 0, 0, 0)


def test_demand_by_phase_uses_the_schools_phase_and_supply_the_listings_phases(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    result = services.report(any_session, scene.la, today=TODAY)
    assert figures(result, "phase", "primary") == (3, 4, 3, 3, 2)
    assert figures(result, "phase", "secondary") == (None, None, 0, 0, 2)
    assert figures(result, "phase", "special") == (None, None, 0, 0, 1)


def test_multi_valued_outcomes_and_pupil_groups_count_each_school_once_per_value(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    result = services.report(any_session, scene.la, today=TODAY)
    assert figures(result, "ecm", "enjoy-and-achieve") == (4, 4, 3, 3, 1)
    assert figures(result, "ecm", "stay-safe") == (None, None, 0, 0, 2)
    assert figures(result, "ecm", "be-healthy") == (None, None, 0, 0, 1)
    # Downs Secondary has two boys' priorities: three schools, four priorities.
    assert figures(result, "pupil_group", "boys-achievement") == (3, 4, 0, 0, 0)
    assert figures(result, "pupil_group", "eal")[:2] == (None, None)


def test_supply_counts_only_public_listings_that_serve_the_la(any_session: Session) -> None:
    scene = build_scene(any_session)
    serving = services.serving_listings(any_session, scene.la, utcnow())
    assert len(serving) == 4
    assert not any("early-years" in listing.categories for listing in serving)
    result = services.report(any_session, scene.other_la, today=TODAY)
    # Birmingham: the national listing, the online one, and its own.
    assert result.listings == 3
    assert figures(result, "category", "early-years")[-1] == 1


def test_gaps_are_needs_whose_demand_share_is_at_least_twice_their_supply_share(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    result = services.report(any_session, scene.la, today=TODAY)
    enjoy = row(result, "ecm", "enjoy-and-achieve")  # 80% of schools, 25% of listings
    assert (enjoy.ratio, enjoy.gap) == (3.2, True)
    boys = row(result, "pupil_group", "boys-achievement")  # 60% of schools, no listings
    assert (boys.ratio, boys.gap, boys.no_supply) == (None, True, True)
    teaching = row(result, "category", "teaching-and-learning")  # 80% against 75%
    assert (teaching.ratio, teaching.gap) == (1.1, False)
    primary = row(result, "phase", "primary")  # 60% against 50%
    assert primary.gap is False
    # A suppressed need is never called a gap (that would reveal it).
    assert row(result, "category", "inclusion-sen-and-vulnerable-groups").gap is False
    assert [r.slug for _, r in result.gaps()] == ["boys-achievement", "enjoy-and-achieve"]


def test_one_small_cell_of_a_dimension_that_adds_up_hides_a_second_cell(
    any_session: Session,
) -> None:
    la = f.local_authority(any_session, code="201", region="london")
    on = date(2024, 11, 5)
    for _ in range(4):
        school = f.school(any_session, la=la, phase="primary")
        visited(any_session, school, on, need(), need())
    school = f.school(any_session, la=la, phase="secondary")
    visited(any_session, school, on, need("governance"))
    any_session.commit()
    result = services.report(any_session, la, today=TODAY)
    assert (result.this_year.schools, result.this_year.priorities) == (5, 9)
    # Secondary (one school) is suppressed; primary would then be 5 - 1: hidden too.
    secondary, primary = row(result, "phase", "secondary"), row(result, "phase", "primary")
    assert (secondary.this_year.withheld, primary.this_year.withheld) == (SUPPRESSED, HIDDEN)
    assert primary.this_year.schools is None and primary.this_year.priorities is None
    # Areas: governance (one school) suppressed, teaching and learning (8 of 9 priorities) hidden.
    assert row(result, "category", "governance").this_year.withheld == SUPPRESSED
    assert row(result, "category", "teaching-and-learning").this_year.withheld == HIDDEN
    # Outcomes do not add up (a priority can have several): nothing else is hidden there.
    assert row(result, "ecm", "enjoy-and-achieve").this_year.schools == 5


def test_a_year_with_priorities_from_fewer_than_three_schools_shows_no_figures(
    any_session: Session,
) -> None:
    la = f.local_authority(any_session, code="202", region="london")
    for _ in range(2):
        visited(any_session, f.school(any_session, la=la), date(2024, 10, 1), need(), need())
    any_session.commit()
    result = services.report(any_session, la, today=TODAY)
    assert result.this_year.suppressed and result.this_year.priorities is None
    assert all(r.this_year.suppressed for b in result.breakdowns for r in b.rows)
    # A year with nothing at all shows zeros: nobody is identified by a zero.
    assert (result.last_year.schools, result.last_year.priorities) == (0, 0)
    assert row(result, "category", "governance").last_year.schools == 0


# --- the CSV ------------------------------------------------------------------------------------


def test_safe_cell_defuses_spreadsheet_formulas() -> None:
    for text in ("=SUM(A1)", "+1", "-2", "@cmd", "\tx"):
        assert services.safe_cell(text) == "'" + text
    assert services.safe_cell("Kent") == "Kent"
    assert services.safe_cell(12) == "12"
    assert services.safe_cell(None) == ""


def _qa_client(app: Flask, session: Session, la: LocalAuthority) -> FlaskClient:
    return client_for(app, make_user(session, "qa_officer", la_id=la.id, enrolled=True))


def test_csv_has_a_header_row_the_same_figures_and_suppression(
    app: Flask, session: Session
) -> None:
    year = AcademicYear.of(date.today())
    la = f.local_authority(session, code="887", name='=HYPERLINK("http://x")', region="london")
    big = [f.school(session, la=la) for _ in range(3)]
    for school in big:
        visited(session, school, year.first_day, need())
    visited(session, big[0], year.first_day, need("governance", ("stay-safe",)))
    f.assured_provider(session, listings=1)
    session.commit()
    client = _qa_client(app, session, la)

    response = client.get("/qa/supply-and-demand.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="supply-and-demand-887-{year.short}.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, rows = lines[0], lines[1:]
    assert header[:4] == ["Local authority code", "Local authority", "Facet", "Value"]
    assert header[4] == f"Schools with this need {year.label}"
    by_value = {(r[2], r[3]): dict(zip(header, r, strict=True)) for r in rows}
    assert len(rows) == sum(len(d.vocabulary) for d in services.DIMENSIONS)
    schools, priorities = f"Schools with this need {year.label}", f"Priorities {year.label}"
    enjoy = by_value[("Every Child Matters outcome", "Enjoy and achieve")]
    assert (enjoy[schools], enjoy[priorities]) == ("3", "3")
    assert enjoy[f"Share of schools with priorities {year.label} (%)"] == "100"
    assert enjoy["Listings serving the LA"] == "1"
    assert enjoy["Share of listings (%)"] == "100"
    stay_safe = by_value[("Every Child Matters outcome", "Stay safe")]
    assert (stay_safe[schools], stay_safe[priorities]) == (SUPPRESSED, SUPPRESSED)
    # Areas add up to the 4 priorities: with governance withheld, teaching is hidden too.
    governance = by_value[("Area of support", "Governance")]
    teaching = by_value[("Area of support", "Teaching and Learning")]
    assert (governance[schools], teaching[schools], teaching[priorities]) == (
        SUPPRESSED,
        HIDDEN,
        HIDDEN,
    )
    # The LA's name starts with "=": written so a spreadsheet shows it as text.
    assert all(r[1] == '\'=HYPERLINK("http://x")' for r in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in lines for cell in r)


def test_page_shows_figures_and_withholds_small_cells_without_naming_schools(
    app: Flask, session: Session
) -> None:
    year = AcademicYear.of(date.today())
    la = f.local_authority(session, code="888", name="Medway", region="south-east")
    schools = [f.school(session, la=la, name=f"Hidden Name School {n}") for n in range(3)]
    for school in schools:
        visited(session, school, year.first_day, need())
    visited(session, schools[0], year.first_day - timedelta(days=1), need("governance"))
    session.commit()
    page = _qa_client(app, session, la).get("/qa/supply-and-demand").get_data(as_text=True)
    assert "Medway" in page
    assert "3 priorities from 3 schools" in page
    assert "fewer than 3 schools, so no figures are shown" in page  # last year: one school
    assert SUPPRESSED in page and 'id="withheld-note"' in page
    assert "Hidden Name School" not in page
    assert '<th scope="row" class="govuk-table__header">Teaching and Learning</th>' in page
    assert "3 (100%)" in page
    assert 'role="img"' in page and "<caption" in page
    assert "/qa/supply-and-demand.csv?la=888" in page


# --- access -------------------------------------------------------------------------------------


@pytest.fixture
def people(app: Flask, session: Session) -> dict[str, Any]:
    kent = f.local_authority(session, code="886", name="Kent", region="south-east")
    brum = f.local_authority(session, code="330", name="Birmingham", region="west-midlands")
    school = f.school(session, la=kent)
    provider = f.provider(session)
    session.commit()
    return {
        "la": kent,
        "other": brum,
        "headteacher": make_user(session, "headteacher", school_id=school.id),
        "sip": make_user(session, "sip", la_id=kent.id),
        "provider": make_user(session, "provider", provider_id=provider.id),
        "qa": make_user(session, "qa_officer", la_id=kent.id, enrolled=True),
        "admin": make_user(session, "admin", enrolled=True),
    }


def _outcome(response: Any) -> int | str:
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in"):
        return "sign-in"
    return response.status_code


@pytest.mark.parametrize("path", ["/qa/supply-and-demand", "/qa/supply-and-demand.csv"])
def test_only_qa_officers_and_admins_may_see_supply_and_demand(
    app: Flask, people: dict[str, Any], path: str
) -> None:
    assert _outcome(app.test_client().get(path)) == "sign-in"
    for role in ("headteacher", "sip", "provider"):
        response = client_for(app, people[role]).get(path + "?la=886")
        assert _outcome(response) == 403, role
        assert b"Kent (886)" not in response.data


def test_a_qa_officer_sees_their_own_la_only(app: Flask, people: dict[str, Any]) -> None:
    client = client_for(app, people["qa"])
    page = client.get("/qa/supply-and-demand")
    assert page.status_code == 200 and b"Kent (886)" in page.data
    assert b'name="la"' not in page.data  # no choice of LA
    assert client.get("/qa/supply-and-demand?la=886").status_code == 200
    assert client.get("/qa/supply-and-demand?la=330").status_code == 403
    assert client.get("/qa/supply-and-demand.csv?la=330").status_code == 403
    assert client.get("/qa/supply-and-demand.csv").status_code == 200


def test_a_qa_officer_without_an_la_is_refused(app: Flask, session: Session) -> None:
    loose = make_user(session, "qa_officer", enrolled=True)
    assert client_for(app, loose).get("/qa/supply-and-demand").status_code == 403


def test_an_admin_chooses_any_la(app: Flask, people: dict[str, Any]) -> None:
    client = client_for(app, people["admin"])
    chooser = client.get("/qa/supply-and-demand")
    assert chooser.status_code == 200
    assert b"Choose a local authority" in chooser.data and b"Birmingham (330)" in chooser.data
    assert b"Kent (886)" in client.get("/qa/supply-and-demand?la=886").data
    birmingham = client.get("/qa/supply-and-demand?la=330")
    assert birmingham.status_code == 200 and b'<option value="330" selected>' in birmingham.data
    assert client.get("/qa/supply-and-demand.csv?la=330").status_code == 200
    # Without an LA the CSV cannot be made; an unknown or absurd code is a clear 404, never a 500.
    assert client.get("/qa/supply-and-demand.csv").status_code == 400
    missing = client.get("/qa/supply-and-demand?la=%3Cscript%3E")
    assert missing.status_code == 404 and b"<script>" not in missing.data
    assert client.get("/qa/supply-and-demand?la=" + "9" * 500).status_code == 404


# --- in a real browser --------------------------------------------------------------------------


def _wider_than_page(page: Any) -> list[str]:
    """Name the elements that stick out of the page sideways (outside their own scroll boxes)."""
    return page.evaluate(
        """() => { const w = document.documentElement.clientWidth; const out = [];
        for (const e of document.querySelectorAll('body *')) {
            const r = e.getBoundingClientRect();
            const clipped = getComputedStyle(e).position !== 'absolute' && e.closest('.app-table-scroll');
            if (r.right > w + 1 && !clipped) {
                out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right)); } }
        return out.slice(0, 10); }"""
    )


@pytest.mark.browser
def test_the_page_reads_well_and_passes_axe_in_a_browser_at_1024_and_320_px(
    live_server: LiveServer,  # noqa: F811
    browse_at: Callable[..., Browsing],  # noqa: F811
) -> None:
    year = AcademicYear.of(date.today())
    with live_server.session() as session:
        la = f.local_authority(session, code="886", name="Kent", region="south-east")
        for n in range(4):
            school = f.school(session, la=la, phase="secondary" if n == 3 else "primary")
            visited(session, school, year.first_day, need(groups=("boys-achievement",)))
            visited(session, school, year.first_day - timedelta(days=1), need("governance"))
        f.assured_provider(session, listings=2)
        session.commit()
        qa = make_user(session, "qa_officer", la_id=la.id, enrolled=True)

    browsing = browse_at(width=1024)
    browsing.visit("/sign-in")
    browsing.page.fill("#email", qa.email)
    browsing.page.fill("#password", PASSWORD)
    browsing.page.click("button:has-text('Sign in')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    browsing.page.fill("#code", current_code(qa))
    browsing.page.click("main button[type=submit]")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    for width in (1024, 320):
        browsing.page.set_viewport_size({"width": width, "height": 800})
        browsing.visit("/qa/supply-and-demand")
        page = browsing.page
        assert page.title().startswith("Supply and demand: Kent")
        assert not browsing.has_horizontal_scroll(), (width, _wider_than_page(page))
        # Four charts, each an image with a text alternative, each followed by its table.
        charts = page.locator(".app-chart__plot[role=img]")
        assert charts.count() == 4
        assert "Gaps: Boys' achievement" in (charts.nth(3).get_attribute("aria-label") or "")
        assert page.locator("table caption").count() == 4
        # Bars are drawn by classes (the CSP allows no inline styles): a 100% bar fills its track.
        full = page.locator(".app-chart__bar--now.app-chart__bar--w100").first
        track = full.locator("xpath=..")
        assert abs(full.bounding_box()["width"] - track.bounding_box()["width"]) < 2
        # Each bar says what it is in words, not by colour alone.
        assert page.locator(".app-chart__key", has_text="Supply").count() > 0
        # Last year's priorities (secondary phase, one school) and the secondary row are withheld.
        assert SUPPRESSED in page.inner_text("#caption-phase ~ tbody")
        # The wide tables scroll in their own box, which the keyboard can reach.
        focused = browsing.tab_to("e => e.classList.contains('app-table-scroll')", limit=120)
        assert focused["tag"] == "DIV"
