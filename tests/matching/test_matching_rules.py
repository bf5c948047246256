"""The matcher's rules on small directories built with factories: diversity, the database as the
last word on what is public, where a listing works, phase mapping and evidence."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from broker.matching import services
from broker.matching.services import (
    MEANING_FLOOR,
    MEANING_NOTE,
    MEANING_WEIGHT,
    TOPIC_SHARE,
    Need,
    SchoolContext,
    Suggestion,
    outcome_of,
    school_phases,
    suggest,
)
from broker.models import LocalAuthority, Provider, utcnow
from broker.search.engine import get_search
from index import adapting, querying
from tests import factories as f


def match(
    app: Flask, session: Session, school: SchoolContext, text: str, limit: int = 10, **need
) -> list[Suggestion]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return suggest(session, get_search(app), school, Need(text, **need), limit)


def titles(found: list[Suggestion]) -> list[str]:
    return [s.listing.title for s in found]


@pytest.fixture
def kent(session: Session) -> LocalAuthority:
    la = f.local_authority(session, code="E1001", name="Kent", region="south-east")
    f.local_authority(session, code="E1002", name="Medway", region="south-east")
    f.local_authority(session, code="E1003", name="Birmingham", region="west-midlands")
    return la


def provider_with(session: Session, n_recommendations: int = 2, **kw) -> Provider:  # type: ignore[no-untyped-def]
    p = f.provider(session, **kw)
    for _ in range(n_recommendations):
        f.recommendation(session, p)
    return p


# --- diversity ----------------------------------------------------------------------------------


def test_one_provider_has_at_most_two_of_the_first_ten(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    big = provider_with(session, name="Phonics Everywhere Ltd")
    for i in range(6):
        f.listing(
            session,
            big,
            title=f"Phonics phonics phonics training {i}",
            summary="Phonics for Reception.",
        )
    for i in range(10):
        f.listing(
            session,
            provider_with(session),
            title=f"Early phonics support {i}",
            summary="Includes some phonics.",
        )
    session.commit()
    found = match(
        app, session, SchoolContext(phase="primary", la_code=kent.code), "phonics", limit=20
    )
    assert len(found) == 16
    first = Counter(s.provider.name for s in found[:10])
    assert first["Phonics Everywhere Ltd"] == 2
    assert titles(found[:2]) == [
        s.listing.title for s in found[:2] if s.provider.name == "Phonics Everywhere Ltd"
    ]
    # The provider's other listings come after the first ten, best first.
    assert Counter(s.provider.name for s in found[10:])["Phonics Everywhere Ltd"] == 4


def test_a_dominant_provider_is_cut_when_the_first_ten_cannot_be_filled(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    big = provider_with(session, name="Only Provider")
    for i in range(5):
        f.listing(session, big, title=f"Governor training {i}")
    f.listing(session, provider_with(session, name="Other"), title="Governor induction")
    session.commit()
    found = match(app, session, SchoolContext(la_code=kent.code), "governor")
    assert Counter(s.provider.name for s in found) == {"Only Provider": 2, "Other": 1}


# --- the database decides what is public -----------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    ["suspended", "lapsed", "withdrawn", "expired"],
)
def test_a_listing_no_longer_public_is_dropped_even_if_the_index_still_has_it(
    app: Flask, session: Session, kent: LocalAuthority, change: str
) -> None:
    p = provider_with(session)
    gone = f.listing(session, p, title="Attendance strategy review")
    kept = f.listing(session, provider_with(session), title="Attendance strategy casework")
    session.commit()
    assert {gone.title, kept.title} <= set(
        titles(match(app, session, SchoolContext(), "attendance"))
    )
    # Change the database behind the index's back (no change logged): the matcher re-checks.
    if change == "expired":
        gone.assurance_expires_at = utcnow() - timedelta(days=1)
    else:
        gone.status = change
    session.add(gone)
    session.commit()
    assert titles(match(app, session, SchoolContext(), "attendance")) == [kept.title]


def test_a_provider_below_two_schools_is_never_proposed(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    lone = provider_with(session, n_recommendations=1)
    f.listing(session, lone, title="Attendance panel training")
    f.listing(session, provider_with(session), title="Attendance casework")
    session.commit()
    assert titles(match(app, session, SchoolContext(), "attendance")) == ["Attendance casework"]


# --- where a listing works ---------------------------------------------------------------------


def test_where_a_listing_works_decides_and_is_the_reason(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    def add(title: str, **kw) -> None:  # type: ignore[no-untyped-def]
        f.listing(
            session, provider_with(session), title=title, national=kw.pop("national", False), **kw
        )

    add("Safeguarding in Kent", local_authorities=["E1001"])
    add("Safeguarding across the South East", regions=["south-east"])
    add("Safeguarding nationally", national=True)
    add(
        "Safeguarding online from Birmingham",
        local_authorities=["E1003"],
        delivery=["online-remote"],
    )
    add(
        "Safeguarding pack to download",
        local_authorities=["E1003"],
        delivery=["downloadable-resource"],
    )
    add("Safeguarding in Medway", local_authorities=["E1002"])
    add("Safeguarding in Birmingham", local_authorities=["E1003"])
    add("Safeguarding in the West Midlands", regions=["west-midlands"])
    session.commit()
    found = match(app, session, SchoolContext(la_code="E1001"), "safeguarding", limit=20)
    reasons = {s.listing.title: s.reasons for s in found}
    # Online delivery does not widen where a listing works: Birmingham's stay in Birmingham.
    assert set(reasons) == {
        "Safeguarding in Kent",
        "Safeguarding across the South East",
        "Safeguarding nationally",
    }
    assert "serves your LA" in reasons["Safeguarding in Kent"]
    assert "serves your region (South East)" in reasons["Safeguarding across the South East"]
    assert "works nationally" in reasons["Safeguarding nationally"]

    # With only a region known, a listing must serve the whole region (one LA in it is not enough).
    found = match(app, session, SchoolContext(region="south-east"), "safeguarding", limit=20)
    assert "Safeguarding in Kent" not in titles(found)
    assert "Safeguarding in Medway" not in titles(found)
    assert "Safeguarding across the South East" in titles(found)


# --- phase --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("school", "wanted"),
    [
        (SchoolContext(phase="primary"), {"primary"}),
        (SchoolContext(phase="all-through"), {"all-through", "primary", "secondary"}),
        (SchoolContext(phase="primary", type="community-special-school"), {"special"}),
        (SchoolContext(phase="secondary", type="foundation-special-school"), {"special"}),
        (SchoolContext(phase="special"), {"special"}),
        (SchoolContext(phase="secondary", type="pru"), {"pru"}),
        (SchoolContext(type="nursery-school"), {"early-years"}),
        (SchoolContext(), set()),
    ],
)
def test_school_phases_map_types_and_all_through(school: SchoolContext, wanted: set[str]) -> None:
    assert school_phases(school) == wanted


def test_only_listings_serving_the_schools_phase_are_proposed(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    for phase in (
        "early-years",
        "primary",
        "secondary",
        "special",
        "pru",
        "post-16",
        "all-through",
    ):
        f.listing(
            session, provider_with(session), title=f"Reading support ({phase})", phases=[phase]
        )
    session.commit()
    school = SchoolContext(phase="all-through", la_code=kent.code)
    found = match(app, session, school, "reading")
    assert sorted(titles(found)) == [
        "Reading support (all-through)",
        "Reading support (primary)",
        "Reading support (secondary)",
    ]
    pru = match(app, session, SchoolContext(phase="secondary", type="pru"), "reading")
    assert titles(pru) == ["Reading support (pru)"]
    assert pru[0].reasons[-2:] == ["works nationally", "recommended by 2 schools"]
    assert "phase: Pupil referral unit" in pru[0].reasons


# --- boosts and evidence -------------------------------------------------------------------------


def test_area_groups_sen_and_recommendations_raise_a_listing_and_say_so(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    plain = f.listing(session, provider_with(session, name="Plain"), title="Communication support")
    fitting = f.listing(
        session,
        provider_with(session, name="Fitting"),
        title="Communication support",
        categories=["inclusion-sen-and-vulnerable-groups"],
        pupil_groups=["sen-and-disabilities"],
        sen_specialisms=["slcn"],
    )
    favoured = f.listing(
        session, provider_with(session, 6, name="Favoured"), title="Communication support"
    )
    session.commit()
    school = SchoolContext(phase="primary", la_code=kent.code, sen_specialisms=("slcn", "asd"))
    found = match(
        app,
        session,
        school,
        "communication",
        category="inclusion-sen-and-vulnerable-groups",
        pupil_groups=("sen-and-disabilities",),
    )
    assert [s.listing.id for s in found] == [fitting.id, favoured.id, plain.id]
    top = [r for r in found[0].reasons if r != "close in meaning to the need"]  # see below
    assert top[:5] == [
        "area: Inclusion, SEN and Vulnerable Groups",
        "words: communication",
        "pupil group: SEN and disabilities",
        "SEN: SLCN",
        "phase: Primary",
    ]
    assert "recommended by 6 schools" in found[1].reasons
    assert not any(r.startswith(("area:", "SEN:", "pupil group:")) for r in found[2].reasons)
    assert found[0].score == 1.0 and found[0].score > found[1].score > found[2].score


def test_a_listing_of_the_needs_area_sharing_none_of_its_words_comes_after_and_says_so(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    inclusion = "inclusion-sen-and-vulnerable-groups"
    worded = f.listing(
        session, provider_with(session), title="Communication support", categories=[inclusion]
    )
    signing = f.listing(
        session,
        provider_with(session),
        title="Signing and symbols for non-verbal children",
        categories=[inclusion],
        pupil_groups=["sen-and-disabilities"],
    )
    f.listing(session, provider_with(session), title="Clerking", categories=["governance"])
    session.commit()
    school = SchoolContext(phase="primary", la_code=kent.code)
    found = match(app, session, school, "communication", pupil_groups=("sen-and-disabilities",))
    assert [s.listing.id for s in found] == [worded.id]  # no area of support: words only

    def of_the_area() -> list[Suggestion]:
        groups = ("sen-and-disabilities",)
        return match(app, session, school, "communication", category=inclusion, pupil_groups=groups)

    found = of_the_area()
    assert [s.listing.id for s in found] == [worded.id, signing.id]
    assert "none of the need's words: suggested for its area of support" in found[1].reasons
    assert not any(r.startswith("words:") for r in found[1].reasons)
    assert "pupil group: SEN and disabilities" in found[1].reasons
    # By words alone, it scores at most a share of the best word match, with its group.
    app.config["MATCH_MEANING"] = False
    found = of_the_area()
    assert [s.listing.id for s in found] == [worded.id, signing.id]
    assert found[1].score <= TOPIC_SHARE * 1.5


def test_a_long_need_is_read_whole_its_priority_at_the_end_too(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    # A search uses its first MAX_CLAUSES words; a need is prose, read to its last sentence,
    # where a SIP often writes the priority.
    nurture = f.listing(
        session,
        provider_with(session),
        title="Setting up a nurture group",
        summary="Training in the Boxall Profile for the staff who will run the group.",
    )
    session.commit()
    context = " ".join(f"context{i}" for i in range(querying.MAX_CLAUSES + 8))
    need = f"{context}. Agreed priority: a nurture group, with the Boxall Profile."
    assert len(querying.parse_text(need).clauses) == querying.MAX_CLAUSES
    found = match(app, session, SchoolContext(phase="primary", la_code=kent.code), need)
    assert [s.listing.id for s in found] == [nurture.id]
    assert "words: nurture group, Boxall Profile" in found[0].reasons


def test_a_reason_names_at_most_twelve_of_the_needs_words_and_counts_the_rest(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    words = [f"word{i}" for i in range(services.REASON_WORDS + 3)]
    f.listing(session, provider_with(session), title="Many words", summary=" ".join(words))
    session.commit()
    found = match(app, session, SchoolContext(phase="primary", la_code=kent.code), " ".join(words))
    named = ", ".join(words[: services.REASON_WORDS])
    assert f"words: {named} and 3 more" in found[0].reasons


# --- meaning ------------------------------------------------------------------------------------

NEED = "Year 9 girls are anxious and miss school; several stay at home most weeks"
#: Listings sharing more or fewer of NEED's words, nearer to or further from its meaning.
TEXTS = (
    (
        "Netball for Year 9 girls",
        "Several fixtures most weeks, at home and away, for Year 9 girls.",
    ),
    ("Support for pupils too anxious to attend", "Mentors work with pupils who stay away."),
    ("School trips abroad", "Several weeks away from home for Year 9: girls and boys see Europe."),
    ("Attendance mentoring", "Mentors help anxious girls who miss lessons get back to school."),
    ("Staff absence", "Return-to-work talks for staff anxious after several weeks at home."),
    ("Home learning packs", "Weekly packs of work to do at home, for Year 9."),
)


def _texts_listed(session: Session, kent: LocalAuthority) -> SchoolContext:
    """List TEXTS, each by a provider of its own; return a Kent primary school to match for."""
    for title, summary in TEXTS:
        f.listing(session, provider_with(session), title=title, summary=summary)
    session.commit()
    return SchoolContext(phase="primary", la_code=kent.code)


def test_meaning_blends_each_suggestion_with_its_likeness_to_the_need(
    app: Flask, session: Session, kent: LocalAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = _texts_listed(session, kent)
    app.config["MATCH_MEANING"] = False
    with monkeypatch.context() as patch:
        patch.setattr(services, "SCORE_FLOOR", 0.0)  # every word score, however weak
        by_words = {s.listing.title: s.score for s in match(app, session, school, NEED)}
    app.config["MATCH_MEANING"] = True
    found = match(app, session, school, NEED)
    with app.app_context():
        encoder = get_search(app).meaning()
    assert encoder is not None
    assert set(by_words) == {title for title, _ in TEXTS}  # every one shares a word
    alike = dict(
        zip(
            by_words,
            encoder.cosines(
                # The need as needs are read (half the query encoder's change).
                adapting.meaning_of(encoder, NEED, share=adapting.NEEDS_TUNED_SHARE),
                [f"{t}. {dict(TEXTS)[t]}" for t in by_words],
            ),
            strict=True,
        )
    )
    blended = {
        t: (1 - MEANING_WEIGHT) * by_words[t] + MEANING_WEIGHT * max(alike[t], 0.0)
        for t in by_words
    }
    expected = sorted(blended, key=lambda t: -blended[t])
    expected = [t for t in expected if blended[t] >= MEANING_FLOOR * blended[expected[0]]]
    assert titles(found) == expected
    # The texts closest in meaning gain on the ones sharing more words.
    assert any(abs(s.score - by_words[s.listing.title]) > 0.05 for s in found)
    for s in found:
        assert s.score == pytest.approx(blended[s.listing.title] / blended[expected[0]], abs=1e-3)
        close = alike[s.listing.title] >= MEANING_NOTE
        assert ("close in meaning to the need" in s.reasons) == close, s.listing.title
        if close:  # after the words, before the facets
            assert s.reasons[s.reasons.index("close in meaning to the need") - 1].startswith(
                "words: "
            )
    assert any("close in meaning to the need" in s.reasons for s in found)


def test_a_misspelt_need_is_read_by_meaning_as_corrected(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    # "anxiuos" is in no dictionary: the words are corrected, and the model reads the
    # corrected need too, so the suggestions and their scores are those of the need spelt right.
    school = _texts_listed(session, kent)
    app.config["MATCH_MEANING"] = True
    right = match(app, session, school, NEED)
    misspelt = match(app, session, school, NEED.replace("anxious", "anxiuos"))
    assert [(s.listing.title, s.score) for s in misspelt] == [
        (s.listing.title, s.score) for s in right
    ]


def test_without_meaning_the_matcher_ranks_by_words_alone(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    school = _texts_listed(session, kent)
    app.config["MATCH_MEANING"] = False
    with app.app_context():
        assert get_search(app).meaning() is None
    found = match(app, session, school, NEED)
    assert found and all("close in meaning to the need" not in s.reasons for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_a_need_without_words_is_ranked_by_its_choices_alone(
    app: Flask, session: Session, kent: LocalAuthority
) -> None:
    # Nothing to compare meanings with: both fit the choices alike, so both score the same.
    for title in ("Clerking for governing boards", "Governor induction"):
        f.listing(session, provider_with(session), title=title, categories=["governance"])
    f.listing(
        session, provider_with(session), title="Phonics", categories=["teaching-and-learning"]
    )
    session.commit()
    school = SchoolContext(phase="primary", la_code=kent.code)
    found = match(app, session, school, "  ", category="governance")
    assert sorted(titles(found)) == ["Clerking for governing boards", "Governor induction"]
    assert [s.score for s in found] == pytest.approx([1.0, 1.0], abs=0.01)
    assert all("close in meaning to the need" not in s.reasons for s in found)


def test_a_model_folder_without_the_model_leaves_the_matcher_to_words_alone(
    app: Flask, session: Session, kent: LocalAuthority, tmp_path: Path
) -> None:
    school = _texts_listed(session, kent)
    app.config["MATCH_MODEL_DIR"] = str(tmp_path)  # an operator's folder, still empty
    with app.app_context():
        assert get_search(app).meaning() is None
    found = match(app, session, school, NEED)
    assert found and all("close in meaning to the need" not in s.reasons for s in found)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (0, None)),
        ((3, 3.5), (3, 3.5)),
        ([2, "4"], (2, 4.0)),
        ({"count": 1, "average_impact": 2}, (1, 2.0)),
        ({"count": 2, "mean": 3.0}, (2, 3.0)),
        (("x", "y"), (0, None)),
    ],
)
def test_brokerage_outcomes_are_read_in_the_shapes_allowed(
    value: object, expected: tuple[int, float | None]
) -> None:
    assert outcome_of(value) == expected
