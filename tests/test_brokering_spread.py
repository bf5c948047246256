"""How brokered work is spread (issue 16): periods, the counts per provider and per SIP on built
data, the flag for a SIP who sends most of their work to one provider, registered interests, the
CSV, who may see it, and the page in a real browser."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from broker.errors import InvalidInput
from broker.insight import spread
from broker.insight.spread import Period, ProviderRow, SipRow, Spread, concentrated, period_for
from broker.models import (
    Brokerage,
    Interest,
    Listing,
    LocalAuthority,
    Priority,
    Provider,
    School,
    SchoolVisit,
    User,
)
from tests import factories as f
from tests.auth.helpers import PASSWORD, current_code
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.schools.world import client_for, make_user

#: The school year 2024 to 2025, as "Dates you choose" in a URL.
YEAR_ARGS = "period=custom&start=1&start=9&start=2024&end=31&end=8&end=2025"
YEAR = Period(date(2024, 9, 1), date(2025, 8, 31), "2024 to 2025")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# --- building brokerages ------------------------------------------------------------------------


@dataclass
class Builder:
    """Adds brokerage rows directly (dates chosen by the test), one priority each unless given."""

    session: Session
    listings: dict[int, Listing] = field(default_factory=dict)

    def priority(self, school: School) -> Priority:
        visit = SchoolVisit(school_id=int(school.id or 0), visited_on=date(2024, 9, 2))
        self.session.add(visit)
        self.session.flush()
        row = Priority(
            visit_id=int(visit.id or 0),
            school_id=int(school.id or 0),
            description="Raise attainment in reading",
            category="teaching-and-learning",
            rag="amber",
        )
        self.session.add(row)
        self.session.flush()
        return row

    def brokerage(
        self,
        sip: User | None,
        school: School,
        provider: Provider,
        state: str = "agreed",
        *,
        agreed: datetime | None = None,
        suggested: datetime | None = None,
        priority: Priority | None = None,
        declared: str | None = None,
    ) -> Brokerage:
        pid = int(provider.id or 0)
        if pid not in self.listings:
            self.listings[pid] = f.listing(self.session, provider)
        suggested = suggested or (agreed - timedelta(days=3) if agreed else utc(2024, 10, 1))
        if state != "suggested" and agreed is None:
            agreed = suggested + timedelta(days=2)
        row = Brokerage(
            priority_id=int((priority or self.priority(school)).id or 0),
            school_id=int(school.id or 0),
            listing_id=int(self.listings[pid].id or 0),
            provider_id=pid,
            state=state,
            shortlisted_by_id=sip.id if sip else None,
            suggested_at=suggested,
            agreed_at=None if state == "suggested" else agreed,
            declined_at=agreed + timedelta(days=1) if state == "declined" and agreed else None,
            declined_reason="Another offer came first" if state == "declined" else None,
            interest_declared=declared,
        )
        self.session.add(row)
        self.session.flush()
        return row


@dataclass
class Scene:
    kent: LocalAuthority
    brum: LocalAuthority
    ann: User
    bob: User
    cat: User
    acme: Provider
    beta: Provider
    gamma: Provider


def build_scene(session: Session) -> Scene:
    """Kent's brokering in the school year 2024 to 2025, with work around it that must not count.

    Brokered in Kent in the year: Acme 4 (Ann 3, Bob 1; 4 schools), Beta 3 (Ann 1, Bob 2; 2
    schools; one priority also brokered to Acme), Gamma 1 (Bob). 8 in all, 4 schools, 7
    priorities. Ann: 3 of 4 to Acme, in which she has a registered interest: flagged. Bob: 2 of 4
    to Beta, exactly half: not flagged. Shortlisted in the year: Acme 5, Beta 3, Gamma 2.
    """
    kent = f.local_authority(session, code="886", name="Kent", region="south-east")
    brum = f.local_authority(session, code="330", name="Birmingham", region="west-midlands")
    k1, k2, k3, k4 = (f.school(session, la=kent, name=f"Kent School {n}") for n in range(1, 5))
    far = f.school(session, la=brum, name="Far Primary")
    ann = make_user(session, "sip", la_id=kent.id, name="Ann Able")
    bob = make_user(session, "sip", la_id=kent.id, name="Bob Brook")
    cat = make_user(session, "sip", la_id=brum.id, name="Cat Cole")
    acme = f.provider(session, name="Acme Learning")
    beta = f.provider(session, name="Beta Education")
    gamma = f.provider(session, name="Gamma Trust")
    b = Builder(session)

    # Ann: three to Acme and one to Beta, each in a later state; then what must not count.
    b.brokerage(ann, k1, acme, "agreed", agreed=utc(2024, 9, 10), declared="I did paid work")
    shared = b.priority(k2)
    b.brokerage(ann, k2, acme, "engaged", agreed=utc(2024, 11, 5), priority=shared)
    b.brokerage(ann, k3, acme, "completed", agreed=utc(2025, 2, 3))
    b.brokerage(ann, k1, beta, "evaluated", agreed=utc(2025, 5, 6))
    # Agreed in the year, then declined: shortlisted, never brokered.
    b.brokerage(ann, k4, acme, "declined", agreed=utc(2025, 1, 10))
    # Shortlisted, not yet decided.
    b.brokerage(ann, k4, gamma, "suggested", suggested=utc(2025, 3, 1))
    # Agreed (and shortlisted) the day before the year began: neither counts.
    b.brokerage(ann, k1, beta, "agreed", agreed=utc(2024, 8, 31, 12), suggested=utc(2024, 8, 1))
    # Bob: two to Beta (one on the priority Ann brokered to Acme), one to Gamma, one to Acme.
    b.brokerage(bob, k2, beta, "agreed", agreed=utc(2024, 12, 1))
    b.brokerage(bob, k2, beta, "engaged", agreed=utc(2025, 1, 20), priority=shared)
    b.brokerage(bob, k3, gamma, "agreed", agreed=utc(2025, 4, 4))
    b.brokerage(bob, k4, acme, "agreed", agreed=utc(2025, 6, 1))
    # Another LA's school: not Kent's figures, even with Kent's providers.
    b.brokerage(cat, far, acme, "agreed", agreed=utc(2024, 10, 10))

    session.add(
        Interest(
            user_id=int(ann.id or 0),
            provider_id=int(acme.id or 0),
            kind="paid-work",
            started_on=date(2023, 1, 1),
        )
    )
    # Ended long before the year (more than two years): does not count.
    session.add(
        Interest(
            user_id=int(bob.id or 0),
            provider_id=int(beta.id or 0),
            kind="employment",
            started_on=date(2015, 1, 1),
            ended_on=date(2020, 1, 1),
        )
    )
    session.commit()
    return Scene(kent, brum, ann, bob, cat, acme, beta, gamma)


def by_provider(result: Spread) -> dict[str, ProviderRow]:
    return {p.name: p for p in result.providers}


def by_sip(result: Spread) -> dict[str, SipRow]:
    return {s.name: s for s in result.sips}


# --- periods ------------------------------------------------------------------------------------


def test_presets_name_this_term_this_school_year_and_the_last_12_months() -> None:
    autumn = period_for("this-term", None, None, today=date(2024, 12, 31))
    assert (autumn.first_day, autumn.last_day) == (date(2024, 9, 1), date(2024, 12, 31))
    assert autumn.name == "This term (autumn term 2024)"
    spring = period_for("this-term", None, None, today=date(2025, 1, 1))
    assert (spring.first_day, spring.last_day) == (date(2025, 1, 1), date(2025, 3, 31))
    summer = period_for("this-term", None, None, today=date(2025, 8, 31))
    assert (summer.first_day, summer.last_day) == (date(2025, 4, 1), date(2025, 8, 31))
    year = period_for("this-year", None, None, today=date(2025, 3, 1))
    assert (year.first_day, year.last_day, year.choice) == (
        date(2024, 9, 1),
        date(2025, 8, 31),
        "this-year",
    )
    months = period_for("last-12-months", None, None, today=date(2025, 3, 1))
    assert (months.first_day, months.last_day) == (date(2024, 3, 2), date(2025, 3, 1))
    leap = period_for("last-12-months", None, None, today=date(2024, 2, 29))
    assert (leap.first_day, leap.last_day) == (date(2023, 3, 1), date(2024, 2, 29))


def test_no_choice_means_this_school_year_or_the_dates_given() -> None:
    assert period_for(None, None, None, today=date(2025, 3, 1)).choice == "this-year"
    chosen = period_for("", date(2025, 1, 1), date(2025, 1, 31))
    assert (chosen.choice, chosen.name) == ("custom", "1 January 2025 to 31 January 2025")
    # Dates left in the boxes do not change a preset.
    preset = period_for("this-year", date(2000, 1, 1), None, today=date(2025, 3, 1))
    assert preset.first_day == date(2024, 9, 1)


@pytest.mark.parametrize(
    ("choice", "start", "end", "field_name", "message"),
    [
        ("custom", None, date(2025, 1, 1), "start", "Enter the first day of the period"),
        ("custom", date(2025, 1, 1), None, "end", "Enter the last day of the period"),
        (
            "custom",
            date(2025, 2, 1),
            date(2025, 1, 31),
            "end",
            "The last day must be the same as or after the first day",
        ),
        (
            "custom",
            date(224, 1, 1),
            date(2025, 1, 31),
            "start",
            "The first day must be a date between 2000 and 2100",
        ),
        (
            "custom",
            date(2025, 1, 1),
            date(9999, 12, 31),
            "end",
            "The last day must be a date between 2000 and 2100",
        ),
        ("fortnight", None, None, "period", "Select the period to show"),
    ],
)
def test_a_period_that_cannot_be_used_names_what_to_correct(
    choice: str, start: date | None, end: date | None, field_name: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        period_for(choice, start, end)
    assert (refused.value.field, str(refused.value)) == (field_name, message)


def test_a_period_runs_from_midnight_to_midnight_uk_time() -> None:
    start, end = YEAR.bounds()
    # British Summer Time on both edges: midnight in London is 23:00 UTC the day before.
    assert (start, end) == (utc(2024, 8, 31, 23), utc(2025, 8, 31, 23))
    winter = Period(date(2025, 1, 1), date(2025, 1, 31), "January")
    assert winter.bounds() == (utc(2025, 1, 1), utc(2025, 2, 1))


# --- the flag -----------------------------------------------------------------------------------


def test_a_sip_is_flagged_when_more_than_half_of_at_least_four_went_to_one_provider() -> None:
    assert (spread.CONCENTRATION_MIN, spread.CONCENTRATION_PERCENT) == (4, 50)
    assert concentrated(3, 4) and concentrated(4, 4) and concentrated(3, 5)
    assert not concentrated(2, 4)  # exactly half is not "most"
    assert not concentrated(3, 3)  # fewer than four says little
    assert not concentrated(5, 10) and concentrated(6, 10)


# --- the figures on built data ------------------------------------------------------------------


def test_providers_count_brokered_work_schools_priorities_and_shortlisting(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    result = spread.spread(any_session, scene.kent, YEAR)
    assert (result.brokered, result.schools, result.priorities, result.shortlisted) == (
        8,
        4,
        7,
        10,
    )
    rows = by_provider(result)
    assert [p.name for p in result.providers] == ["Acme Learning", "Beta Education", "Gamma Trust"]
    acme, beta, gamma = rows["Acme Learning"], rows["Beta Education"], rows["Gamma Trust"]
    # (brokered, schools, priorities, shortlisted, share of brokered %)
    assert (acme.brokered, acme.schools, acme.priorities, acme.shortlisted, acme.share) == (
        4,
        4,
        4,
        5,
        50,
    )
    assert (beta.brokered, beta.schools, beta.priorities, beta.shortlisted) == (3, 2, 3, 3)
    assert (gamma.brokered, gamma.schools, gamma.priorities, gamma.shortlisted) == (1, 1, 1, 2)
    assert [(s.name, s.brokered, s.interest) for s in acme.sips] == [
        ("Ann Able", 3, True),
        ("Bob Brook", 1, False),
    ]
    # Ann only shortlisted Gamma: she is listed with nothing brokered.
    assert [(s.name, s.brokered, s.shortlisted) for s in gamma.sips] == [
        ("Bob Brook", 1, 1),
        ("Ann Able", 0, 1),
    ]
    # Birmingham's brokerage with Acme is Birmingham's alone.
    assert "Cat Cole" not in {s.name for p in result.providers for s in p.sips}


def test_sips_show_their_largest_share_the_flag_and_a_registered_interest(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    result = spread.spread(any_session, scene.kent, YEAR)
    sips = by_sip(result)
    ann, bob = sips["Ann Able"], sips["Bob Brook"]
    assert (ann.brokered, ann.shortlisted, ann.declared, ann.providers) == (4, 6, 1, 2)
    assert (ann.top_provider, ann.top_count, ann.top_share) == ("Acme Learning", 3, 75)
    assert ann.flagged and ann.interest
    assert (bob.brokered, bob.top_provider, bob.top_count, bob.top_share) == (
        4,
        "Beta Education",
        2,
        50,
    )
    # Exactly half is not flagged; Bob's interest in Beta ended in 2020: it no longer counts.
    assert not bob.flagged and not bob.interest
    assert [s.name for s in result.flagged] == ["Ann Able"]
    assert list(sips) == ["Ann Able", "Bob Brook"]


def test_one_more_piece_of_work_to_the_same_provider_raises_the_flag(
    any_session: Session,
) -> None:
    scene = build_scene(any_session)
    k = f.school(any_session, la=scene.kent)
    Builder(any_session).brokerage(scene.bob, k, scene.beta, agreed=utc(2025, 7, 1))
    any_session.commit()
    bob = by_sip(spread.spread(any_session, scene.kent, YEAR))["Bob Brook"]
    assert (bob.brokered, bob.top_count, bob.top_share, bob.flagged) == (5, 3, 60, True)


def test_the_edges_of_the_period_are_uk_days(any_session: Session) -> None:
    la = f.local_authority(any_session, code="201", region="london")
    school = f.school(any_session, la=la)
    provider = f.provider(any_session, name="Edge Provider")
    sip = make_user(any_session, "sip", la_id=la.id)
    b = Builder(any_session)
    # 00:00 BST on 1 September 2024 and 23:59 BST on 31 August 2025: in.
    b.brokerage(sip, school, provider, agreed=utc(2024, 8, 31, 23, 0))
    b.brokerage(sip, school, provider, agreed=utc(2025, 8, 31, 22, 59))
    # 23:59 BST on 31 August 2024 and 00:00 BST on 1 September 2025: out.
    b.brokerage(sip, school, provider, agreed=utc(2024, 8, 31, 22, 59))
    b.brokerage(sip, school, provider, agreed=utc(2025, 8, 31, 23, 0))
    any_session.commit()
    result = spread.spread(any_session, la, YEAR)
    assert result.brokered == 2
    assert result.providers[0].priorities == 2


def test_an_la_with_no_brokering_shows_empty_figures(any_session: Session) -> None:
    la = f.local_authority(any_session, code="202", region="london")
    any_session.commit()
    result = spread.spread(any_session, la, YEAR)
    assert (result.brokered, result.shortlisted, result.providers, result.sips) == (0, 0, [], [])


def test_work_shortlisted_by_someone_no_longer_recorded_is_counted_under_not_recorded(
    any_session: Session,
) -> None:
    la = f.local_authority(any_session, code="203", region="london")
    Builder(any_session).brokerage(None, f.school(any_session, la=la), f.provider(any_session))
    any_session.commit()
    result = spread.spread(any_session, la, YEAR)
    assert [(s.name, s.brokered) for s in result.sips] == [("Not recorded", 1)]


# --- the page and the CSV -----------------------------------------------------------------------


def _page(client: Any, args: str = YEAR_ARGS) -> tuple[int, str]:
    response = client.get(f"/qa/brokering-spread?{args}")
    return response.status_code, response.get_data(as_text=True)


def test_the_page_shows_the_tables_charts_and_a_warning_for_the_flagged_sip(
    app: Flask, session: Session
) -> None:
    scene = build_scene(session)
    qa = make_user(session, "qa_officer", la_id=scene.kent.id, enrolled=True)
    status, page = _page(client_for(app, qa))
    assert status == 200
    assert "Kent (886)" in page and "1 September 2024 to 31 August 2025" in page
    assert "8 pieces of work for 4 schools and 7 priorities, with 3 providers" in page
    assert "govuk-warning-text" in page
    assert page.count("govuk-warning-text__text") == 1
    assert (
        "Ann Able sent 3 of the 4 pieces of work they brokered (75%) to Acme Learning. "
        "Ann Able has a registered interest in Acme Learning."
    ) in page
    assert "at least 4 pieces of work in the period and sent more than half" in page
    assert page.count('role="img"') == 2 and page.count("<caption") == 2
    assert '<th scope="row" class="govuk-table__header app-break-words">Acme Learning</th>' in page
    assert "4 (50%)" in page
    assert "Cat Cole" not in page and "Far Primary" not in page
    assert "/qa/brokering-spread.csv?" in page and "start=1&amp;start=9&amp;start=2024" in page


def test_no_warning_when_no_sip_sent_most_of_their_work_to_one_provider(
    app: Flask, session: Session
) -> None:
    scene = build_scene(session)
    qa = make_user(session, "qa_officer", la_id=scene.kent.id, enrolled=True)
    # Ann's last three months: one to Beta only.
    status, page = _page(
        client_for(app, qa), "period=custom&start=1&start=5&start=2025&end=31&end=8&end=2025"
    )
    assert status == 200
    assert "govuk-warning-text" not in page
    assert "No SIP sent most of their work to one provider" in page


def test_the_default_period_is_this_school_year(app: Flask, session: Session) -> None:
    la = f.local_authority(session, code="204", region="london")
    qa = make_user(session, "qa_officer", la_id=la.id, enrolled=True)
    status, page = _page(client_for(app, qa), "")
    assert status == 200
    assert "This school year (" in page
    assert 'value="this-year" checked' in page
    assert "No support was brokered to, or shortlisted for, the schools of" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("period=custom&start=1&start=9&start=2024", "Enter the last day of the period"),
        (
            "period=custom&start=1&start=9&start=2025&end=31&end=8&end=2025",
            "The last day must be the same as or after the first day",
        ),
        ("period=custom&start=31&start=2&start=2025&end=1&end=3&end=2025", "real date"),
        ("period=custom&start=1&start=&start=2025&end=1&end=3&end=2025", "must include a month"),
        (
            "period=custom&start=1&start=1&start=0202&end=1&end=3&end=2025",
            "between 2000 and 2100",
        ),
        ("period=<script>", "Select the period to show"),
    ],
)
def test_a_bad_period_gives_a_clear_error_and_no_figures(
    app: Flask, session: Session, args: str, message: str
) -> None:
    scene = build_scene(session)
    client = client_for(app, make_user(session, "qa_officer", la_id=scene.kent.id, enrolled=True))
    status, page = _page(client, args)
    assert status == 400
    assert "govuk-error-summary" in page and message in page
    assert "<title>Error: How brokered work is spread" in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]
    assert "By provider" not in page
    csv_response = client.get(f"/qa/brokering-spread.csv?{args}")
    assert csv_response.status_code == 400 and message in csv_response.get_data(as_text=True)


def test_dates_left_in_the_boxes_do_not_spoil_a_preset(app: Flask, session: Session) -> None:
    scene = build_scene(session)
    client = client_for(app, make_user(session, "qa_officer", la_id=scene.kent.id, enrolled=True))
    status, page = _page(client, "period=last-12-months&start=99&start=x&start=1")
    assert status == 200 and "The last 12 months" in page


def test_the_csv_has_the_same_figures_and_is_formula_safe(app: Flask, session: Session) -> None:
    scene = build_scene(session)
    scene.gamma.name = "=HYPERLINK(1)"
    session.add(scene.gamma)
    session.commit()
    client = client_for(app, make_user(session, "admin", enrolled=True))
    response = client.get(f"/qa/brokering-spread.csv?la=886&{YEAR_ARGS}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="brokering-spread-886-2024-09-01-to-2025-08-31.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header = lines[0]
    rows = [dict(zip(header, line, strict=True)) for line in lines[1:]]
    assert header == spread.CSV_HEADER
    acme = next(r for r in rows if r["Name"] == "Acme Learning")
    assert (acme["Table"], acme["Brokered"], acme["Schools"], acme["Priorities"]) == (
        "By provider",
        "4",
        "4",
        "4",
    )
    assert acme["Brokered by (SIP: number)"] == "Ann Able: 3; Bob Brook: 1"
    assert (acme["First day"], acme["Last day"]) == ("2024-09-01", "2025-08-31")
    ann = next(r for r in rows if r["Name"] == "Ann Able")
    assert (ann["Table"], ann["Provider with the largest share"], ann["Share to it (%)"]) == (
        "By SIP",
        "Acme Learning",
        "75",
    )
    assert (ann["Registered interest in it"], ann["Most to one provider"]) == ("yes", "yes")
    assert [r["Table"] for r in rows].count("By SIP") == 2
    assert any(r["Name"] == "'=HYPERLINK(1)" for r in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


# --- who may see it -----------------------------------------------------------------------------


def test_an_officer_of_another_la_sees_nothing_of_this_las_brokering(
    app: Flask, session: Session
) -> None:
    scene = build_scene(session)
    far_qa = client_for(app, make_user(session, "qa_officer", la_id=scene.brum.id, enrolled=True))
    status, page = _page(far_qa)
    assert status == 200 and "Birmingham (330)" in page
    # Birmingham's own figures: Cat's one piece of work with Acme; nothing of Kent's.
    assert "1 piece of work for 1 school and 1 priority, with 1 provider" in page
    for kent_only in ("Kent", "Ann Able", "Bob Brook", "Beta Education", "Gamma Trust"):
        assert kent_only not in page, kent_only
    assert far_qa.get(f"/qa/brokering-spread?la=886&{YEAR_ARGS}").status_code == 403
    assert far_qa.get(f"/qa/brokering-spread.csv?la=886&{YEAR_ARGS}").status_code == 403
    assert b"Ann Able" not in far_qa.get(f"/qa/brokering-spread.csv?{YEAR_ARGS}").data


def test_only_qa_officers_and_admins_may_see_it(app: Flask, session: Session) -> None:
    scene = build_scene(session)
    school = f.school(session, la=scene.kent)
    for role, extra in (
        ("sip", {"la_id": scene.kent.id}),
        ("headteacher", {"school_id": school.id}),
        ("provider", {"provider_id": scene.acme.id}),
    ):
        client = client_for(app, make_user(session, role, **extra))
        for path in ("/qa/brokering-spread", "/qa/brokering-spread.csv"):
            response = client.get(f"{path}?la=886&{YEAR_ARGS}")
            assert response.status_code == 403, (role, path)
            assert b"Ann Able" not in response.data
    anonymous = app.test_client().get("/qa/brokering-spread")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    loose = make_user(session, "qa_officer", enrolled=True)
    assert client_for(app, loose).get("/qa/brokering-spread").status_code == 403


def test_an_admin_chooses_any_la(app: Flask, session: Session) -> None:
    build_scene(session)
    client = client_for(app, make_user(session, "admin", enrolled=True))
    status, page = _page(client, "")
    assert status == 200 and "Choose a local authority" in page and "Birmingham (330)" in page
    status, page = _page(client, f"la=886&{YEAR_ARGS}")
    assert status == 200 and "Ann Able" in page and '<option value="886" selected>' in page
    assert client.get("/qa/brokering-spread.csv").status_code == 400
    missing = client.get("/qa/brokering-spread?la=%3Cscript%3E")
    assert missing.status_code == 404 and b"<script>" not in missing.data


# --- in a real browser --------------------------------------------------------------------------


@pytest.mark.browser
def test_the_page_passes_axe_and_fits_at_1024_and_320_px(
    live_server: LiveServer,  # noqa: F811
    browse_at: Callable[..., Browsing],  # noqa: F811
) -> None:
    with live_server.session() as session:
        scene = build_scene(session)
        qa = make_user(session, "qa_officer", la_id=scene.kent.id, enrolled=True)

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
        browsing.visit(f"/qa/brokering-spread?{YEAR_ARGS}")
        page = browsing.page
        assert page.title().startswith("How brokered work is spread: Kent")
        browsing.audit()
        assert not browsing.has_horizontal_scroll(), width
        assert page.locator(".app-chart__plot[role=img]").count() == 2
        assert "Ann Able sent 3 of the 4" in page.inner_text(".govuk-warning-text")
        # Acme's bar (50% of the brokered work) fills the provider chart's track (scale 0-50%).
        full = page.locator(".app-chart__bar--now.app-chart__bar--w100").first
        track = full.locator("xpath=..")
        assert abs(full.bounding_box()["width"] - track.bounding_box()["width"]) < 2
        # The error state: the summary links to the box to correct, and passes axe too.
        browsing.visit(
            "/qa/brokering-spread?period=custom&start=1&start=9&start=2025", expect_status=400
        )
        assert page.title().startswith("Error: How brokered work is spread")
        browsing.audit()
        page.click(".govuk-error-summary a")
        assert page.evaluate("document.activeElement.id") == "end-day"
        assert not browsing.has_horizontal_scroll(), width
    # The form: choose a preset and show its figures (a GET, so the address can be shared).
    browsing.visit("/qa/brokering-spread")
    browsing.audit()
    browsing.page.check("input[name=period][value=last-12-months]")
    browsing.page.click("form[action='/qa/brokering-spread'] button[type=submit]")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert "period=last-12-months" in browsing.page.url
    assert browsing.page.is_checked("input[name=period][value=last-12-months]")
    assert "The last 12 months" in browsing.page.inner_text("main")
