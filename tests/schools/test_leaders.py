"""Authorised leaders: a head lets a deputy or business manager recommend providers and agree
brokered support for the school, and withdraws it; what they do is theirs, on the school's
behalf; the two-school rule still counts one recommendation per school (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from broker.assurance import services as assurance
from broker.auth import services as accounts
from broker.brokerage import services as brokerage
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.evidence import recommendation_counts
from broker.models import AuditEvent, MailMessage, Recommendation, SchoolAuthority, User
from broker.schools import leaders
from tests.schools import world as w

IMPACT = "Reading ages rose by a year and staff now plan phonics together."


@pytest.fixture(autouse=True)
def _app_context(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Invitations render their email from a template: run each test in its app's context."""
    name = "any_app" if "any_app" in request.fixturenames else "app"
    with request.getfixturevalue(name).app_context():
        yield


def _link(token: str) -> str:
    return f"https://example.org/invitation/{token}"


def _authorise(s: Session, world: w.World, email: str = "deputy@staidans.example", **kw):  # type: ignore[no-untyped-def]
    values = {"name": "Dana Deputy", "title": "Deputy headteacher"}
    values.update(kw)
    authority = leaders.authorise(
        s,
        world.head,
        world.school,
        email=email,
        link=_link,
        lifetime=timedelta(days=7),
        **values,
    )
    s.commit()
    return authority


def _leader(s: Session, authority: SchoolAuthority) -> User:
    user = s.get(User, authority.user_id)
    assert user is not None
    return user


def test_a_head_and_their_leader_recommending_a_provider_count_once(
    any_session: Session,
) -> None:
    s = any_session
    world = w.build(s)
    deputy = _leader(s, _authorise(s, world))
    assert deputy.role == "school_leader" and deputy.school_id == world.school.id
    provider_id = world.listing.provider_id
    before = recommendation_counts(s, [provider_id]).get(provider_id, 0)
    made = assurance.recommend(s, provider_id, deputy, "Phonics coaching", IMPACT)
    s.commit()
    assert made.recommender_user_id == deputy.id
    assert recommendation_counts(s, [provider_id])[provider_id] == before + 1
    again = assurance.recommend(s, provider_id, world.head, "Phonics coaching", IMPACT)
    s.commit()
    assert again.id == made.id and again.recommender_user_id == world.head.id
    assert recommendation_counts(s, [provider_id])[provider_id] == before + 1
    rows = s.exec(
        select(Recommendation).where(
            Recommendation.provider_id == provider_id,
            Recommendation.school_id == world.school.id,
        )
    ).all()
    assert len(rows) == 1
    labels = s.exec(
        select(AuditEvent.actor_label)
        .where(AuditEvent.entity_type == "recommendation", AuditEvent.entity_id == made.id)
        .order_by(col(AuditEvent.id))
    ).all()
    assert labels[0].startswith("Dana Deputy (Authorised school leader, deputy@staidans.example)")
    assert labels[0].endswith("on behalf of St Aidan's CE Primary School")
    assert "on behalf of" not in labels[1]  # the head acts as themselves


def test_a_leader_agrees_brokered_support_on_the_schools_behalf(any_session: Session) -> None:
    s = any_session
    world = w.build(s)
    deputy = _leader(s, _authorise(s, world, title="School business manager"))
    _, (priority,) = w.visit(s, world)
    row = w.shortlisted(s, world, priority)
    assert "agreed" in brokerage.allowed_steps(s, deputy, row)
    brokerage.move(s, deputy, row, "agreed")
    s.commit()
    event = s.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "brokerage",
            AuditEvent.entity_id == row.id,
            AuditEvent.action == "agreed",
        )
    ).one()
    assert event.actor_id == deputy.id
    assert event.actor_label.endswith("on behalf of St Aidan's CE Primary School")
    assert accounts.can_see_school(s, deputy, int(world.school.id or 0))
    assert not accounts.can_see_school(s, deputy, int(world.neighbour.id or 0))


def test_withdrawn_authority_stops_the_leader_and_their_past_acts_stand(
    any_session: Session,
) -> None:
    s = any_session
    world = w.build(s)
    authority = _authorise(s, world)
    deputy = _leader(s, authority)
    provider_id = world.listing.provider_id
    _, (priority,) = w.visit(s, world)
    row = w.shortlisted(s, world, priority)
    made = assurance.recommend(s, provider_id, deputy, "Phonics coaching", IMPACT)
    s.commit()
    leaders.withdraw(s, world.head, world.school, int(authority.id or 0))
    s.commit()
    with pytest.raises(Forbidden, match="withdrawn"):
        assurance.recommend(s, provider_id, deputy, "Phonics coaching", IMPACT)
    s.rollback()
    with pytest.raises(Forbidden):
        brokerage.move(s, deputy, row, "agreed")
    s.rollback()
    assert not accounts.can_see_school(s, deputy, int(world.school.id or 0))
    assert accounts.visible_school_ids(s, deputy) == set()
    # The recommendation the leader made stands, and the head can still withdraw it
    # (the database's guard accepts a change of a row the leader made while authorised).
    assert s.get(Recommendation, made.id).status == "confirmed"  # type: ignore[union-attr]
    assurance.withdraw_recommendation(s, int(made.id or 0), world.head, "Changed our mind")
    s.commit()
    assert s.get(Recommendation, made.id).status == "withdrawn"  # type: ignore[union-attr]
    actions = s.exec(
        select(AuditEvent.action).where(AuditEvent.entity_type == "school-authority")
    ).all()
    assert sorted(actions) == ["leader-authorised", "leader-authority-withdrawn"]


def test_the_database_refuses_a_leader_the_school_never_authorised(any_session: Session) -> None:
    s = any_session
    world = w.build(s)
    stranger = w.make_user(s, "school_leader", school_id=world.school.id)
    with pytest.raises(IntegrityError):
        s.execute(
            sa.insert(Recommendation).values(
                provider_id=world.listing.provider_id,
                school_id=world.school.id,
                recommender_user_id=stranger.id,
                recommender_name=stranger.name,
                service_title="Phonics",
                impact=IMPACT,
                made_on=sa.func.current_date(),
                status="confirmed",
                created_at=sa.func.current_timestamp(),
            )
        )
    s.rollback()


def test_a_new_leader_is_invited_and_an_existing_account_must_be_the_schools(
    session: Session,
) -> None:
    s = session
    world = w.build(s)
    authority = _authorise(s, world, email="Deputy@StAidans.example")
    deputy = _leader(s, authority)
    assert deputy.email == "deputy@staidans.example" and deputy.password_hash is None
    mail = s.exec(select(MailMessage)).all()
    assert [m.to_address for m in mail] == ["deputy@staidans.example"]
    assert "Authorised school leader" in mail[0].body_text or "authorised school leader" in (
        mail[0].body_text
    )
    assert "St Aidan's CE Primary School" in mail[0].body_text
    with pytest.raises(InvalidInput, match="can already act for your school") as exc:
        _authorise(s, world)
    assert exc.value.field == "email"
    s.rollback()
    with pytest.raises(InvalidInput, match="cannot act for your school") as exc:
        _authorise(s, world, email=world.sip.email)
    s.rollback()
    with pytest.raises(InvalidInput, match="Enter their role"):
        _authorise(s, world, email="bursar@staidans.example", title="  ")
    s.rollback()
    with pytest.raises(Forbidden):
        leaders.authorise(
            s,
            world.neighbour_head,
            world.school,
            email="x@example.org",
            name="X",
            title="Deputy",
            link=_link,
            lifetime=timedelta(days=7),
        )
    with pytest.raises(NotFound):
        leaders.withdraw(s, world.neighbour_head, world.neighbour, int(authority.id or 0))
    # Re-authorising after a withdrawal reuses the account and sends no new invitation once
    # they have a password.
    deputy.password_hash = "set"
    s.add(deputy)
    leaders.withdraw(s, world.head, world.school, int(authority.id or 0))
    s.commit()
    again = _authorise(s, world)
    assert again.user_id == deputy.id and again.id != authority.id
    assert len(s.exec(select(MailMessage)).all()) == 1


def test_a_leader_is_told_what_the_head_is_told_until_their_authority_is_withdrawn(
    any_session: Session,
) -> None:
    # Shortlisted support and recommendation requests reach whoever decides for the school.
    from broker.lifecycle import notify

    s = any_session
    world = w.build(s)
    authority = _authorise(s, world)
    deputy = _leader(s, authority)
    deputy.active = True  # (the invitation accepted)
    s.add(deputy)
    s.commit()
    assert [u.id for u in notify.heads_of(s, int(world.school.id or 0))] == sorted(
        [world.head.id, deputy.id]
    )
    leaders.withdraw(s, world.head, world.school, int(authority.id or 0))
    s.commit()
    assert [u.id for u in notify.heads_of(s, int(world.school.id or 0))] == [world.head.id]
