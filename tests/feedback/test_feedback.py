"""Professional feedback with right of reply: who writes it and when, who reads it, the one
reply, clear refusals, audit and notifications; on SQLite and PostgreSQL, through the pages."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlmodel import Session, select

from broker.brokerage import services as brokerage
from broker.errors import Conflict, Forbidden, InvalidInput, NotFound
from broker.feedback import services as feedback
from broker.mail import notifications
from broker.models import (
    AuditEvent,
    Feedback,
    MailMessage,
    Notification,
    SchoolAuthority,
    User,
    utcnow,
)
from tests.auth.helpers import Inbox, body, use_smtp
from tests.feedback.world import FeedbackWorld, build
from tests.schools import world as w

HEAD_SAYS = "Head-marker-Q7: the coaching changed how we teach phonics <b>really</b>."
SIP_SAYS = "Sip-marker-K3: good work, but the reports came late."
REPLY = "Reply-marker-Z9: thank you; we have changed how we send reports."


@pytest.fixture
def app(any_app: Flask) -> Flask:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_app


@pytest.fixture
def session(any_session: Session) -> Session:
    return any_session


@pytest.fixture
def fw(session: Session) -> FeedbackWorld:
    return build(session)


def _give(client: FlaskClient, brokerage_id: int, text: str = HEAD_SAYS, again: str = "yes"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/brokerage/{brokerage_id}/feedback", data={"text": text, "would_use_again": again}
    )


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def _feedback(session: Session) -> list[Feedback]:
    session.expire_all()
    return list(session.exec(select(Feedback).order_by(Feedback.id)).all())  # type: ignore[arg-type]


# --- writing -----------------------------------------------------------------------------------


def test_head_and_sip_each_leave_feedback_on_complete_work_from_the_brokerage_page(
    app: Flask, session: Session, fw: FeedbackWorld
) -> None:
    world, done = fw.world, fw.done
    head, sip = w.client_for(app, world.head), w.client_for(app, world.sip)
    page = _text(head.get(f"/brokerage/{done.id}"))
    assert "Leave feedback for the provider" in page
    form = _text(head.get(f"/brokerage/{done.id}/feedback"))
    assert "Would you use this provider again?" in form, form
    assert "govuk-character-count" in form

    response = _give(head, int(done.id or 0))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/brokerage/{done.id}#feedback"
    page = _text(head.get(f"/brokerage/{done.id}"))
    assert "Feedback sent to Helen Marsh Education Consultancy." in page
    assert str(escape(HEAD_SAYS)) in page and HEAD_SAYS not in page  # escaped, never markup
    assert "Leave feedback for the provider" not in page and "No reply yet" in page
    # Asking for the form again shows what was given instead.
    again = head.get(f"/brokerage/{done.id}/feedback")
    assert again.headers["Location"] == f"/brokerage/{done.id}#feedback"

    assert _give(sip, int(done.id or 0), SIP_SAYS, "no").status_code == 302
    rows = _feedback(session)
    assert [(r.author_id, r.author_role, r.would_use_again) for r in rows] == [
        (world.head.id, "headteacher", True),
        (world.sip.id, "sip", False),
    ]
    assert rows[0].text == HEAD_SAYS and rows[0].listing_id == world.listing.id
    trail = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "feedback").order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    assert [(e.action, e.actor_id, e.provider_id) for e in trail] == [
        ("feedback-given", world.head.id, world.listing.provider_id),
        ("feedback-given", world.sip.id, world.listing.provider_id),
    ]
    # The provider is told, in the service; the text is not in the notification.
    notes = session.exec(
        select(Notification).where(Notification.user_id == world.provider.id)
    ).all()
    assert [n.kind for n in notes] == ["feedback-received", "feedback-received"]
    assert notes[0].path == f"/provider/feedback/{rows[0].id}/reply"


@pytest.mark.parametrize("state", ["suggested", "agreed", "engaged"])
def test_feedback_waits_for_the_work_to_be_complete(
    app: Flask, session: Session, state: str
) -> None:
    fw = build(session, state)
    head = w.client_for(app, fw.world.head)
    for method in ("get", "post"):
        response = getattr(head, method)(
            f"/brokerage/{fw.done.id}/feedback", data={"text": "x", "would_use_again": "yes"}
        )
        assert response.status_code == 409
        assert "Feedback can be left once the work is complete. This support is" in _text(response)
    assert "Leave feedback" not in _text(head.get(f"/brokerage/{fw.done.id}"))
    with pytest.raises(Conflict):
        feedback.give(session, fw.world.head, fw.done, text="Good", would_use_again="yes")
    assert _feedback(session) == []


def test_evaluated_work_takes_feedback_too(app: Flask, session: Session, fw: FeedbackWorld) -> None:
    brokerage.move(session, fw.world.head, fw.done, "evaluated", rating=4, impact="Better.")
    session.commit()
    row = feedback.give(session, fw.world.head, fw.done, text="Fine work", would_use_again="yes")
    session.commit()
    assert row.id is not None


def test_only_the_schools_head_its_authorised_leaders_and_its_sip_write_feedback(
    app: Flask, session: Session, fw: FeedbackWorld
) -> None:
    world, done = fw.world, fw.done
    for user in (world.neighbour_head, world.neighbour_sip, world.qa, world.admin, world.provider):
        with pytest.raises(Forbidden):
            feedback.give(session, user, done, text="Good", would_use_again="yes")
    expected = {
        "neighbour_head": 403,
        "neighbour_sip": 403,
        "qa": 403,
        "far_qa": 403,
        "admin": 403,
        "provider": 403,
    }
    for name, status in expected.items():
        client = w.client_for(app, world.users()[name])
        assert client.get(f"/brokerage/{done.id}/feedback").status_code == status, name
        assert _give(client, int(done.id or 0)).status_code == status, name
    assert _give(w.client_for(app, None), int(done.id or 0)).status_code == 302  # to sign in
    assert _feedback(session) == []

    # The authorised leader writes for the school, recorded as theirs on its behalf.
    leader = w.client_for(app, fw.leader)
    assert _give(leader, int(done.id or 0), "Leader's view").status_code == 302
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "feedback-given")).one()
    assert event.actor_id == fw.leader.id
    assert event.actor_label.endswith("on behalf of St Aidan's CE Primary School")
    # Once the head withdraws that authority, the leader can write no more (elsewhere either).
    authority = session.exec(
        select(SchoolAuthority).where(SchoolAuthority.user_id == fw.leader.id)
    ).one()
    authority.withdrawn_at = utcnow()
    session.add(authority)
    session.commit()
    assert leader.get(f"/brokerage/{done.id}/feedback").status_code == 403


def test_a_second_feedback_from_the_same_person_is_refused_with_a_clear_message(
    app: Flask, session: Session, fw: FeedbackWorld
) -> None:
    head = w.client_for(app, fw.world.head)
    assert _give(head, int(fw.done.id or 0)).status_code == 302
    response = _give(head, int(fw.done.id or 0), "Second thoughts")
    assert response.status_code == 400
    page = _text(response)
    assert page.startswith("<!DOCTYPE html>") and "<title>Error:" in page
    assert "You have already left feedback on this support." in page
    assert [r.text for r in _feedback(session)] == [HEAD_SAYS]
    with pytest.raises(InvalidInput, match="already left feedback"):
        feedback.give(session, fw.world.head, fw.done, text="Again", would_use_again="no")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "", "would_use_again": "yes"}, "text", "Enter your feedback"),
        ({"text": "   \n  ", "would_use_again": "yes"}, "text", "Enter your feedback"),
        (
            {"text": "x" * 2001, "would_use_again": "yes"},
            "text",
            "Your feedback must be 2,000 characters or fewer",
        ),
        (
            {"text": "Kept words"},
            "would_use_again",
            "Select whether you would use this provider again",
        ),
        (
            {"text": "Kept words", "would_use_again": "maybe"},
            "would_use_again",
            "Select whether you would use this provider again",
        ),
    ],
)
def test_bad_feedback_gets_a_clear_error_and_keeps_what_was_typed(
    app: Flask,
    session: Session,
    fw: FeedbackWorld,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = w.client_for(app, fw.world.head).post(f"/brokerage/{fw.done.id}/feedback", data=data)
    assert response.status_code == 400
    page = _text(response)
    assert "<title>Error:" in page and "govuk-error-summary" in page
    assert message in page and f'href="#{field}' in page
    if data.get("text", "").strip() and len(data["text"]) < 100:
        assert data["text"] in page
    assert _feedback(session) == []


# --- reading -----------------------------------------------------------------------------------


def test_only_the_author_the_provider_and_its_qa_officers_read_feedback(
    app: Flask, session: Session, fw: FeedbackWorld
) -> None:
    world, done = fw.world, fw.done
    head_fb = feedback.give(session, world.head, done, text=HEAD_SAYS, would_use_again="yes")
    sip_fb = feedback.give(session, world.sip, done, text=SIP_SAYS, would_use_again="no")
    session.commit()
    readers = {
        world.head.id: {head_fb.id},
        world.sip.id: {sip_fb.id},
        world.provider.id: {head_fb.id, sip_fb.id},
        world.qa.id: {head_fb.id, sip_fb.id},
        world.admin.id: {head_fb.id, sip_fb.id},
    }
    everyone = [*world.users().values(), fw.leader]
    for user in everyone:
        may = {row.id for row in (head_fb, sip_fb) if feedback.can_read(session, user, row)}
        assert may == readers.get(user.id, set()), user.role

    # The pages say the same: the head and the SIP see their own on the brokerage page only.
    # One sign-in each: a second factor's code is accepted once.
    clients: dict[int, FlaskClient] = {}

    def client(user: User) -> FlaskClient:
        if int(user.id or 0) not in clients:
            clients[int(user.id or 0)] = w.client_for(app, user)
        return clients[int(user.id or 0)]

    def shown(user: User, path: str) -> tuple[bool, bool]:
        page = _text(client(user).get(path))
        return "Head-marker-Q7" in page, "Sip-marker-K3" in page

    brokerage_page = f"/brokerage/{done.id}"
    assert shown(world.head, brokerage_page) == (True, False)
    assert shown(world.sip, brokerage_page) == (False, True)
    for user in (fw.leader, world.qa, world.admin):
        assert shown(user, brokerage_page) == (False, False), user.role
    # The provider, in its own area.
    assert shown(world.provider, "/provider/feedback") == (True, True)
    dashboard = _text(client(world.provider).get("/provider"))
    assert "Feedback from schools on your completed work</a> (2 awaiting your reply)" in dashboard
    # QA officers, beside the evidence when they review (re-assure) the listing.
    review = f"/qa/listings/{world.listing.id}"
    assert shown(world.qa, review) == (True, True)
    assert shown(world.admin, review) == (True, True)
    page = _text(client(world.qa).get(review))
    assert "Feedback from schools (2)" in page and "Would use again" in page
    assert w.client_for(app, world.far_qa).get(review).status_code == 403


# --- replying ----------------------------------------------------------------------------------


def test_the_provider_replies_once_and_the_reply_is_shown_with_the_feedback(
    app: Flask, session: Session, fw: FeedbackWorld
) -> None:
    world = fw.world
    row = feedback.give(session, world.head, fw.done, text=HEAD_SAYS, would_use_again="yes")
    session.commit()
    provider = w.client_for(app, world.provider)
    listed = _text(provider.get("/provider/feedback"))
    assert f'href="/provider/feedback/{row.id}/reply"' in listed
    form = _text(provider.get(f"/provider/feedback/{row.id}/reply"))
    assert "Head-marker-Q7" in form and "govuk-character-count" in form

    response = provider.post(f"/provider/feedback/{row.id}/reply", data={"reply": REPLY})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/provider/feedback#feedback-{row.id}"
    listed = _text(provider.get("/provider/feedback"))
    assert "Reply sent to John Carter." in listed and "Reply-marker-Z9" in listed
    assert f"/provider/feedback/{row.id}/reply" not in listed
    # Shown with the feedback to its author and to QA.
    assert "Reply-marker-Z9" in _text(w.client_for(app, world.head).get(f"/brokerage/{fw.done.id}"))
    assert "Reply-marker-Z9" in _text(
        w.client_for(app, world.qa).get(f"/qa/listings/{world.listing.id}")
    )
    # The author is told; the reply is audited.
    session.expire_all()
    note = session.exec(
        select(Notification).where(
            Notification.user_id == world.head.id, Notification.kind == "feedback-reply"
        )
    ).one()
    assert note.path == f"/brokerage/{fw.done.id}"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "feedback-replied")).one()
    assert (event.actor_id, event.entity_id) == (world.provider.id, row.id)

    # A second reply is refused, clearly, and changes nothing.
    assert provider.get(f"/provider/feedback/{row.id}/reply").status_code == 302
    second = provider.post(f"/provider/feedback/{row.id}/reply", data={"reply": "Another go"})
    assert second.status_code == 400
    assert "You have already replied to this feedback. A provider can reply only once" in _text(
        second
    )
    with pytest.raises(InvalidInput, match="reply only once"):
        feedback.reply(session, world.provider, int(row.id or 0), "Again")
    (saved,) = _feedback(session)
    assert saved.reply == REPLY and saved.replied_by_id == world.provider.id


def test_only_the_providers_own_users_reply(
    app: Flask, session: Session, fw: FeedbackWorld
) -> None:
    world = fw.world
    row = feedback.give(session, world.head, fw.done, text=HEAD_SAYS, would_use_again="yes")
    other = w.make_user(
        session, "provider", provider_id=world.other_listing.provider_id, name="Other Provider"
    )
    session.commit()
    path = f"/provider/feedback/{row.id}/reply"
    outsider = w.client_for(app, other)
    assert outsider.get(path).status_code == 404
    assert outsider.post(path, data={"reply": "Hijack"}).status_code == 404
    assert "Head-marker-Q7" not in _text(outsider.get("/provider/feedback"))
    for name in ("head", "sip", "qa", "admin"):
        client = w.client_for(app, world.users()[name])
        assert client.post(path, data={"reply": "Not mine"}).status_code == 403, name
    with pytest.raises(NotFound):
        feedback.reply(session, other, int(row.id or 0), "Hijack")
    assert (
        w.client_for(app, world.provider).get("/provider/feedback/999999/reply").status_code == 404
    )
    assert _feedback(session)[0].reply is None


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("", "Enter your reply"),
        ("  \n ", "Enter your reply"),
        ("y" * 2001, "Your reply must be 2,000 characters or fewer"),
    ],
)
def test_a_bad_reply_gets_a_clear_error(
    app: Flask, session: Session, fw: FeedbackWorld, reply: str, message: str
) -> None:
    row = feedback.give(session, fw.world.head, fw.done, text=HEAD_SAYS, would_use_again="yes")
    session.commit()
    response = w.client_for(app, fw.world.provider).post(
        f"/provider/feedback/{row.id}/reply", data={"reply": reply}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "<title>Error:" in page and message in page and 'href="#reply"' in page
    assert _feedback(session)[0].replied_at is None


# --- email -------------------------------------------------------------------------------------


def _one_to(smtp: Inbox, address: str, subject_has: str) -> str:
    for _ in range(50):
        found = [m for m in smtp.to(address) if subject_has in m["Subject"]]
        if found:
            assert len(found) == 1
            return body(found[0])
        time.sleep(0.1)
    raise AssertionError(f"no message to {address} about {subject_has!r}")


def test_the_provider_is_emailed_when_feedback_arrives_and_the_author_when_it_replies(
    app: Flask, session: Session, fw: FeedbackWorld, smtp: Inbox
) -> None:
    use_smtp(app, smtp.port)
    world = fw.world
    assert _give(w.client_for(app, world.head), int(fw.done.id or 0)).status_code == 302
    text = _one_to(smtp, world.provider.email, "Feedback from St Aidan")
    assert "John Carter (Headteacher, St Aidan's CE Primary School) left feedback" in text
    assert "Head-marker-Q7" not in text  # read in the service, not in a mailbox
    (row,) = _feedback(session)
    link = re.search(r"http://localhost(/\S+)", text)
    assert link is not None and link.group(1) == f"/provider/feedback/{row.id}/reply"
    provider = w.client_for(app, world.provider)
    assert provider.get(link.group(1)).status_code == 200
    assert provider.post(link.group(1), data={"reply": REPLY}).status_code == 302
    text = _one_to(smtp, world.head.email, "replied to your feedback")
    assert "Reply-marker-Z9" not in text
    assert f"http://localhost/brokerage/{fw.done.id}" in text


def test_a_provider_who_turned_off_the_email_is_still_told_in_the_service(
    app: Flask, session: Session, fw: FeedbackWorld
) -> None:
    notifications.choose_emails(session, fw.world.provider, [])
    session.commit()
    feedback.give(session, fw.world.head, fw.done, text=HEAD_SAYS, would_use_again="yes")
    session.commit()
    kinds = session.exec(
        select(Notification.kind).where(Notification.user_id == fw.world.provider.id)
    ).all()
    assert kinds == ["feedback-received"]
    assert (
        session.exec(
            select(MailMessage).where(MailMessage.to_address == fw.world.provider.email)
        ).all()
        == []
    )
