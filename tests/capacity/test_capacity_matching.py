"""The matcher and provider capacity, on real listings in a real index (SQLite and PostgreSQL):
listings of providers not taking new work come after the others that match about as well,
and say why; a provider's days available are a reason too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlmodel import Session

from broker import availability
from broker.capacity import services as capacity
from broker.matching.services import Need, SchoolContext, Suggestion, suggest
from broker.models import Listing, Provider, User
from broker.search.engine import get_search
from tests import factories as f

TITLES = (
    "Phonics phonics training for Reception",
    "Phonics catch-up for Year 1",
    "Early reading and phonics",
    "Reading recovery with some phonics",
    "Phonics resources",
)


def _directory(s: Session) -> list[tuple[Provider, User]]:
    f.local_authority(s, code="E1001", name="Kent", region="south-east")
    out = []
    for n, title in enumerate(TITLES):
        provider = f.assured_provider(s, listings=0, name=f"Provider {n}")
        f.listing(s, provider, title=title, summary="Phonics for infants.")
        out.append((provider, f.user(s, role="provider", provider_id=provider.id)))
    s.commit()
    return out


def _match(app: Flask, s: Session) -> list[Suggestion]:
    with app.app_context():
        return suggest(s, get_search(app), SchoolContext("primary", "E1001"), Need("phonics"))


def test_providers_not_taking_new_work_come_last_in_the_same_order_and_say_why(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    providers = _directory(s)
    before = _match(any_app, s)
    assert len(before) == len(TITLES)
    assert all(item.taking and item.capacity_note == "" for item in before)
    order = [item.provider.name for item in before]
    # The best two say they are not taking new work; the third says its days.
    by_name = {p.name: (p, u) for p, u in providers}
    until = availability.today() + timedelta(days=20)
    for name in order[:2]:
        capacity.save(s, by_name[name][1], taking="no", until=until)
    capacity.save(s, by_name[order[2]][1], taking="yes", days="7")
    s.commit()

    after = _match(any_app, s)
    assert [item.provider.name for item in after] == order[2:] + order[:2]
    assert [item.taking for item in after] == [True, True, True, False, False]
    note = f"Not taking new work until {availability.long_date(until)}"
    for item in after[3:]:
        assert item.capacity_note == note
        assert f"not taking new work until {availability.long_date(until)}" in " ".join(
            item.reasons
        )
        assert any("placed after providers that are" in r for r in item.reasons)
    assert after[0].capacity_note == "7 days available this term"
    assert "7 days available this term" in after[0].reasons
    # Scores stay relative to the best-scoring suggestion, wherever it is placed.
    assert max(item.score for item in after) == 1.0
    assert after[3].score == 1.0


def test_the_match_api_places_and_says_it(any_app: Flask, any_session: Session) -> None:
    s = any_session
    providers = _directory(s)
    until = availability.today() + timedelta(days=20)
    provider, user = providers[0]
    capacity.save(s, user, taking="no", until=until)
    s.commit()
    body = {"school": {"phase": "primary", "la_code": "E1001"}, "needs": [{"text": "phonics"}]}
    answer = any_app.test_client().post("/api/v1/match", json=body)
    assert answer.status_code == 200, answer.data
    results = answer.get_json()["needs"][0]["results"]
    last = results[-1]
    assert last["provider"]["name"] == provider.name
    assert any(r.startswith("not taking new work until") for r in last["reasons"])


def _candidate(name: str, score: float, taking: bool) -> Any:
    from broker.matching.services import _Candidate

    note = "" if taking else "Not taking new work until 1 March 2027"
    reasons = ["words: timetable"] + ([] if taking else ["not taking new work until 1 March 2027"])
    return _Candidate(Listing(title=name), Provider(name=name), None, score, reasons, note, taking)


def test_a_provider_not_taking_new_work_comes_after_those_matching_about_as_well_only() -> None:
    from broker.matching.services import NOT_TAKING_SHARE, _taking_first

    assert 0 < NOT_TAKING_SHARE < 1
    booked = _candidate("Timetable rescue", 1.0, taking=False)
    close = _candidate("Timetabling for primary schools", 0.8, taking=True)
    far = _candidate("Hall lettings", 0.3, taking=True)
    placed = _taking_first([booked, close, far])
    assert [c.listing.title for c in placed] == [
        "Timetabling for primary schools",
        "Timetable rescue",
        "Hall lettings",
    ]
    assert "not taking new work until 1 March 2027: placed after providers that are" in (
        booked.reasons
    )
    # Only listings that match much less than it: it stays first, and says nothing of placing.
    booked = _candidate("Timetable rescue", 1.0, taking=False)
    placed = _taking_first([booked, far])
    assert [c.listing.title for c in placed] == ["Timetable rescue", "Hall lettings"]
    assert booked.reasons == ["words: timetable", "not taking new work until 1 March 2027"]
