"""The joint support plan: a school's agreed priorities, the support agreed for each with provider,
dates, cost and how impact will be judged, and progress so far; a print page and an A4 PDF for the
school's circle only; and the plan details of a brokerage, set by the SIP or the school."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from broker.brokerage import services as brokerage
from broker.errors import Conflict, Forbidden, InvalidInput
from broker.hardcopy.printing import local_date
from broker.models import AuditEvent, Brokerage, Priority, User, utcnow
from broker.schools import leaders
from broker.schools import services as schools
from broker.supportplan import services as plans
from tests import factories as f
from tests.auth.helpers import PASSWORD
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.schools import world as w
from tests.test_visit_pack import pdf_info, pdf_text

CONFIDENTIAL = "Confidential: for the school, its SIP and the LA"
EVERYONE, CIRCLE = w.EVERYONE, w.CIRCLE
DESCRIPTION = 'Phonics in Year 1: <script>alert("x")</script> & "decoding" for boys'
CRITERIA = "Year 1 phonics check: 85% pass (from 71%).\nBoys' decoding gap halved by July."
DECLINE_REASON = "Zanzibar: we cannot release staff this term"
NEXT_YEAR = date.today().year + 1


@dataclass
class Scene:
    world: w.World
    priority: Priority
    second: Priority
    agreed: Brokerage
    engaged: Brokerage
    evaluated: Brokerage
    suggested: Brokerage
    declined: Brokerage


def _outcome(response) -> int | str:  # type: ignore[no-untyped-def]
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in"):
        return "sign-in"
    return response.status_code


def _listing(session: Session, title: str, provider: str) -> int:
    listing = f.listing(
        session,
        f.assured_provider(session, listings=0, name=provider),
        title=title,
        categories=["curriculum-and-subject-support"],
    )
    session.commit()
    return int(listing.id or 0)


def build_scene(session: Session) -> Scene:
    """A school with a visit, two priorities and support in every state for the first."""
    world = w.build(session)
    visit = schools.record_visit(
        session,
        world.sip,
        world.school,
        visited_on=date.today() - timedelta(days=30),
        evidence=["sef"],
        support_category="targeted",
        next_visit_on=date.today() + timedelta(days=60),
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
    ids = {
        "agreed": int(world.listing.id or 0),
        "engaged": _listing(session, "Decoding for boys: a training day", "Fenland Phonics"),
        "evaluated": _listing(session, "Phonics audit and action plan", "Reading Recovery Trust"),
        "suggested": _listing(session, "Letters and Sounds refresher", "Wealden Literacy"),
        "declined": _listing(session, "Phonics lead network", "Medway Teaching School"),
    }
    rows = {
        name: brokerage.shortlist(session, world.sip, priority, listing_id)
        for name, listing_id in ids.items()
    }
    session.commit()
    head, sip = world.head, world.sip
    for name in ("agreed", "engaged", "evaluated"):
        brokerage.move(session, head, rows[name], "agreed")
    brokerage.move(session, sip, rows["engaged"], "engaged")
    brokerage.move(session, sip, rows["evaluated"], "engaged")
    brokerage.move(session, head, rows["evaluated"], "completed")
    plans.set_details(
        session,
        sip,
        rows["evaluated"],
        planned_start=date(NEXT_YEAR - 1, 9, 8),
        planned_end=date(NEXT_YEAR - 1, 10, 20),
        agreed_cost="£1,250.50",
        cost_note="3 days at £416.83",
        success_criteria="Phonics audit findings acted on by half term",
    )
    brokerage.move(
        session, head, rows["evaluated"], "evaluated", rating=3, impact="Pass rate up to 82%."
    )
    plans.set_details(
        session,
        head,
        rows["agreed"],
        planned_start=date(NEXT_YEAR, 1, 12),
        planned_end=date(NEXT_YEAR, 3, 26),
        agreed_cost="2000",
        cost_note=None,
        success_criteria=CRITERIA,
    )
    brokerage.move(session, head, rows["declined"], "declined", reason=DECLINE_REASON)
    session.commit()
    return Scene(world, priority, second, **rows)


@pytest.fixture
def scene(any_session: Session) -> Scene:
    return build_scene(any_session)


def _page(app: Flask, user: User, scene: Scene) -> str:
    response = w.client_for(app, user).get(f"/schools/{scene.world.school.id}/support-plan")
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


# --- who may see it ---------------------------------------------------------------------------


def test_the_plan_answers_each_role_as_the_visit_pack_does(any_app: Flask, scene: Scene) -> None:
    users = scene.world.users()
    sid = scene.world.school.id
    for role in EVERYONE:
        client = w.client_for(any_app, users.get(role))
        for path in (f"/schools/{sid}/support-plan", f"/schools/{sid}/support-plan.pdf"):
            response = client.get(path)
            expected = "sign-in" if role == "anonymous" else 200 if role in CIRCLE else 403
            assert _outcome(response) == expected, (role, path)
            if expected != 200:
                assert b"Phonics in Year 1" not in response.data, (role, path)
                assert b"Fenland" not in response.data, (role, path)
            else:
                assert response.headers["Cache-Control"] == "private, no-store", (role, path)


def test_an_authorised_leader_sees_the_plan_and_a_withdrawn_one_does_not(
    any_app: Flask, scene: Scene
) -> None:
    from broker import db

    with any_app.app_context(), db.new_session(any_app) as s:
        head = s.get(User, scene.world.head.id)
        school = s.get(type(scene.world.school), scene.world.school.id)
        assert head is not None and school is not None
        deputy = w.make_user(s, "school_leader", school_id=school.id)
        authority = leaders.authorise(
            s,
            head,
            school,
            email=deputy.email,
            name=deputy.name,
            title="Deputy headteacher",
            link=lambda token: token,
            lifetime=timedelta(days=7),
        )
        s.commit()
        client = w.client_for(any_app, deputy)
        path = f"/schools/{school.id}/support-plan"
        assert client.get(path).status_code == 200
        leaders.withdraw(s, head, school, int(authority.id or 0))
        s.commit()
        assert client.get(path).status_code == 403


def test_unknown_and_impossible_schools_are_not_found(any_app: Flask, scene: Scene) -> None:
    client = w.client_for(any_app, scene.world.admin)
    for path in (
        "/schools/10000/support-plan",
        "/schools/99999999999/support-plan",
        "/schools/99999999999/support-plan.pdf",
        "/brokerage/99999999999/plan-details",
    ):
        assert client.get(path).status_code == 404, path


# --- what it shows ------------------------------------------------------------------------------


def test_the_plan_shows_each_priority_with_its_agreed_support_dates_cost_and_progress(
    any_app: Flask, scene: Scene
) -> None:
    text = _page(any_app, scene.world.head, scene)
    school = scene.world.school
    for expected in (
        CONFIDENTIAL,
        f"Support plan: {school.name}",
        f"URN {school.urn}",
        "John Carter",  # the head
        "Margaret Holloway",  # the SIP
        "Kent (886)",
        local_date(utcnow()),
        "At the SIP’s next visit, on",
        # The priorities, with their RAG in words.
        "Priority 1: Curriculum and Subject Support",
        "Amber (some concern: needs attention)",
        "Priority 2: Governance",
        "Red (serious concern: needs action now)",
        "No support has been agreed for this priority yet.",
        # The agreed support with dates, cost and how impact will be judged.
        "Phonics leadership coaching",
        "Helen Marsh Education Consultancy",
        f"12 January {NEXT_YEAR} to 26 March {NEXT_YEAR}",
        "£2,000",
        "Year 1 phonics check: 85% pass (from 71%).",
        "Boys' decoding gap halved by July.",
        # Under way, without plan details yet.
        "Decoding for boys: a training day",
        "Dates not agreed yet",
        "Not recorded yet",
        "Not agreed yet",
        # Done, with the head's impact rating and words.
        "Phonics audit and action plan",
        "£1,250.50 (3 days at £416.83)",
        "3 – Good impact (out of 4)",
        "Pass rate up to 82%.",
        "Impact recorded",
        # Progress so far, and the total cost of what has a cost.
        "Progress so far",
        "£3,250.50 (1 piece of support with no cost recorded yet)",
        "Download the support plan (PDF, A4)",
    ):
        assert expected in text, expected
    for state in ('Status:</dt> <dd class="sp-state">Agreed', "Engaged", "Impact evaluated"):
        assert state in text, state


def test_declined_support_is_left_out_and_shortlisted_support_is_listed_as_not_yet_agreed(
    any_app: Flask, scene: Scene
) -> None:
    text = _page(any_app, scene.world.sip, scene)
    assert "Phonics lead network" not in text
    assert "Zanzibar" not in text
    awaiting = text[text.index("Not yet agreed: support awaiting the school’s decision") :]
    assert "Letters and Sounds refresher, from Wealden Literacy, for priority 1" in awaiting
    # Only under "not yet agreed", never among the agreed support of a priority.
    assert text.count("Letters and Sounds refresher") == 1


def test_an_earlier_priority_stays_in_the_plan_while_its_support_is_under_way(
    any_app: Flask, any_session: Session, scene: Scene
) -> None:
    s = any_session
    world = scene.world
    later = schools.record_visit(
        s,
        world.sip,
        world.school,
        visited_on=date.today(),
        evidence=["sef"],
        support_category="targeted",
    )
    schools.add_priority(
        s,
        world.sip,
        later,
        description="Attendance of disadvantaged pupils",
        category="behaviour-attendance-and-safeguarding",
        rag="green",
    )
    s.commit()
    text = _page(any_app, world.head, scene)
    assert "Priority 1: Behaviour, Attendance and Safeguarding" in text
    # The first visit's phonics priority has support under way: it stays, marked as earlier.
    assert "Phonics in Year 1" in text
    assert "an earlier priority: its support is still under way" in text
    # The governance priority had no support: it is not carried forward.
    assert "Governors to hold leaders to account" not in text
    assert "Letters and Sounds refresher" in text  # still waiting for the head


def test_users_text_is_escaped_on_the_page_and_printed_as_written(
    any_app: Flask, scene: Scene, tmp_path: Path
) -> None:
    client = w.client_for(any_app, scene.world.head)
    sid = scene.world.school.id
    page = client.get(f"/schools/{sid}/support-plan").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;decoding&#34;" in page
    pdf = client.get(f"/schools/{sid}/support-plan.pdf")
    assert pdf.status_code == 200
    assert DESCRIPTION in pdf_text(pdf.data, tmp_path)


def test_the_pdf_is_an_a4_download_with_the_same_contents(
    any_app: Flask, scene: Scene, tmp_path: Path
) -> None:
    response = w.client_for(any_app, scene.world.qa).get(
        f"/schools/{scene.world.school.id}/support-plan.pdf"
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    urn = scene.world.school.urn
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="support-plan-{urn}-'
    )
    assert "(A4)" in pdf_info(response.data, tmp_path)["Page size"]
    text = " ".join(pdf_text(response.data, tmp_path).split())
    for expected in (
        CONFIDENTIAL,
        f"Support plan: {scene.world.school.name}",
        f"URN {urn}",
        "Margaret Holloway",
        "Amber (some concern: needs attention)",
        "Phonics leadership coaching",
        f"12 January {NEXT_YEAR} to 26 March {NEXT_YEAR}",
        "£2,000",
        "Year 1 phonics check: 85% pass (from 71%).",
        "3 – Good impact (out of 4)",
        "£3,250.50",
        "Letters and Sounds refresher",
        local_date(utcnow()),
        "Page 1 of",
    ):
        assert expected in text, expected
    assert "Phonics lead network" not in text
    assert "Change the plan details" not in text


def test_a_school_without_priorities_gets_a_plan_saying_so(
    any_app: Flask, any_session: Session, tmp_path: Path
) -> None:
    world = w.build(any_session)
    client = w.client_for(any_app, world.neighbour_sip)
    page = client.get(f"/schools/{world.neighbour.id}/support-plan")
    assert page.status_code == 200
    assert "No priorities have been recorded" in page.get_data(as_text=True)
    pdf = client.get(f"/schools/{world.neighbour.id}/support-plan.pdf")
    assert "No priorities yet" in pdf_text(pdf.data, tmp_path)


def test_the_school_and_brokerage_pages_link_to_the_plan(any_app: Flask, scene: Scene) -> None:
    sid = scene.world.school.id
    client = w.client_for(any_app, scene.world.sip)
    assert f'href="/schools/{sid}/support-plan"' in client.get(f"/schools/{sid}").get_data(
        as_text=True
    )
    detail = client.get(f"/brokerage/{scene.agreed.id}").get_data(as_text=True)
    assert f'href="/schools/{sid}/support-plan"' in detail
    assert f'href="/brokerage/{scene.agreed.id}/plan-details"' in detail
    assert f"12 January {NEXT_YEAR} to 26 March {NEXT_YEAR}" in detail
    # QA officers see the plan details but may not change them.
    seen = w.client_for(any_app, scene.world.qa).get(f"/brokerage/{scene.agreed.id}")
    assert "£2,000" in seen.get_data(as_text=True)
    assert f"/brokerage/{scene.agreed.id}/plan-details" not in seen.get_data(as_text=True)


# --- setting the plan details -----------------------------------------------------------------


def _form(**values: object) -> dict[str, object]:
    body: dict[str, object] = {
        "planned_start": ["2", "2", str(NEXT_YEAR)],
        "planned_end": ["27", "3", str(NEXT_YEAR)],
        "agreed_cost": "£1,800",
        "cost_note": "4 days at £450",
        "success_criteria": "Reading ages up by a year for the target group",
    }
    body.update(values)
    return body


def _events(s: Session, row: Brokerage) -> list[AuditEvent]:
    s.expire_all()
    return list(
        s.exec(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "brokerage",
                AuditEvent.entity_id == row.id,
                AuditEvent.action == "plan-changed",
            )
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_the_sip_sets_the_plan_details_and_the_change_is_audited(
    any_app: Flask, any_session: Session, scene: Scene
) -> None:
    s = any_session
    client = w.client_for(any_app, scene.world.sip)
    row = scene.engaged
    form = client.get(f"/brokerage/{row.id}/plan-details")
    assert form.status_code == 200
    assert "Plan details: Decoding for boys" in form.get_data(as_text=True)
    saved = client.post(f"/brokerage/{row.id}/plan-details", data=_form())
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/brokerage/{row.id}"
    s.expire_all()
    stored = s.get(Brokerage, row.id)
    assert stored is not None
    assert stored.planned_start == date(NEXT_YEAR, 2, 2)
    assert stored.planned_end == date(NEXT_YEAR, 3, 27)
    assert stored.agreed_cost_pence == 180_000
    assert stored.cost_note == "4 days at £450"
    assert stored.success_criteria == "Reading ages up by a year for the target group"
    [event] = _events(s, row)
    assert event.actor_id == scene.world.sip.id
    assert event.changed_fields == [
        "planned_start",
        "planned_end",
        "agreed_cost",
        "cost_note",
        "success_criteria",
    ]
    assert f"Planned 2 February {NEXT_YEAR} to 27 March {NEXT_YEAR}" in (event.reason or "")
    assert "agreed cost £1,800" in (event.reason or "")
    page = client.get(f"/brokerage/{row.id}").get_data(as_text=True)
    assert "Plan details saved." in page
    assert "Plan details changed by Margaret Holloway" in page
    # The form shows what is stored; saving it again unchanged changes and audits nothing.
    again = client.get(f"/brokerage/{row.id}/plan-details").get_data(as_text=True)
    assert 'value="1800"' in again and 'value="4 days at £450"' in again
    client.post(f"/brokerage/{row.id}/plan-details", data=_form(agreed_cost="1800.00"))
    assert len(_events(s, row)) == 1
    # The head changes one thing: only that field is recorded as changed.
    head = w.client_for(any_app, scene.world.head)
    head.post(f"/brokerage/{row.id}/plan-details", data=_form(agreed_cost="1750"))
    events = _events(s, row)
    assert len(events) == 2
    assert events[1].changed_fields == ["agreed_cost"]
    assert events[1].actor_id == scene.world.head.id


def test_an_authorised_leader_sets_plan_details_on_the_schools_behalf(
    any_app: Flask, any_session: Session, scene: Scene
) -> None:
    s = any_session
    with any_app.app_context():
        deputy = w.make_user(
            s, "school_leader", name="Dana Deputy", school_id=scene.world.school.id
        )
        leaders.authorise(
            s,
            scene.world.head,
            scene.world.school,
            email=deputy.email,
            name=deputy.name,
            title="Deputy headteacher",
            link=lambda token: token,
            lifetime=timedelta(days=7),
        )
        s.commit()
    response = w.client_for(any_app, deputy).post(
        f"/brokerage/{scene.agreed.id}/plan-details", data=_form()
    )
    assert response.status_code == 302
    event = _events(s, scene.agreed)[-1]
    assert event.actor_id == deputy.id
    assert event.actor_label.startswith("Dana Deputy")
    assert event.actor_label.endswith(f"on behalf of {scene.world.school.name}")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"planned_start": ["31", "2", str(NEXT_YEAR)]}, "The planned start must be a real date"),
        ({"planned_end": ["27", "", str(NEXT_YEAR)]}, "The planned end must include a month"),
        ({"planned_start": ["1", "1", "27"]}, "The planned start must be a real date"),
        ({"planned_start": ["1", "1", "1999"]}, "The planned start must be between 2000 and"),
        ({"planned_end": ["1", "1", "9999"]}, "The planned end must be between 2000 and"),
        (
            {"planned_end": ["1", "2", str(NEXT_YEAR)]},
            "The planned end must be the same as or after the planned start",
        ),
        ({"agreed_cost": "about a grand"}, "Enter the agreed cost in pounds, like 1250"),
        ({"agreed_cost": "-50"}, "Enter the agreed cost in pounds, like 1250"),
        ({"agreed_cost": "12.345"}, "Enter the agreed cost in pounds, like 1250"),
        ({"agreed_cost": "£20,000,000"}, "The agreed cost must be £10,000,000 or less"),
        ({"agreed_cost": "9" * 400}, "Enter the agreed cost in pounds, like 1250"),
        ({"cost_note": "x" * 201}, "The note on the cost must be 200 characters or fewer"),
        (
            {"success_criteria": "y" * 2001},
            "How impact will be judged must be 2000 characters or fewer",
        ),
    ],
)
def test_bad_plan_details_are_refused_with_a_clear_message_and_nothing_is_lost(
    any_app: Flask,
    any_session: Session,
    scene: Scene,
    values: dict[str, object],
    message: str,
) -> None:
    s = any_session
    row = scene.agreed
    client = w.client_for(any_app, scene.world.head)
    response = client.post(f"/brokerage/{row.id}/plan-details", data=_form(**values))
    assert response.status_code == 400
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert message in page
    # What was typed is still there to correct.
    assert "4 days at £450" in page or "x" * 201 in page
    s.expire_all()
    stored = s.get(Brokerage, row.id)
    assert stored is not None and stored.agreed_cost_pence == 200_000
    assert stored.success_criteria == CRITERIA
    assert len(_events(s, row)) == 1  # only the scene's own


def test_plan_details_wait_for_agreement_and_stop_once_impact_is_recorded(
    any_app: Flask, scene: Scene
) -> None:
    client = w.client_for(any_app, scene.world.head)
    for row in (scene.suggested, scene.declined, scene.evaluated):
        assert client.get(f"/brokerage/{row.id}/plan-details").status_code == 409, row.state
        refused = client.post(f"/brokerage/{row.id}/plan-details", data=_form())
        assert refused.status_code == 409, row.state
    page = client.get(f"/brokerage/{scene.evaluated.id}/plan-details").get_data(as_text=True)
    assert "they are what the impact was judged against" in page


def test_only_the_school_and_its_sip_may_change_plan_details(
    any_app: Flask, any_session: Session, scene: Scene
) -> None:
    users = scene.world.users()
    path = f"/brokerage/{scene.agreed.id}/plan-details"
    allowed = {"head", "sip"}
    for role in EVERYONE:
        client = w.client_for(any_app, users.get(role))
        for method in ("GET", "POST"):
            response = client.open(path, method=method, data=_form(agreed_cost="1"))
            expected = "sign-in" if role == "anonymous" else 200 if role in allowed else 403
            if method == "POST" and expected == 200:
                expected = 302
            got = _outcome(response)
            assert got == expected, (role, method, got)
            if role not in CIRCLE:
                assert b"Phonics leadership coaching" not in response.data, role
    any_session.expire_all()
    stored = any_session.get(Brokerage, scene.agreed.id)
    assert stored is not None and stored.agreed_cost_pence == 100


def test_the_rules_hold_in_the_service_too(any_session: Session, scene: Scene) -> None:
    s = any_session
    with pytest.raises(Forbidden):
        plans.set_details(
            s,
            scene.world.neighbour_sip,
            scene.agreed,
            planned_start=None,
            planned_end=None,
            agreed_cost="1",
            cost_note=None,
            success_criteria=None,
        )
    with pytest.raises(Conflict):
        plans.set_details(
            s,
            scene.world.head,
            scene.suggested,
            planned_start=None,
            planned_end=None,
            agreed_cost="1",
            cost_note=None,
            success_criteria=None,
        )
    with pytest.raises(InvalidInput) as refused:
        plans.set_details(
            s,
            scene.world.head,
            scene.agreed,
            planned_start=date(NEXT_YEAR, 5, 1),
            planned_end=date(NEXT_YEAR, 4, 30),
            agreed_cost=None,
            cost_note=None,
            success_criteria=None,
        )
    assert refused.value.field == "planned_end"


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("", None),
        ("   ", None),
        ("0", 0),
        ("£0", 0),
        ("450", 45_000),
        ("£1,250.50", 125_050),
        ("1250.5", 125_050),
        (" £ 2 000 ", 200_000),
        ("10000000", 1_000_000_000),
    ],
)
def test_costs_are_read_as_pounds_and_pence(text: str, pence: int | None) -> None:
    assert plans.parse_cost(text) == pence
    if pence is not None:
        assert plans.parse_cost(plans.money(pence)) == pence


@pytest.mark.parametrize("text", ["1.", ".5", "1,2.3.4", "one", "£-3", "1e5", "10000000.01"])
def test_anything_else_is_not_a_cost(text: str) -> None:
    with pytest.raises(InvalidInput):
        plans.parse_cost(text)


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
def test_the_plan_and_its_form_pass_axe_and_fit_a_phone_in_a_real_browser(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.session() as session:
        scene = build_scene(session)
    world = scene.world
    for width in (1024, 320):
        browsing = browse_at(width=width)
        browsing.visit("/sign-in")
        browsing.page.fill("#email", world.head.email)
        browsing.page.fill("#password", PASSWORD)
        browsing.page.click("button:has-text('Sign in')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        browsing.visit(f"/schools/{world.school.id}")
        browsing.page.click("a:has-text('Support plan')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        assert browsing.path() == f"/schools/{world.school.id}/support-plan"
        assert CONFIDENTIAL in browsing.page.inner_text("main")
        assert browsing.page.is_visible("button:has-text('Print this plan')")
        assert not browsing.has_horizontal_scroll(), width
        # Change a piece of support's plan details, wrongly and then rightly.
        browsing.page.click("a:has-text('Change the plan details') >> nth=0")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        browsing.page.fill("#planned_end-day", "31")
        browsing.page.fill("#planned_end-month", "2")
        browsing.page.click("button:has-text('Save plan details')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        assert browsing.page.title().startswith("Error: ")
        assert "The planned end must be a real date" in browsing.page.inner_text(
            ".govuk-error-summary"
        )
        assert not browsing.has_horizontal_scroll(), width
        browsing.page.fill("#planned_end-day", "28")
        browsing.page.fill("#agreed_cost", f"{2000 + width}")
        browsing.page.click("button:has-text('Save plan details')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        assert "Plan details saved." in browsing.page.inner_text("main")
        assert f"£{2000 + width:,}" in browsing.page.inner_text("main")

    # Without JavaScript the print button stays hidden: the page says to print from the browser.
    quiet = browse_at(width=1024, javascript=False)
    quiet.visit("/sign-in")
    quiet.page.fill("#email", world.sip.email)
    quiet.page.fill("#password", PASSWORD)
    quiet.page.click("button:has-text('Sign in')")
    quiet.page.wait_for_load_state("load")
    quiet.audit()
    quiet.visit(f"/schools/{world.school.id}/support-plan")
    assert not quiet.page.is_visible("button:has-text('Print this plan')")
    assert "print this page from your browser" in quiet.page.inner_text("main")
