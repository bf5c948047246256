"""The two-school rule: requests, confirmations, one per school, never self, heads only, withdrawals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from broker import mail
from broker.assurance import services
from broker.errors import Forbidden, InvalidInput
from broker.evidence import recommendation_counts
from broker.models import AuditEvent, Listing, Recommendation
from broker.search.documents import documents_for
from tests import factories as f
from tests.assurance.conftest import World
from tests.auth.helpers import Inbox, body, make_user, use_smtp

IMPACT = "Reading attainment in Year 2 rose by a third and staff feel confident teaching phonics."


def _recs(session: Session, provider_id: int) -> list[Recommendation]:
    session.expire_all()
    return list(
        session.exec(select(Recommendation).where(Recommendation.provider_id == provider_id)).all()
    )


def test_requesting_recommendations_asks_each_head_by_email_and_dashboard(
    any_app: Flask, any_session: Session, any_world: World, smtp: Inbox
) -> None:
    use_smtp(any_app, smtp.port)
    w, s = any_world, any_session
    with any_app.app_context():
        outcome = services.request_recommendations(
            s, w.provider, [w.schools[0].id, w.schools[1].id], w.provider_user
        )
        s.commit()
        mail.deliver_committed(s, any_app)
        assert [x.id for x in outcome.requested] == [w.schools[0].id, w.schools[1].id]
        assert {r.status for r in _recs(s, w.provider.id)} == {"requested"}
        assert [r.provider.name for r in services.pending_requests(s, w.heads[0])] == [
            w.provider.name
        ]
        assert services.pending_requests(s, w.heads[2]) == []
    messages = smtp.wait_for(2)
    assert {m["To"] for m in messages} == {w.heads[0].email, w.heads[1].email}
    assert "Bright Futures Consulting" in body(messages[0])
    assert "http://localhost/recommendations" in body(messages[0])
    assert recommendation_counts(s, [w.provider.id]) == {}  # a request is not a recommendation


def test_asking_again_sends_nothing_new(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    with any_app.app_context():
        services.request_recommendations(s, w.provider, [w.schools[0].id], w.provider_user)
        again = services.request_recommendations(s, w.provider, [w.schools[0].id], w.provider_user)
        s.commit()
    assert again.requested == [] and [x.id for x in again.already] == [w.schools[0].id]
    assert len(_recs(s, w.provider.id)) == 1
    events = s.exec(select(AuditEvent).where(AuditEvent.action == "recommendation-requested")).all()
    assert len(events) == 1


def test_a_provider_cannot_name_its_own_school_as_referee(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    w.provider.school_id = w.schools[0].id
    s.commit()
    with any_app.app_context(), pytest.raises(InvalidInput) as error:
        services.request_recommendations(
            s, w.provider, [w.schools[0].id, w.schools[1].id], w.provider_user
        )
    assert error.value.field == "school_ids"


def test_only_the_providers_own_users_can_request(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    other = f.provider(s)
    intruder = make_user(s, "provider", provider_id=other.id)
    with any_app.app_context(), pytest.raises(Forbidden):
        services.request_recommendations(s, w.provider, [w.schools[0].id], intruder)


def test_a_confirmed_request_counts_and_a_declined_one_is_not_asked_again(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    with any_app.app_context():
        services.request_recommendations(
            s, w.provider, [w.schools[0].id, w.schools[1].id], w.provider_user
        )
        s.commit()
        first, second = sorted(_recs(s, w.provider.id), key=lambda r: r.school_id)
        services.confirm_recommendation(s, first.id, w.heads[0], "Phonics training", IMPACT)
        services.decline_recommendation(s, second.id, w.heads[1], "We never used them")
        s.commit()
        again = services.request_recommendations(s, w.provider, [w.schools[1].id], w.provider_user)
    assert [x.id for x in again.declined] == [w.schools[1].id]
    assert recommendation_counts(s, [w.provider.id]) == {w.provider.id: 1}
    confirmed = s.get(Recommendation, first.id)
    assert (
        confirmed.recommender_user_id == w.heads[0].id
        and confirmed.service_title == "Phonics training"
    )


def test_a_second_recommendation_from_the_same_school_replaces_the_first(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    with any_app.app_context():
        services.recommend(s, w.provider.id, w.heads[0], "Phonics training", IMPACT)
        s.commit()
        services.recommend(s, w.provider.id, w.heads[0], "Maths mastery", IMPACT + " Maths too.")
        s.commit()
    recs = _recs(s, w.provider.id)
    assert len(recs) == 1 and recs[0].service_title == "Maths mastery"
    assert recommendation_counts(s, [w.provider.id]) == {w.provider.id: 1}
    actions = s.exec(
        select(AuditEvent.action).where(AuditEvent.entity_type == "recommendation")
    ).all()
    assert list(actions) == ["recommendation-made", "recommendation-replaced"]


def test_a_head_cannot_answer_for_another_school(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    with any_app.app_context():
        services.request_recommendations(s, w.provider, [w.schools[0].id], w.provider_user)
        s.commit()
        rec = _recs(s, w.provider.id)[0]
        with pytest.raises(Forbidden):
            services.confirm_recommendation(s, rec.id, w.heads[1], "Phonics training", IMPACT)
        s.rollback()
        with pytest.raises(Forbidden):
            services.recommend(s, w.provider.id, w.sip, "Phonics training", IMPACT)
    assert recommendation_counts(s, [w.provider.id]) == {}


def test_a_school_cannot_recommend_itself(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    w.provider.school_id = w.schools[0].id
    s.commit()
    with any_app.app_context(), pytest.raises(InvalidInput):
        services.recommend(s, w.provider.id, w.heads[0], "Phonics training", IMPACT)


@pytest.mark.parametrize(
    ("title", "impact", "field"),
    [
        ("", IMPACT, "service_title"),
        ("x" * 201, IMPACT, "service_title"),
        ("Phonics", "Too short", "impact"),
        ("Phonics", "x" * 2001, "impact"),
        ("Phonics", "   ", "impact"),
    ],
)
def test_a_recommendation_names_the_service_and_its_impact(
    app: Flask, session: Session, world: World, title: str, impact: str, field: str
) -> None:
    with app.app_context(), pytest.raises(InvalidInput) as error:
        services.recommend(session, world.provider.id, world.heads[0], title, impact)
    assert error.value.field == field


def test_the_database_refuses_a_recommendation_from_the_providers_own_school(
    any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    w.provider.school_id = w.schools[0].id
    s.commit()
    with pytest.raises(IntegrityError):
        f.recommendation(s, w.provider, w.schools[0], recommender_user_id=w.heads[0].id)
    s.rollback()


def test_the_database_refuses_a_recommendation_by_someone_not_head_of_that_school(
    any_session: Session, any_world: World
) -> None:
    w, s = any_world, any_session
    with pytest.raises(IntegrityError):  # head of school 1 signing for school 0
        f.recommendation(s, w.provider, w.schools[0], recommender_user_id=w.heads[1].id)
    s.rollback()
    with pytest.raises(IntegrityError):  # a SIP of no school
        f.recommendation(s, w.provider, w.schools[0], recommender_user_id=w.sip.id)
    s.rollback()
    rec = f.recommendation(s, w.provider, w.schools[0], recommender_user_id=w.heads[0].id)
    s.commit()
    with pytest.raises(IntegrityError):  # nor can it be moved to another school afterwards
        s.execute(
            sa.update(Recommendation)
            .where(Recommendation.id == rec.id)
            .values(school_id=w.schools[1].id)
        )
    s.rollback()


def test_withdrawal_below_two_schools_takes_listings_out_and_tells_qa(
    any_app: Flask, any_session: Session, any_world: World, smtp: Inbox
) -> None:
    use_smtp(any_app, smtp.port)
    w, s = any_world, any_session
    listing = f.listing(s, w.provider, local_authorities=[w.la.code])
    with any_app.app_context():
        services.recommend(s, w.provider.id, w.heads[0], "Phonics training", IMPACT)
        services.recommend(s, w.provider.id, w.heads[1], "Phonics training", IMPACT)
        s.commit()
        assert [d.id for d in documents_for(s, [listing.id])[0]] == [listing.id]
        first = _recs(s, w.provider.id)[0]
        services.withdraw_recommendation(
            s, first.id, w.heads[0], "The support was not as described"
        )
        s.commit()
        mail.deliver_committed(s, any_app)
    s.expire_all()
    assert s.get(Listing, listing.id).status == "recommendations-needed"
    assert documents_for(s, [listing.id]) == ([], [listing.id])
    messages = smtp.wait_for(2)
    assert w.qa.email in {m["To"] for m in messages}
    assert w.provider.email in {m["To"] for m in messages} or w.provider_user.email in {
        m["To"] for m in messages
    }
    with any_app.app_context():
        queue = services.qa_queue(s, w.qa, "recommendations-needed")
    assert [i.listing.id for i in queue.items] == [listing.id]
    reasons = s.exec(
        select(AuditEvent.reason).where(AuditEvent.action == "recommendation-withdrawn")
    ).all()
    assert list(reasons) == ["The support was not as described"]
