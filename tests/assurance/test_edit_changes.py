"""The QA officer's view of an edit of a live listing: only what changed, old against new, in
labels; and the audit trail's record of which fields an edit changed."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session, col, select

from broker.assurance import services
from broker.assurance.changes import FIELD_LABELS
from broker.lifecycle.services import EDITABLE_FIELDS
from broker.models import AuditEvent, Listing, ListingRevision
from tests import factories as f
from tests.assurance.conftest import World
from tests.auth.helpers import sign_in_fully


def _published_with_edit(s: Session, w: World, proposed: dict[str, Any]) -> Listing:
    """An assured listing of the world's provider (two schools behind it) with a submitted edit."""
    for head, school in zip(w.heads[:2], w.schools[:2], strict=True):
        f.recommendation(
            s, w.provider, school, recommender_user_id=head.id, recommender_name=head.name
        )
    listing = f.listing(
        s,
        w.provider,
        title="Reading recovery",
        summary="One-to-one reading support.",
        categories=["curriculum-and-subject-support"],
        ecm_outcomes=["be-healthy"],
        national=False,
        local_authorities=[],
    )
    s.add(
        ListingRevision(
            listing_id=listing.id,
            open_listing_id=listing.id,
            status="submitted",
            proposed={
                **{name: getattr(listing, name) for name in EDITABLE_FIELDS},
                **proposed,
            },
            created_by_id=w.provider_user.id,
        )
    )
    s.commit()
    services.submit_for_review(s, listing, w.provider_user)
    s.commit()
    return listing


def _kent(s: Session) -> str:
    return f.local_authority(s, name="Kent", code="ZK1").code


EDIT = {
    "title": "Reading recovery for Key Stage 2",
    "categories": ["curriculum-and-subject-support", "teaching-and-learning"],
    "ecm_outcomes": ["enjoy-and-achieve"],
}


def test_every_editable_field_has_a_label() -> None:
    assert set(FIELD_LABELS) == set(EDITABLE_FIELDS)


def test_the_review_shows_only_the_changed_fields_old_against_new_in_labels(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    s, w = any_session, any_world
    kent = _kent(s)
    listing = _published_with_edit(s, w, {**EDIT, "local_authorities": [kent]})
    with any_app.app_context():
        review = services.review(s, int(listing.id or 0), w.qa)
    changes = {c.name: c for c in review.changes}
    assert list(changes) == ["title", "categories", "ecm_outcomes", "local_authorities"]
    assert changes["title"].before == "Reading recovery"
    assert changes["title"].after == "Reading recovery for Key Stage 2"
    assert changes["categories"].label == "Areas of support"
    assert changes["categories"].added == ("Teaching and Learning",)
    assert changes["categories"].removed == ()
    assert changes["categories"].after == "Curriculum and Subject Support, Teaching and Learning"
    assert changes["ecm_outcomes"].before == "Be healthy"
    assert changes["ecm_outcomes"].after == "Enjoy and achieve"
    assert changes["ecm_outcomes"].removed == ("Be healthy",)
    assert changes["local_authorities"].added == ("Kent",)
    assert changes["local_authorities"].before == "None given"


def test_reordering_a_list_or_blanking_an_empty_field_is_no_change(
    app: Flask, session: Session, world: World
) -> None:
    s, w = session, world
    listing = _published_with_edit(
        s,
        w,
        {
            "title": "Reading recovery, renamed",
            "phases": ["primary"],
            "price_note": "",  # None before: nothing either way
        },
    )
    with app.app_context():
        review = services.review(s, int(listing.id or 0), w.qa)
    assert [c.name for c in review.changes] == ["title"]


def test_the_audit_trail_records_which_fields_the_edit_changed(
    any_app: Flask, any_session: Session, any_world: World
) -> None:
    s, w = any_session, any_world
    listing = _published_with_edit(s, w, EDIT)
    with any_app.app_context():
        services.approve(s, int(listing.id or 0), w.qa)
        s.commit()
    events = s.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "listing", AuditEvent.entity_id == listing.id)
        .order_by(col(AuditEvent.id))
    ).all()
    by_action = {e.action: e for e in events}
    expected = ["title", "categories", "ecm_outcomes"]
    assert by_action["review-requested"].changed_fields == expected
    assert by_action["edit-applied"].changed_fields == expected
    assert by_action["edit-applied"].actor_id == w.qa.id
    assert by_action["approve"].changed_fields is None
    s.expire_all()
    assert s.get(Listing, listing.id).title == EDIT["title"]  # type: ignore[union-attr]


def test_the_review_and_audit_pages_show_labels_not_slugs(
    app: Flask, session: Session, people: World
) -> None:
    s, w = session, people
    kent = _kent(s)
    listing = _published_with_edit(
        s, w, {**EDIT, "title": "<script>alert(1)</script>", "local_authorities": [kent]}
    )
    client = app.test_client()
    sign_in_fully(client, w.qa)
    page = client.get(f"/qa/listings/{listing.id}").get_data(as_text=True)
    changes = page[page.index('id="changes"') : page.index("<h2", page.index('id="changes"'))]
    for label in ("Teaching and Learning", "Kent", "Enjoy and achieve", "Be healthy", "Title"):
        assert label in changes, label
    for slug in ("teaching-and-learning", "enjoy-and-achieve", kent):
        assert slug not in changes, slug
    assert "One-to-one reading support." not in changes  # the summary did not change
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in changes
    audit = client.get(f"/qa/audit?provider={w.provider.id}").get_data(as_text=True)
    assert "Changed: Title, Areas of support, Every Child Matters outcomes" in audit


def test_the_provider_sees_what_their_edit_changes_in_words(app: Flask, session: Session) -> None:
    from tests.auth.helpers import make_user
    from tests.submissions.helpers import ABOUT, signed_in, text

    s = session
    provider = f.assured_provider(s, listings=0)
    listing = f.listing(s, provider, title="Reading recovery", summary="One-to-one support.")
    s.commit()
    client = signed_in(app.test_client(), make_user(s, "provider", provider_id=provider.id))
    base = f"/provider/listings/{listing.id}"
    assert (
        client.post(f"{base}/about", data={**ABOUT, "title": "Reading for all"}).status_code == 302
    )
    page = text(client.get(base))
    assert "You have changed: Title" in page
    assert "title" not in page.split("You have changed:")[1].split(".")[0]
