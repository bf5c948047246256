"""After submission: edits of an assured listing wait for QA, withdrawal is at once, renewal, states."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from broker import audit
from broker.assurance import services as assurance
from broker.models import Listing, ListingRevision, Recommendation, User, utcnow
from broker.search.engine import get_search
from broker.submissions import services
from index import service
from tests import factories as f
from tests.auth.helpers import make_user
from tests.submissions.helpers import ABOUT, signed_in, text


def _found(app: Flask, words: str) -> set[int]:
    results = service.search(get_search(app).backend, service.Request(text=words, per_page=100))
    return {hit.id for hit in results.hits}


def _assured(s: Session, **kw: object) -> tuple[User, Listing]:
    """An assured provider (two recommending schools) with one published listing and its user."""
    provider = f.assured_provider(s, listings=0)
    listing = f.listing(
        s,
        provider,
        title=kw.pop("title", "Reading recovery for Key Stage 1"),
        summary="One-to-one reading recovery sessions.",
        price_note="£300 a day",
        **kw,
    )
    s.commit()
    return make_user(s, "provider", provider_id=provider.id), listing


def test_edit_of_an_assured_listing_keeps_the_published_version_until_approved(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    user, listing = _assured(s)
    listing_id = int(listing.id or 0)
    assert listing_id in _found(any_app, "recovery")
    client = signed_in(any_app.test_client(), user)
    base = f"/provider/listings/{listing_id}"

    assert "the published version stays live" in text(client.get(base))
    edited = {**ABOUT, "title": "Reading recovery, now with phonics"}
    assert client.post(f"{base}/about", data=edited).status_code == 302
    assert "Reading recovery, now with phonics" in text(client.get(f"{base}/check"))
    assert client.post(f"{base}/submit").status_code == 302

    s.expire_all()
    live = s.get(Listing, listing_id)
    assert live is not None
    assert (live.title, live.status) == ("Reading recovery for Key Stage 1", "assured")
    assert live.review_requested_at is not None
    revision = services.open_revision(s, listing_id)
    assert revision is not None and revision.status == "submitted"
    assert revision.proposed["title"] == "Reading recovery, now with phonics"
    # Still published as it was: in search, on its page, and under its old title only.
    assert listing_id in _found(any_app, "recovery")
    assert not _found(any_app, "phonics")
    page = text(any_app.test_client().get(f"/directory/listings/{listing_id}"))
    assert "Reading recovery for Key Stage 1" in page and "now with phonics" not in page
    # While QA reviews the edit the provider cannot change it again.
    assert client.get(f"{base}/about").status_code == 302
    assert "awaiting review" in text(client.get("/provider"))

    admin = make_user(s, "admin")
    with any_app.test_request_context():  # QA's approval emails the provider
        assurance.approve(s, listing_id, admin)
        s.commit()
    s.expire_all()
    approved = s.get(Listing, listing_id)
    assert approved is not None and approved.title == "Reading recovery, now with phonics"
    assert approved.status == "assured" and approved.review_requested_at is None
    assert services.open_revision(s, listing_id) is None
    closed = s.exec(select(ListingRevision).where(ListingRevision.listing_id == listing_id)).one()
    assert closed.status == "approved" and closed.decided_by_id == admin.id
    assert listing_id in _found(any_app, "phonics")


def test_apply_revision_does_nothing_without_a_submitted_edit(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    user, listing = _assured(s)
    services.save_page(s, listing, "about", {**ABOUT, "title": "Unsubmitted"}, user)
    assert services.apply_revision(s, listing) is None
    assert listing.title == "Reading recovery for Key Stage 1"


def test_discarding_an_edit_leaves_the_listing_as_published(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    user, listing = _assured(s)
    client = signed_in(any_app.test_client(), user)
    base = f"/provider/listings/{listing.id}"
    client.post(f"{base}/about", data={**ABOUT, "title": "A draft edit"})
    assert "You have changes you have not submitted yet" in text(client.get("/provider"))
    assert client.post(f"{base}/discard").status_code == 302
    s.expire_all()
    assert services.open_revision(s, int(listing.id or 0)) is None
    assert "A draft edit" not in text(client.get(f"{base}/check"))


def test_submitting_an_unchanged_edit_is_refused(any_app: Flask, any_session: Session) -> None:
    s = any_session
    user, listing = _assured(s)
    client = signed_in(any_app.test_client(), user)
    response = client.post(f"/provider/listings/{listing.id}/submit")
    assert response.status_code == 400
    assert "You have not changed anything yet" in text(response)


def test_a_listing_short_of_recommendations_goes_back_with_a_new_referee_asked(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    provider = f.provider(s)
    f.recommendation(s, provider)
    listing = f.listing(s, provider, status="recommendations-needed", price_note="£90 a head")
    school = f.school(s)
    s.commit()
    user = make_user(s, "provider", provider_id=provider.id)
    client = signed_in(any_app.test_client(), user)
    base = f"/provider/listings/{listing.id}"
    assert "1 of 2 schools now recommend you" in text(client.get("/provider"))
    assert (
        client.post(f"{base}/referees/add", data={"school_id": str(school.id)}).status_code == 302
    )
    assert client.post(f"{base}/submit").status_code == 302
    s.expire_all()
    assert s.get(Listing, listing.id).status == "submitted"  # type: ignore[union-attr]
    asked = s.exec(
        select(Recommendation).where(
            Recommendation.provider_id == provider.id, Recommendation.school_id == school.id
        )
    ).one()
    assert asked.status == "requested"


def test_withdrawal_removes_the_listing_from_search_at_once(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    user, listing = _assured(s, title="Attendance improvement programme")
    listing_id = int(listing.id or 0)
    assert listing_id in _found(any_app, "attendance")
    client = signed_in(any_app.test_client(), user)
    assert "leaves the directory straight away" in text(
        client.get(f"/provider/listings/{listing_id}/withdraw")
    )
    response = client.post(f"/provider/listings/{listing_id}/withdraw", data={"reason": "Retiring"})
    assert response.status_code == 302
    assert listing_id not in _found(any_app, "attendance")
    assert any_app.test_client().get(f"/directory/listings/{listing_id}").status_code == 404
    s.expire_all()
    assert s.get(Listing, listing_id).status == "withdrawn"  # type: ignore[union-attr]
    assert "Withdrawn: not in the directory" in text(client.get("/provider"))


def test_renewal_keeps_an_assured_listing_published_while_qa_reviews(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    soon = utcnow() + timedelta(days=10)
    user, listing = _assured(s, assurance_expires_at=soon)
    client = signed_in(any_app.test_client(), user)
    dashboard = text(client.get("/provider"))
    assert "Assurance runs out soon: renew it now" in dashboard and "Renew assurance" in dashboard
    assert client.post(f"/provider/listings/{listing.id}/renew").status_code == 302
    s.expire_all()
    renewed = s.get(Listing, listing.id)
    assert renewed is not None and renewed.status == "assured"
    assert renewed.review_requested_at is not None
    assert "QA is reviewing it" in text(client.get("/provider"))


def test_a_lapsed_listing_is_renewed_by_submitting_it_again(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    user, listing = _assured(s, status="lapsed", assurance_expires_at=utcnow() - timedelta(days=1))
    client = signed_in(any_app.test_client(), user)
    assert "Renew it to publish it again" in text(client.get("/provider"))
    assert client.post(f"/provider/listings/{listing.id}/renew").status_code == 302
    s.expire_all()
    assert s.get(Listing, listing.id).status == "submitted"  # type: ignore[union-attr]


def test_dashboard_says_what_is_needed_next_for_each_state(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    provider = f.provider(s, name="Northern Lights Consulting")
    f.recommendation(s, provider)
    expires = utcnow() + timedelta(days=200)
    listings = {
        status: f.listing(s, provider, title=f"Service {status}", status=status)
        for status in ("submitted", "changes-requested", "suspended", "rejected", "withdrawn")
    }
    assured = f.listing(s, provider, title="Service assured", assurance_expires_at=expires)
    qa = make_user(s, "admin")
    for status, reason in (("changes-requested", "Say who delivers the sessions."),
                           ("rejected", "No evidence of impact."),
                           ("suspended", "A complaint is being looked into.")):  # fmt: skip
        audit.record(s, qa, entity_type="listing", entity_id=int(listings[status].id or 0),
                     provider_id=provider.id, action="x", to_state=status, reason=reason)  # fmt: skip
    s.commit()
    user = make_user(s, "provider", provider_id=provider.id)
    page = text(signed_in(any_app.test_client(), user).get("/provider"))
    assert "1 of 2 school recommendations received" in page
    assert "Awaiting recommendations: 1 of 2 received" in page
    assert (
        "Say who delivers the sessions." in page and "Edit the listing and submit it again" in page
    )
    assert "No evidence of impact." in page and "A complaint is being looked into." in page
    assert f"{expires.day} {expires:%B %Y}" in page
    for status in ("Submitted for assurance", "Changes requested", "Assured", "Suspended",
                   "Rejected", "Withdrawn"):  # fmt: skip
        assert f">{status}</strong>" in page, status
    assert f'href="/provider/listings/{assured.id}/withdraw"' in page
    # A suspended listing cannot be edited (QA is looking into it).
    suspended = listings["suspended"]
    client = signed_in(any_app.test_client(), user)
    assert client.get(f"/provider/listings/{suspended.id}/about").status_code == 302
