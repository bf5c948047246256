"""QA: the queue, decisions through the pages, publication at once, renewal, reminders, lapse, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker.assurance import services
from broker.errors import Conflict, Forbidden
from broker.models import AuditEvent, Listing, utcnow
from broker.search.engine import get_search
from index import service
from tests import factories as f
from tests.assurance.conftest import World
from tests.auth.helpers import Inbox, body, sign_in_fully


def _two_schools(s: Session, w: World, provider=None) -> None:  # type: ignore[no-untyped-def]
    provider = provider or w.provider
    for head, school in zip(w.heads[:2], w.schools[:2], strict=True):
        f.recommendation(
            s, provider, school, recommender_user_id=head.id, recommender_name=head.name
        )


def _searchable(app: Flask, listing_id: int) -> bool:
    hits = service.search(get_search(app).backend, service.Request(text="", per_page=100)).hits
    return listing_id in {h.id for h in hits}


def _listing(s: Session, listing_id: int) -> Listing:
    s.expire_all()
    listing = s.get(Listing, listing_id)
    assert listing is not None
    return listing


def test_the_queue_puts_two_schools_first_then_the_oldest(
    app: Flask, session: Session, world: World
) -> None:
    s, w, now = session, world, utcnow()
    _two_schools(s, w)
    ready_old = f.listing(s, w.provider, status="submitted", submitted_at=now - timedelta(days=9))
    ready_new = f.listing(s, w.provider, status="submitted", submitted_at=now - timedelta(days=1))
    lone = f.provider(s, la_id=w.la.id)
    f.recommendation(s, lone, w.schools[2])
    waiting_longest = f.listing(s, lone, status="submitted", submitted_at=now - timedelta(days=30))
    elsewhere = f.listing(s, f.provider(s, la_id=w.other_la.id), status="submitted")
    serving_us = f.listing(
        s,
        f.provider(s, la_id=w.other_la.id),
        status="submitted",
        local_authorities=[w.la.code],
        submitted_at=now - timedelta(days=3),
    )
    s.commit()
    with app.app_context():
        mine = [i.listing.id for i in services.qa_queue(s, w.qa).items]
        everything = {i.listing.id for i in services.qa_queue(s, w.admin).items}
        theirs = [i.listing.id for i in services.qa_queue(s, w.other_qa).items]
    assert mine == [ready_old.id, ready_new.id, waiting_longest.id, serving_us.id]
    assert everything == {
        ready_old.id,
        ready_new.id,
        waiting_longest.id,
        serving_us.id,
        elsewhere.id,
    }
    assert theirs == [serving_us.id, elsewhere.id] or set(theirs) == {serving_us.id, elsewhere.id}


def test_approving_publishes_and_indexes_at_once_for_twelve_months(
    mail_app: Flask, session: Session, people: World, smtp: Inbox
) -> None:
    s, w = session, people
    _two_schools(s, w)
    listing = f.listing(s, w.provider, status="submitted", title="Phonics for Year 1")
    s.commit()
    client = mail_app.test_client()
    sign_in_fully(client, w.qa)
    queue = client.get("/qa")
    assert b"Phonics for Year 1" in queue.data and b"Two schools" in queue.data
    page = client.get(f"/qa/listings/{listing.id}")
    assert (
        page.status_code == 200
        and b"Counts" in page.data
        and w.schools[0].name.encode() in page.data
    )
    response = client.post(
        f"/qa/listings/{listing.id}/approve", data={"approve-note": "Well evidenced."}
    )
    assert response.status_code == 302
    done = _listing(s, listing.id)
    assert done.status == "assured" and done.assured_at is not None
    assert done.assurance_expires_at is not None
    assert 364 <= (done.assurance_expires_at - done.assured_at).days <= 366
    assert _searchable(mail_app, listing.id)
    assert mail_app.test_client().get(f"/directory/listings/{listing.id}").status_code == 200
    message = smtp.wait_for(1)[0]
    assert message["To"] == w.provider_user.email and "Well evidenced." in body(message)
    event = s.exec(select(AuditEvent).where(AuditEvent.action == "approve")).one()
    assert (
        event.actor_id == w.qa.id
        and event.from_state == "submitted"
        and event.to_state == "assured"
    )


def test_approval_needs_two_valid_schools(app: Flask, session: Session, people: World) -> None:
    s, w = session, people
    f.recommendation(s, w.provider, w.schools[0])
    f.recommendation(
        s, w.provider, w.schools[1], made_on=(utcnow() - timedelta(days=365 * 3 + 10)).date()
    )
    listing = f.listing(s, w.provider, status="submitted")
    s.commit()
    client = app.test_client()
    sign_in_fully(client, w.qa)
    response = client.post(f"/qa/listings/{listing.id}/approve", data={})
    assert response.status_code == 400
    assert b"needs 2 to be assured" in response.data and b"Older than 3 years" in response.data
    assert _listing(s, listing.id).status == "submitted"


def test_requesting_changes_emails_the_message_and_needs_one(
    mail_app: Flask, session: Session, people: World, smtp: Inbox
) -> None:
    s, w = session, people
    listing = f.listing(s, w.provider, status="submitted")
    s.commit()
    client = mail_app.test_client()
    sign_in_fully(client, w.qa)
    empty = client.post(f"/qa/listings/{listing.id}/request-changes", data={"changes-message": " "})
    assert empty.status_code == 400 and b"Enter a message to the provider" in empty.data
    assert b'href="#changes-message"' in empty.data
    message = "Say which key stages the <b>training</b> covers."
    ok = client.post(
        f"/qa/listings/{listing.id}/request-changes", data={"changes-message": message}
    )
    assert ok.status_code == 302
    assert _listing(s, listing.id).status == "changes-requested"
    assert message in body(smtp.wait_for(1)[0])
    page = client.get(f"/qa/listings/{listing.id}")
    assert b"&lt;b&gt;training&lt;/b&gt;" in page.data and b"<b>training</b>" not in page.data


def test_rejecting_needs_a_reason(app: Flask, session: Session, people: World) -> None:
    s, w = session, people
    listing = f.listing(s, w.provider, status="submitted")
    s.commit()
    client = app.test_client()
    sign_in_fully(client, w.qa)
    assert client.post(f"/qa/listings/{listing.id}/reject", data={}).status_code == 400
    assert (
        client.post(
            f"/qa/listings/{listing.id}/reject", data={"reject-reason": "Not school improvement"}
        ).status_code
        == 302
    )
    assert _listing(s, listing.id).status == "rejected"
    reason = s.exec(select(AuditEvent.reason).where(AuditEvent.action == "reject")).one()
    assert reason == "Not school improvement"


def test_suspending_hides_at_once_and_reinstating_returns_it(
    app: Flask, session: Session, people: World
) -> None:
    s, w = session, people
    _two_schools(s, w)
    listing = f.listing(s, w.provider, local_authorities=[w.la.code])
    s.commit()
    assert _searchable(app, listing.id)
    client = app.test_client()
    sign_in_fully(client, w.qa)
    assert (
        client.post(
            f"/qa/listings/{listing.id}/suspend",
            data={"suspend-reason": "A complaint from a school"},
        ).status_code
        == 302
    )
    assert not _searchable(app, listing.id)
    assert app.test_client().get(f"/directory/listings/{listing.id}").status_code == 404
    assert _listing(s, listing.id).status == "suspended"
    assert (
        client.post(
            f"/qa/listings/{listing.id}/reinstate", data={"reinstate-reason": "Complaint resolved"}
        ).status_code
        == 302
    )
    assert _listing(s, listing.id).status == "assured"
    assert _searchable(app, listing.id)


def test_nobody_approves_their_own_submission(app: Flask, session: Session, world: World) -> None:
    s, w = session, world
    _two_schools(s, w)
    listing = f.listing(s, w.provider, status="draft")
    insider = f.user(s, role="qa_officer", la_id=w.la.id, provider_id=w.provider.id)
    s.commit()
    with app.app_context():
        services.submit_for_review(s, listing, w.admin)  # an admin submits on the provider's behalf
        s.commit()
        with pytest.raises(Forbidden, match="You submitted this listing"):
            services.approve(s, listing.id, w.admin)
        s.rollback()
        with pytest.raises(Forbidden, match="You work for this provider"):
            services.approve(s, listing.id, insider)
        s.rollback()
        services.approve(s, listing.id, w.qa)
        s.commit()
    assert _listing(s, listing.id).status == "assured"


def test_a_qa_officer_cannot_decide_for_another_la(
    app: Flask, session: Session, world: World
) -> None:
    s, w = session, world
    listing = f.listing(s, w.provider, status="submitted")
    s.commit()
    with app.app_context(), pytest.raises(Forbidden):
        services.approve(s, listing.id, w.other_qa)


def test_renewal_stays_published_while_qa_reviews_it(
    app: Flask, session: Session, world: World
) -> None:
    s, w = session, world
    _two_schools(s, w)
    listing = f.listing(s, w.provider, assurance_expires_at=utcnow() + timedelta(days=20))
    s.commit()
    with app.app_context():
        services.renew(s, listing, w.provider_user)
        s.commit()
        assert _listing(s, listing.id).is_public()
        assert listing.id in [i.listing.id for i in services.qa_queue(s, w.qa).items]
        services.approve(s, listing.id, w.qa)
        s.commit()
    renewed = _listing(s, listing.id)
    assert renewed.review_requested_at is None
    assert renewed.assurance_expires_at > utcnow() + timedelta(days=360)


def test_submitting_moves_a_draft_to_the_queue_and_refuses_a_suspended_listing(
    app: Flask, session: Session, world: World
) -> None:
    s, w = session, world
    draft = f.listing(s, w.provider, status="draft")
    suspended = f.listing(s, w.provider, status="suspended")
    s.commit()
    with app.app_context():
        services.submit_for_review(s, draft, w.provider_user)
        services.submit_for_review(s, draft, w.provider_user)  # twice changes nothing
        with pytest.raises(Conflict):
            services.submit_for_review(s, suspended, w.provider_user)
        with pytest.raises(Forbidden):
            services.submit_for_review(s, draft, w.heads[0])
        s.commit()
    assert _listing(s, draft.id).status == "submitted"
    assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "submit")).all()) == 1


def test_the_renewal_reminder_is_sent_once(
    mail_app: Flask, session: Session, world: World, smtp: Inbox
) -> None:
    s, w = session, world
    due = f.listing(s, w.provider, assurance_expires_at=utcnow() + timedelta(days=20))
    f.listing(s, w.provider, assurance_expires_at=utcnow() + timedelta(days=90))
    s.commit()
    runner = mail_app.test_cli_runner()
    first = runner.invoke(args=["assurance", "remind"])
    assert first.exit_code == 0, first.output
    assert "Sent 1 renewal reminder." in first.output
    assert runner.invoke(args=["assurance", "remind"]).output.strip() == "Sent 0 renewal reminders."
    message = smtp.wait_for(1)[0]
    assert due.title in body(message)
    assert len(smtp.messages) == 1


def test_assurance_lapses_after_twelve_months(app: Flask, session: Session, world: World) -> None:
    s, w = session, world
    _two_schools(s, w)
    old = f.listing(
        s,
        w.provider,
        assured_at=utcnow() - timedelta(days=400),
        assurance_expires_at=utcnow() - timedelta(days=35),
    )
    s.commit()  # the index sync after every commit lapses what has run out
    assert services.lapse_expired(s) == 0
    assert _listing(s, old.id).status == "lapsed"
    assert s.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "lapse")).all() == [
        old.id
    ]
    assert not _searchable(app, old.id)


def test_the_audit_trail_filters_by_provider_and_pages(
    app: Flask, session: Session, people: World
) -> None:
    s, w = session, people
    other = f.provider(s, la_id=w.la.id, name="Other Provider")
    for n in range(55):
        s.add(
            AuditEvent(
                actor_label="system",
                entity_type="listing",
                entity_id=n,
                provider_id=w.provider.id,
                action="lapse",
            )
        )
    s.add(
        AuditEvent(
            actor_label="system",
            entity_type="listing",
            entity_id=99,
            provider_id=other.id,
            action="suspend",
            reason="<script>x</script>",
        )
    )
    s.commit()
    client = app.test_client()
    sign_in_fully(client, w.qa)
    everything = client.get("/qa/audit")
    assert b"56 events" in everything.data and b"&lt;script&gt;" in everything.data
    one = client.get(f"/qa/audit?provider={w.provider.id}")
    assert b"55 events" in one.data and b"Page 1 of 2" in one.data
    assert b"Page 2 of 2" in client.get(f"/qa/audit?provider={w.provider.id}&page=2").data
    assert b"1 event" in client.get("/qa/audit?name=other").data
    assert client.get("/qa/audit?provider=abc").status_code == 400
    outsider = app.test_client()
    sign_in_fully(outsider, w.other_qa)
    assert b"0 events" in outsider.get("/qa/audit").data


def test_approving_an_edit_of_an_assured_listing_applies_it_and_keeps_it_published(
    app: Flask, session: Session, world: World
) -> None:
    from broker.models import ListingRevision

    s, w = session, world
    _two_schools(s, w)
    listing = f.listing(s, w.provider, title="Old title")
    s.add(
        ListingRevision(
            listing_id=listing.id,
            open_listing_id=listing.id,
            status="submitted",
            proposed={"title": "New title"},
            created_by_id=w.provider_user.id,
        )
    )
    s.commit()
    with app.app_context():
        services.submit_for_review(s, listing, w.provider_user)
        s.commit()
        assert _listing(s, listing.id).is_public()  # still published, old version, while reviewed
        assert _listing(s, listing.id).title == "Old title"
        review = services.review(s, listing.id, w.qa)
        assert review.revision is not None and review.under_review
        services.approve(s, listing.id, w.qa)
        s.commit()
    assert _listing(s, listing.id).title == "New title"
    assert _searchable(app, listing.id)


def test_a_provider_withdraws_a_listing_and_it_leaves_the_directory(
    app: Flask, session: Session, world: World
) -> None:
    s, w = session, world
    _two_schools(s, w)
    listing = f.listing(s, w.provider)
    s.commit()
    assert _searchable(app, listing.id)
    with app.app_context():
        services.withdraw_listing(s, listing, w.provider_user, "We no longer offer it")
        s.commit()
    assert _listing(s, listing.id).status == "withdrawn"
    assert not _searchable(app, listing.id)


def test_a_suspension_while_the_index_is_busy_is_quick_and_never_shown(
    app: Flask, session: Session, people: World
) -> None:
    import subprocess
    import sys
    import time
    from pathlib import Path

    def public_ids() -> set[int]:
        body = app.test_client().get("/api/v1/listings?per_page=100").get_json()
        return {r["id"] for r in body["results"]}

    s, w = session, people
    _two_schools(s, w)
    listing = f.listing(s, w.provider, local_authorities=[w.la.code])
    s.commit()
    assert listing.id in public_ids()
    before = app.test_client().get("/api/v1/listings?per_page=100").get_json()
    before_la_count = {c["value"]: c["count"] for c in before["facets"]["la"]}[w.la.code]
    client = app.test_client()
    sign_in_fully(client, w.qa)
    # Another process holds the index (a long sync) for four seconds.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from broker.search.sync import sync_lock\n"
            "with sync_lock(sys.argv[1]):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(4)\n",
            app.config["INDEX_DIR"],
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        response = client.post(
            f"/qa/listings/{listing.id}/suspend",
            data={"suspend-reason": "A complaint from a school"},
        )
        assert response.status_code == 302
        # The page did not wait for the index; searches leave the changed listing out meanwhile,
        # from the results, the total and the facet counts.
        assert time.monotonic() - started < 3
        assert listing.id not in public_ids()
        body = app.test_client().get("/api/v1/listings?per_page=100").get_json()
        assert body["total"] == len(body["results"]) == len(public_ids())
        counts = {c["value"]: c["count"] for c in body["facets"]["la"]}
        assert counts.get(w.la.code, 0) == before_la_count - 1
    finally:
        holder.wait(timeout=20)
        assert holder.stdout is not None
        holder.stdout.close()
    assert listing.id not in public_ids()  # and applied now that the index is free
    assert not _searchable(app, listing.id)
