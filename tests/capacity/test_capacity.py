"""Provider capacity: the rules of what a provider may say, the audit trail, and the index
following a change (every public listing of the provider), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker import availability
from broker.capacity import services as capacity
from broker.errors import Forbidden, InvalidInput
from broker.models import AuditEvent, Provider, User
from broker.search import services as search
from broker.search.engine import get_search
from tests import factories as f

TODAY = date(2027, 1, 11)


def _provider_user(s: Session, listings: int = 2) -> tuple[Provider, User]:
    provider = f.assured_provider(s, listings=listings, name="Tees Valley Maths Hub")
    user = f.user(s, role="provider", provider_id=provider.id)
    s.commit()
    return provider, user


def _refused(s: Session, user: User, **kw: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        capacity.save(s, user, today=TODAY, **kw)  # type: ignore[arg-type]
    s.rollback()
    return refused.value


def test_a_provider_says_its_days_or_the_date_it_takes_new_work_again(
    any_session: Session,
) -> None:
    s = any_session
    provider, user = _provider_user(s, listings=0)
    saved = capacity.save(s, user, taking="yes", days=" 12 ", today=TODAY)
    s.commit()
    s.refresh(provider)
    assert (provider.capacity_days, provider.not_taking_until) == (12, None)
    assert provider.capacity_updated_at is not None
    assert saved.describe(TODAY) == "12 days available this term"
    until = TODAY + timedelta(days=51)
    capacity.save(s, user, taking="no", until=until, today=TODAY)
    s.commit()
    s.refresh(provider)
    assert (provider.capacity_days, provider.not_taking_until) == (None, until)
    said = availability.of(provider)
    assert said.describe(TODAY) == "Not taking new work until 3 March 2027"
    assert not said.taking(TODAY) and said.taking(until)
    assert said.describe(until) == "Taking new work"


@pytest.mark.parametrize(
    ("answer", "field", "message"),
    [
        ({"taking": ""}, "taking", "Select whether you are taking new work"),
        ({"taking": "maybe"}, "taking", "Select whether you are taking new work"),
        ({"taking": "yes", "days": "twelve"}, "days", "whole number"),
        ({"taking": "yes", "days": "-3"}, "days", "whole number"),
        ({"taking": "yes", "days": "0"}, "days", "choose ‘No’"),
        ({"taking": "yes", "days": "201"}, "days", "200 or fewer"),
        ({"taking": "yes", "until": date(2027, 3, 3)}, "until", "Leave the date empty"),
        ({"taking": "no"}, "until", "Enter the date you will take new work again"),
        ({"taking": "no", "until": TODAY}, "until", "must be in the future"),
        ({"taking": "no", "until": date(2026, 12, 1)}, "until", "must be in the future"),
        ({"taking": "no", "until": date(2028, 1, 13)}, "until", "on or before 12 January 2028"),
        ({"taking": "no", "until": date(2027, 3, 3), "days": "4"}, "days", "Leave the days"),
    ],
)
def test_what_a_provider_cannot_say_is_refused_with_what_to_fix(
    any_session: Session, answer: dict[str, object], field: str, message: str
) -> None:
    s = any_session
    provider, user = _provider_user(s, listings=0)
    refused = _refused(s, user, **answer)
    assert refused.field == field and message in refused.message
    s.refresh(provider)
    assert (provider.capacity_days, provider.not_taking_until) == (None, None)
    assert s.exec(select(AuditEvent).where(AuditEvent.action == "capacity")).all() == []


def test_only_a_provider_account_has_a_capacity_to_set(any_session: Session) -> None:
    s = any_session
    head = f.user(s, role="headteacher")
    s.commit()
    with pytest.raises(Forbidden):
        capacity.save(s, head, taking="yes", today=TODAY)


def test_each_change_is_in_the_audit_trail_with_before_and_after(any_session: Session) -> None:
    s = any_session
    provider, user = _provider_user(s, listings=0)
    capacity.save(s, user, taking="yes", days="5", today=TODAY)
    s.commit()
    capacity.save(s, user, taking="no", until=date(2027, 3, 3), today=TODAY)
    s.commit()
    events = s.exec(
        select(AuditEvent).where(AuditEvent.action == "capacity").order_by(AuditEvent.id)
    ).all()
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "taking"),
        ("taking", "not-taking"),
    ]
    last = events[-1]
    assert last.entity_type == "provider" and last.entity_id == provider.id
    assert last.provider_id == provider.id and last.actor_id == user.id
    assert last.reason == (
        "Was: 5 days available this term. Now: Not taking new work until 3 March 2027."
    )
    assert last.changed_fields == ["capacity_days", "not_taking_until"]


def _found(app: Flask, s: Session, taking: bool) -> dict[int, search.ResultItem]:
    vocabularies = search.facet_vocabularies(s)
    request = search.parse({"taking": ["1"]} if taking else {}, vocabularies, strict=True)
    page = search.search(s, get_search(app), request, vocabularies)
    return {item.listing.id: item for item in page.items}


def test_a_change_reaches_every_public_listing_of_the_provider_in_the_index(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    provider, user = _provider_user(s, listings=2)
    other = f.assured_provider(s, listings=1)
    s.commit()
    mine = {int(item.id or 0) for item in provider.listings}
    theirs = {int(item.id or 0) for item in other.listings}
    with any_app.app_context():
        assert set(_found(any_app, s, taking=True)) == mine | theirs
        capacity.save(s, user, taking="no", until=availability.today() + timedelta(days=30))
        s.commit()  # no sync by hand: the commit applies what the change logged
        assert set(_found(any_app, s, taking=True)) == theirs
        everyone = _found(any_app, s, taking=False)
        assert set(everyone) == mine | theirs
        for listing_id in mine:
            note = everyone[listing_id].capacity_note
            assert note.startswith("Not taking new work until ")
        assert everyone[min(theirs)].capacity_note == ""
        capacity.save(s, user, taking="yes", days="9")
        s.commit()
        back = _found(any_app, s, taking=True)
        assert set(back) == mine | theirs
        assert {back[i].capacity_note for i in mine} == {"9 days available this term"}
