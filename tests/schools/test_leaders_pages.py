"""Authorised leaders through the app's pages: the head authorises and withdraws, the leader acts
for the school while authorised, and nobody else reaches the head's page."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from broker.models import MailMessage, Recommendation, SchoolAuthority
from broker.schools import leaders
from tests.schools import world as w

IMPACT = "Reading ages rose by a year and staff now plan phonics together."


def test_a_head_authorises_a_leader_from_the_school_page(app: Flask, session: Session) -> None:
    s = session
    world = w.build(s)
    head = w.client_for(app, world.head)
    school_page = head.get(f"/schools/{world.school.id}").get_data(as_text=True)
    url = f"/schools/{world.school.id}/leaders"
    assert f'href="{url}"' in school_page
    assert "Only you can act for the school now." in head.get(url).get_data(as_text=True)
    body = {"name": "Dana <b>Deputy</b>", "email": "deputy@staidans.example", "title": "Deputy"}
    for change, message in [
        ({"title": ""}, "Enter their role at the school"),
        ({"email": "not an address"}, "Enter an email address in the correct format"),
        ({"email": world.sip.email}, "cannot act for your school"),
    ]:
        refused = head.post(url, data={**body, **change})
        assert refused.status_code == 400, message
        assert message in refused.get_data(as_text=True), message
    assert s.exec(select(SchoolAuthority)).all() == []
    done = head.post(url, data=body)
    assert done.status_code == 302
    listed = head.get(url).get_data(as_text=True)
    assert "Dana &lt;b&gt;Deputy&lt;/b&gt;" in listed and "<b>Deputy</b>" not in listed
    assert "invited: not signed in yet" in listed
    assert [m.to_address for m in s.exec(select(MailMessage)).all()] == ["deputy@staidans.example"]
    for outsider in (world.neighbour_head, world.sip, world.qa):
        assert w.client_for(app, outsider).get(url).status_code == 403


def test_a_leader_acts_for_the_school_until_the_head_withdraws_it(
    app: Flask, session: Session
) -> None:
    s = session
    world = w.build(s)
    deputy = w.make_user(s, "school_leader", name="Dana Deputy", school_id=world.school.id)
    with app.app_context():
        authority = leaders.authorise(
            s,
            world.head,
            world.school,
            email=deputy.email,
            name=deputy.name,
            title="Deputy headteacher",
            link=lambda token: token,
            lifetime=timedelta(days=7),
        )
        s.commit()
    leader = w.client_for(app, deputy)
    home = leader.get("/schools")
    assert home.status_code == 302
    assert home.headers["Location"].endswith(f"/schools/{world.school.id}")
    page = leader.get(f"/schools/{world.school.id}").get_data(as_text=True)
    assert "Recommendations" in page and "Your school" in page  # the navigation
    assert f"/schools/{world.school.id}/leaders" not in page  # the head's page only
    assert leader.get("/recommendations").status_code == 200
    assert leader.get(f"/schools/{world.school.id}/leaders").status_code == 403
    listing_id = world.other_listing.id
    made = leader.post(
        f"/directory/listings/{listing_id}/recommend",
        data={"service_title": "Governance review", "impact": IMPACT},
    )
    assert made.status_code == 302
    rec = s.exec(select(Recommendation).where(Recommendation.recommender_user_id == deputy.id))
    assert rec.one().school_id == world.school.id

    head = w.client_for(app, world.head)
    withdrawn = head.post(f"/schools/{world.school.id}/leaders/{authority.id}/withdraw")
    assert withdrawn.status_code == 302
    assert "Only you can act for the school now." in head.get(
        f"/schools/{world.school.id}/leaders"
    ).get_data(as_text=True)
    assert leader.get("/recommendations").status_code == 403
    assert leader.get(f"/schools/{world.school.id}").status_code == 403
    assert leader.get(f"/directory/listings/{listing_id}/recommend").status_code == 403
    again = head.post(f"/schools/{world.school.id}/leaders/{authority.id}/withdraw")
    assert again.status_code == 404
