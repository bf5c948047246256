"""Shortlist, the head's decision, the work and its impact: every step dated, audited and checked."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker.brokerage import services as brokerage
from broker.models import AuditEvent, Brokerage, Listing, SchoolVisit
from tests import factories as f
from tests.schools import world as w


@pytest.fixture
def world(session: Session) -> w.World:
    return w.build(session)


def _post(client, path: str, **data: object):  # type: ignore[no-untyped-def]
    return client.post(path, data=data)


def test_the_whole_loop_from_a_directory_listing_to_impact(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    sip, head = w.client_for(app, world.sip), w.client_for(app, world.head)

    # The SIP finds a listing and shortlists it for the school's priority from the listing page.
    listing_page = sip.get(f"/directory/listings/{world.listing.id}").get_data(as_text=True)
    assert "Shortlist for one of your schools" in listing_page
    assert f'value="{priority.id}"' in listing_page
    response = _post(
        sip, "/brokerage/shortlist", listing_id=world.listing.id, priority_id=priority.id
    )
    assert response.headers["Location"] == f"/schools/{world.school.id}/priorities/{priority.id}"
    assert "is on St Aidan" in sip.get(response.headers["Location"]).get_data(as_text=True)
    again = sip.get(f"/directory/listings/{world.listing.id}").get_data(as_text=True)
    assert "Already on the shortlist for:" in again and "(shortlisted)" in again
    row = session.exec(select(Brokerage)).one()
    assert (row.state, row.school_id, row.provider_id) == (
        "suggested",
        world.school.id,
        world.listing.provider_id,
    )

    # The head sees the shortlist on the priority page, and agrees.
    page = head.get(f"/schools/{world.school.id}/priorities/{priority.id}").get_data(as_text=True)
    assert "Phonics leadership coaching" in page and "Shortlisted" in page
    assert "Agree to this support" in head.get(f"/brokerage/{row.id}").get_data(as_text=True)
    assert _post(head, f"/brokerage/{row.id}/agree").status_code == 302
    # Either may say the work started and finished.
    assert _post(sip, f"/brokerage/{row.id}/engage").status_code == 302
    assert _post(head, f"/brokerage/{row.id}/complete").status_code == 302
    response = _post(
        head,
        f"/brokerage/{row.id}/impact",
        rating="4",
        impact="Phonics screening pass rate rose from 58% to 81%.",
    )
    assert response.status_code == 302
    session.refresh(row)
    assert row.state == "evaluated" and row.impact_rating == 4
    assert (
        row.suggested_at <= row.agreed_at <= row.engaged_at <= row.completed_at <= row.evaluated_at
    )  # type: ignore[operator]

    trail = brokerage.audit_trail(session, int(row.id or 0))
    assert [(e.from_state, e.to_state) for e in trail] == [
        (None, "suggested"),
        ("suggested", "agreed"),
        ("agreed", "engaged"),
        ("engaged", "completed"),
        ("completed", "evaluated"),
    ]
    assert [e.actor_id for e in trail] == [
        world.sip.id,
        world.head.id,
        world.sip.id,
        world.head.id,
        world.head.id,
    ]
    assert all(e.provider_id == world.listing.provider_id for e in trail)

    # A positive impact invites the head (and only the head) to recommend the provider.
    detail = head.get(f"/brokerage/{row.id}").get_data(as_text=True)
    assert "Recommend Helen Marsh Education Consultancy" in detail
    assert f"/directory/listings/{world.listing.id}/recommend" in detail
    assert "rose from 58% to 81%" in detail
    assert "Recommend Helen Marsh" not in sip.get(f"/brokerage/{row.id}").get_data(as_text=True)

    # The outcome feeds the listing's evidence, for everyone.
    public = app.test_client().get(f"/directory/listings/{world.listing.id}").get_data(as_text=True)
    assert "Brokered 1 time, average impact 4.0/4." in public
    assert "Shortlist for one of your schools" not in public


def test_a_modest_impact_does_not_invite_a_recommendation(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    row = w.shortlisted(session, world, priority)
    for to, who in (("agreed", world.head), ("engaged", world.head), ("completed", world.head)):
        brokerage.move(session, who, row, to)
    brokerage.move(
        session, world.head, row, "evaluated", rating="2", impact="Some change in a few classes."
    )
    session.commit()
    page = w.client_for(app, world.head).get(f"/brokerage/{row.id}").get_data(as_text=True)
    assert "2 – Some impact" in page
    assert "Recommend Helen Marsh" not in page


def test_the_head_declines_with_a_reason_and_a_declined_brokerage_goes_no_further(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    row = w.shortlisted(session, world, priority)
    head = w.client_for(app, world.head)
    response = _post(head, f"/brokerage/{row.id}/decline", reason="  ")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'href="#reason"' in page and "Say why the school is declining" in page
    response = _post(
        head,
        f"/brokerage/{row.id}/decline",
        reason="We already buy this from the LA's traded service.",
    )
    assert response.status_code == 302
    session.refresh(row)
    assert row.state == "declined" and row.declined_at is not None
    assert row.declined_reason == "We already buy this from the LA's traded service."
    response = _post(head, f"/brokerage/{row.id}/agree")
    assert response.status_code == 409
    assert "You cannot agree to this support: it is declined" in response.get_data(as_text=True)
    assert "LA&#39;s traded service" in w.client_for(app, world.qa).get(
        f"/brokerage/{row.id}"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("state", "to", "message"),
    [
        (
            "suggested",
            "engage",
            "You cannot start this support: it is shortlisted, and only agreed support can be.",
        ),
        ("suggested", "complete", "You cannot complete this support: it is shortlisted"),
        ("suggested", "impact", "You cannot record the impact of this support: it is shortlisted"),
        ("agreed", "agree", "You cannot agree to this support: it is agreed"),
        ("engaged", "decline", "You cannot decline this support: it is engaged"),
        ("evaluated", "complete", "You cannot complete this support: it is impact evaluated"),
    ],
)
def test_invalid_transitions_are_refused_with_a_clear_message(
    app: Flask, session: Session, world: w.World, state: str, to: str, message: str
) -> None:
    _, (priority,) = w.visit(session, world)
    row = w.shortlisted(session, world, priority)
    path = ["agreed", "engaged", "completed", "evaluated"]
    for step in path[: path.index(state) + 1] if state != "suggested" else []:
        brokerage.move(session, world.head, row, step, rating="3", impact="Better.")
    session.commit()
    before = len(brokerage.audit_trail(session, int(row.id or 0)))
    response = _post(
        w.client_for(app, world.head),
        f"/brokerage/{row.id}/{to}",
        reason="r",
        rating="3",
        impact="i",
    )
    assert response.status_code == 409
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    session.refresh(row)
    assert row.state == state
    assert len(brokerage.audit_trail(session, int(row.id or 0))) == before


def test_only_the_head_decides_and_records_impact(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    row = w.shortlisted(session, world, priority)
    for user in (world.sip, world.qa, world.admin, world.neighbour_head):
        response = _post(w.client_for(app, user), f"/brokerage/{row.id}/agree")
        assert response.status_code == 403, user.role
    response = _post(w.client_for(app, world.sip), f"/brokerage/{row.id}/agree")
    assert (
        "Only the school&#39;s headteacher or a leader the headteacher authorised can agree "
        "to this support." in response.get_data(as_text=True)
    )
    session.refresh(row)
    assert row.state == "suggested"


def test_shortlisting_refuses_duplicates_unpublished_listings_and_other_schools_priorities(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    _, (theirs,) = w.visit(session, world, school=world.neighbour, sip=world.neighbour_sip)
    w.shortlisted(session, world, priority)
    sip = w.client_for(app, world.sip)
    response = _post(
        sip, "/brokerage/shortlist", listing_id=world.listing.id, priority_id=priority.id
    )
    assert response.status_code == 400 and "already on this priority" in response.get_data(
        as_text=True
    )
    response = _post(
        sip, "/brokerage/shortlist", listing_id=world.listing.id, priority_id=theirs.id
    )
    assert response.status_code == 400 and "Select one of your schools" in response.get_data(
        as_text=True
    )
    response = _post(sip, "/brokerage/shortlist", listing_id=world.listing.id, priority_id="abc")
    assert response.status_code == 400
    suspended = f.listing(session, title="Suspended service", status="suspended")
    session.commit()
    assert (
        _post(
            sip, "/brokerage/shortlist", listing_id=suspended.id, priority_id=priority.id
        ).status_code
        == 404
    )
    response = _post(
        sip,
        f"/schools/{world.school.id}/priorities/{priority.id}/shortlist",
        listing_id=suspended.id,
    )
    assert response.status_code == 302
    assert "not in the directory now" in sip.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert len(session.exec(select(Brokerage)).all()) == 1


def test_the_shortlist_page_keeps_the_listing_when_no_priority_is_chosen(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    sip = w.client_for(app, world.sip)
    response = _post(sip, "/brokerage/shortlist", listing_id=world.listing.id, priority_id="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'href="#priority_id"' in page and "Phonics leadership coaching" in page
    assert re.search(
        rf'name="listing_id"[^>]*value="{world.listing.id}"|value="{world.listing.id}"[^>]*name="listing_id"',
        page,
    )


def test_initiative_fatigue_is_shown_on_the_school_page_and_when_agreeing(
    app: Flask, session: Session, world: w.World
) -> None:
    world.la.fatigue_threshold = 2
    session.add(world.la)
    session.commit()
    _, priorities = w.visit(session, world, priorities=4, category="governance")
    # Public listings (only those can be shortlisted): a provider two schools recommend.
    backed = f.assured_provider(session, listings=0)
    extra = [f.listing(session, backed, title=f"Extra {n}") for n in range(3)]
    session.commit()
    rows = [
        w.shortlisted(session, world, p, listing)
        for p, listing in zip(priorities, [world.listing, *extra], strict=True)
    ]
    head = w.client_for(app, world.head)
    assert "Initiative fatigue" not in head.get(f"/schools/{world.school.id}").get_data(
        as_text=True
    )
    # Agreeing a second in the same area is warned about before it happens.
    brokerage.move(session, world.head, rows[0], "agreed")
    session.commit()
    page = head.get(f"/brokerage/{rows[1].id}/agree").get_data(as_text=True)
    assert "Initiative fatigue" in page and "same area: Governance" in page
    brokerage.move(session, world.head, rows[1], "agreed")
    brokerage.move(session, world.head, rows[2], "agreed")
    session.commit()
    page = head.get(f"/schools/{world.school.id}").get_data(as_text=True)
    assert "3 pieces of support under way" in page and "more than the 2" in page
    # Finishing work lifts the warning.
    for row in rows[:2]:
        brokerage.move(session, world.head, row, "engaged")
        brokerage.move(session, world.head, row, "completed")
    session.commit()
    assert "Initiative fatigue" not in head.get(f"/schools/{world.school.id}").get_data(
        as_text=True
    )


def test_suggestions_come_from_the_matcher_when_it_is_installed(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    page = (
        w.client_for(app, world.sip)
        .get(f"/schools/{world.school.id}/priorities/{priority.id}")
        .get_data(as_text=True)
    )
    assert f"category={priority.category}" in page  # a directory search for the priority's area


def test_a_sip_shortlists_a_suggestion_with_its_reasons(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    sip = w.client_for(app, world.sip)
    path = f"/schools/{world.school.id}/priorities/{priority.id}/shortlist"
    response = _post(
        sip, path, listing_id=world.other_listing.id, note="Suggested: area: Governance"
    )
    assert response.headers["Location"] == f"/schools/{world.school.id}/priorities/{priority.id}"
    row = session.exec(select(Brokerage)).one()
    assert row.note == "Suggested: area: Governance" and row.shortlisted_by_id == world.sip.id
    listing = session.get(Listing, row.listing_id)
    assert listing is not None and listing.title in sip.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.entity_type == "brokerage")).one().action
        == "shortlisted"
    )


@pytest.fixture
def csrf_app(tmp_path, sqlite_url: str):  # type: ignore[no-untyped-def]
    from tests.conftest import close_app, make_app

    application = make_app(tmp_path, sqlite_url, WTF_CSRF_ENABLED=True)
    yield application
    close_app(application)


def test_every_change_needs_the_forms_csrf_token(csrf_app: Flask) -> None:
    from broker import db

    with db.new_session(csrf_app) as session:
        world = w.build(session)
        _, (priority,) = w.visit(session, world)
        row = w.shortlisted(session, world, priority)
        brokerage.move(session, world.head, row, "agreed")
        session.commit()
    client = csrf_app.test_client()
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/sign-in").get_data(as_text=True),
    )
    assert token
    client.post(
        "/sign-in",
        data={"email": world.sip.email, "password": w.PASSWORD, "csrf_token": token.group(1)},
    )
    assert client.post(f"/brokerage/{row.id}/engage").status_code == 400
    valid = {"visited_on": ["1", "2", "2026"], "evidence": ["sef"], "support_category": "intensive"}
    assert client.post(f"/schools/{world.school.id}/visits/new", data=valid).status_code == 400
    page = client.get(f"/brokerage/{row.id}").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert form_token
    assert (
        client.post(
            f"/brokerage/{row.id}/engage", data={"csrf_token": form_token.group(1)}
        ).status_code
        == 302
    )
    with db.new_session(csrf_app) as session:
        assert session.get(Brokerage, row.id).state == "engaged"  # type: ignore[union-attr]
        assert len(session.exec(select(SchoolVisit)).all()) == 1  # only the one made above


def test_the_priority_page_offers_a_directory_search_for_more_than_the_close_suggestions(
    app: Flask, session: Session, world: w.World
) -> None:
    _, (priority,) = w.visit(session, world)
    sip = w.client_for(app, world.sip)
    page = sip.get(f"/schools/{world.school.id}/priorities/{priority.id}").get_data(as_text=True)
    assert 'id="search-for-more"' in page
    link = page.split('id="search-for-more" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert f"for={world.school.id}" in link and "q=" in link
    results = sip.get(link)
    assert results.status_code == 200
    assert world.school.name.split("'")[0] in results.get_data(as_text=True)  # for this school
