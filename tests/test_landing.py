"""Each role lands on its own work after signing in: a SIP on their schools (next visits, the
brokerage waiting on someone), a head on the decisions waiting for them, a provider on their
listings with the next step for each, a QA officer on the queue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import Session

from broker.brokerage import services as brokerage
from broker.schools import services as schools
from tests.auth.helpers import sign_in, sign_in_fully
from tests.schools import world as w


@pytest.fixture
def app(any_app: Flask) -> Flask:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_app


@pytest.fixture
def session(any_session: Session) -> Session:
    return any_session


@pytest.fixture
def world(session: Session) -> w.World:
    return w.build(session)


def _landing(app: Flask, user: object) -> tuple[str, str]:
    """Sign in through the form (and second factor); return where it lands and that page."""
    client = app.test_client()
    sign_in_fully(client, user)  # type: ignore[arg-type]
    again = client.get("/sign-in")  # signed in: sent on to their landing page
    assert again.status_code == 302
    target = again.headers["Location"]
    page = client.get(target)
    assert page.status_code == 200, target
    return target, page.get_data(as_text=True)


def test_each_role_signs_in_to_its_own_work(app: Flask, world: w.World) -> None:
    expected = {
        "sip": ("/schools", "Your next visits"),
        "head": ("/decisions", "Decisions waiting for you"),
        "provider": ("/provider", "Your listings"),
        "qa": ("/qa", "Quality assurance"),
        "admin": ("/qa", "Quality assurance"),
    }
    for name, (path, heading) in expected.items():
        target, page = _landing(app, world.users()[name])
        assert (target, heading in page) == (path, True), name


def test_signing_in_goes_straight_to_the_landing_page(app: Flask, world: w.World) -> None:
    response = sign_in(app.test_client(), world.sip.email)
    assert response.headers["Location"] == "/schools"


def test_a_sip_sees_next_visits_in_date_order_and_brokerage_waiting_on_someone(
    app: Flask, session: Session, world: w.World
) -> None:
    visit, (priority,) = w.visit(session, world)
    soon = date.today() + timedelta(days=10)
    schools.update_visit(
        session,
        world.sip,
        visit,
        visited_on=visit.visited_on,
        evidence=visit.evidence,
        support_category="targeted",
        next_visit_on=soon,
    )
    session.commit()
    suggested = w.shortlisted(session, world, priority)
    started = w.shortlisted(session, world, priority, world.other_listing)
    brokerage.move(session, world.head, started, "agreed")
    session.commit()

    _, page = _landing(app, world.sip)
    assert f"Next visit: {soon.day} {soon.strftime('%B %Y')}" in page
    head_part = page.split('id="waiting-head"')[1].split('id="waiting-you"')[0]
    either_part = page.split('id="waiting-you"')[1]
    assert "Phonics leadership coaching" in head_part and "Agree or decline" in head_part
    assert "Governance health check" in either_part and "Say when the work starts" in either_part
    assert f"/brokerage/{suggested.id}" in head_part
    # Another SIP's list shows none of this school's brokerage.
    _, other = _landing(app, world.neighbour_sip)
    assert "Phonics leadership coaching" not in other
    assert "Waiting for the head (0)" in other


def test_a_head_sees_shortlists_to_agree_impact_to_record_and_requests(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    w.shortlisted(session, world, priority)
    done = w.shortlisted(session, world, priority, world.other_listing)
    for to, who in (("agreed", world.head), ("engaged", world.sip), ("completed", world.sip)):
        brokerage.move(session, who, done, to)
    session.commit()

    _, page = _landing(app, world.head)
    agree = page.split('id="agree"')[1].split('id="impact"')[0]
    impact = page.split('id="impact"')[1].split('id="requests"')[0]
    assert "Support to agree or decline (1)" in page
    assert "Phonics leadership coaching" in agree and "/agree" in agree
    assert "Governance health check" in impact and f"/brokerage/{done.id}/impact" in impact
    assert "Recommendations asked of you (0)" in page
    assert "2 decisions are waiting for you" in page
    # The neighbouring school's head has nothing waiting.
    _, other = _landing(app, world.neighbour_head)
    assert "Nothing is waiting for your decision." in other


def test_a_visit_can_record_the_agreed_next_visit_but_not_one_in_the_past(
    app: Flask, session: Session, world: w.World
) -> None:
    client = w.client_for(app, world.sip)
    today = date.today()

    def post(next_visit: list[str]) -> object:
        return client.post(
            f"/schools/{world.school.id}/visits/new",
            data={
                "visited_on": [str(today.day), str(today.month), str(today.year)],
                "evidence": ["sef"],
                "support_category": "universal",
                "next_visit_on": next_visit,
            },
        )

    past = today - timedelta(days=1)
    refused = post([str(past.day), str(past.month), str(past.year)])
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "The date of the next visit must be after this visit" in refused.get_data(as_text=True)  # type: ignore[attr-defined]
    half = post(["3", "", ""])
    assert "The date of the next visit must include a month and year" in half.get_data(as_text=True)  # type: ignore[attr-defined]
    later = today + timedelta(days=30)
    assert post([str(later.day), str(later.month), str(later.year)]).status_code == 302  # type: ignore[attr-defined]
    assert post(["", "", ""]).status_code == 302  # type: ignore[attr-defined]


def test_the_navigation_names_the_heads_decisions(app: Flask, world: w.World) -> None:
    client = w.client_for(app, world.head)
    page = client.get("/decisions").get_data(as_text=True)
    assert 'href="/decisions"' in page and ">Decisions<" in page.replace("\n", "")


def test_a_planned_visit_that_passed_unrecorded_is_flagged(
    app: Flask, session: Session, world: w.World
) -> None:
    visit, _ = w.visit(session, world, days_ago=40)
    visit.next_visit_on = date.today() - timedelta(days=3)  # agreed then, not recorded since
    session.add(visit)
    session.commit()
    _, page = _landing(app, world.sip)
    school_line = page.split("St Aidan")[1].split("</li>")[0]
    assert "Visit not recorded yet" in school_line
