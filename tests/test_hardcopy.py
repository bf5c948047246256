"""The printed directory of an LA: what it contains, its editions, the CLI and the web download."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from broker import db, local_authorities, taxonomy
from broker.errors import Conflict
from broker.hardcopy import printing, services
from broker.models import (
    HardcopyEdition,
    HardcopyEditionListing,
    Listing,
    Provider,
    utcnow,
)
from tests import factories as f

LA = "873"


def pdf_text(path: Path) -> str:
    """Return the text of a PDF as pdftotext (poppler) reads it."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def _session(app: Flask) -> Session:
    return Session(db.get_engine(app), expire_on_commit=False)


def _provider(session: Session, **kw: object) -> Provider:
    """A provider with two recommending schools: its public listings are in the directory."""
    return f.assured_provider(session, listings=0, **kw)


class World:
    """The LA, a neighbour in another region, and listings in and out of the LA's hardcopy."""

    def __init__(self, session: Session) -> None:
        self.la = f.local_authority(
            session, code=LA, name="Cambridgeshire", region="east-of-england"
        )
        self.other_la = f.local_authority(
            session, code="330", name="Birmingham", region="west-midlands"
        )
        provider = _provider(session, name="Fenland Learning Trust", phone="01354 111222")
        self.provider = provider
        local = {"national": False}
        self.national = f.listing(
            session, provider, code="NAT001", title="Phonics for every classroom",
            categories=["curriculum-and-subject-support"], national=True,
        )  # fmt: skip
        self.by_la = f.listing(
            session, provider, code="LAC001", title="Governor induction evenings",
            categories=["governance"], local_authorities=[LA], contact_phone="01223 555777",
            **local,
        )  # fmt: skip
        self.by_region = f.listing(
            session, provider, code="REG001", title="Early reading network",
            categories=["early-years"], regions=["east-of-england"], **local,
        )  # fmt: skip
        self.online = f.listing(
            session, provider, code="WEB001", title="Data dashboards online course",
            categories=["assessment-data-and-target-setting"], delivery=["online-remote"],
            cost="free", national=True,  # online and open to all: it says national
        )  # fmt: skip
        self.two_areas = f.listing(
            session, provider, code="TWO001", title="Leading inclusive classrooms",
            categories=["inclusion-sen-and-vulnerable-groups", "leadership-and-management"],
            local_authorities=[LA], **local,
        )  # fmt: skip
        # Not in the hardcopy:
        self.elsewhere = f.listing(
            session, provider, code="OUT001", title="Birmingham maths hub",
            local_authorities=["330"], regions=["west-midlands"], **local,
        )  # fmt: skip
        self.suspended = f.listing(
            session, provider, code="OUT002", title="Suspended attendance service",
            status="suspended",
        )  # fmt: skip
        self.lapsed = f.listing(
            session, provider, code="OUT003", title="Out of date coaching offer",
            assurance_expires_at=utcnow() - timedelta(days=1),
        )  # fmt: skip
        self.unassured = f.listing(
            session, provider, code="OUT004", title="Submitted science support",
            status="submitted",
        )  # fmt: skip
        lonely = f.provider(session, name="Single Recommendation Ltd")
        f.recommendation(session, lonely)
        self.one_recommendation = f.listing(
            session, lonely, code="OUT005", title="Behaviour audit with one referee"
        )
        session.commit()

    @property
    def included(self) -> list[Listing]:
        return [self.national, self.by_la, self.by_region, self.online, self.two_areas]

    @property
    def excluded(self) -> list[Listing]:
        return [
            self.elsewhere,
            self.suspended,
            self.lapsed,
            self.unassured,
            self.one_recommendation,
        ]


@pytest.fixture
def world(any_app: Flask) -> Iterator[World]:
    with _session(any_app) as session:
        yield World(session)


def _produce(app: Flask, out: Path, *extra: str) -> str:
    result = app.test_cli_runner().invoke(
        args=["hardcopy", "--la", LA, "--site-url", "https://sied.example.org", *extra, str(out)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_writes_a_pdf_of_every_public_listing_serving_the_la(
    any_app: Flask, world: World, tmp_path: Path
) -> None:
    out = tmp_path / "directory.pdf"
    output = _produce(any_app, out)

    assert out.read_bytes().startswith(b"%PDF-")
    text = pdf_text(out)
    for listing in world.included:
        assert listing.title in text
        assert listing.code in text
    for listing in world.excluded:
        assert listing.title not in text
        assert listing.code not in text
    assert "sied.example.org/l/LAC001" in text
    assert "01223 555777" in text
    assert "Edition 1" in text and printing.local_date(utcnow()) in text
    assert "edition 1" in output and "5 listings" in output


def test_pdf_is_grouped_by_area_in_taxonomy_order_with_a_contents_list(
    any_app: Flask, world: World, tmp_path: Path
) -> None:
    out = tmp_path / "directory.pdf"
    _produce(any_app, out)
    text = pdf_text(out)

    contents_at = text.index("Contents")
    body = text[text.index("New since the last edition") :]
    positions = [body.index(term.label) for term in taxonomy.CATEGORIES]
    assert positions == sorted(positions)
    for term in taxonomy.CATEGORIES:
        assert text.index(term.label) > contents_at
    # Each listing is printed under its own area.
    governance = body.index(taxonomy.CATEGORIES["governance"].label)
    early_years = body.index(taxonomy.CATEGORIES["early-years"].label)
    assert governance < body.index("Governor induction evenings") < early_years


def test_listing_in_two_areas_is_printed_once_and_cross_referenced(
    app: Flask, session: Session
) -> None:
    la = f.local_authority(session, code=LA, region="east-of-england")
    provider = _provider(session)
    both = f.listing(
        session,
        provider,
        title="Leading inclusive classrooms",
        categories=["leadership-and-management", "inclusion-sen-and-vulnerable-groups"],
    )
    session.commit()

    hardcopy = services.prepare(session, la.code)

    areas = {area.slug: area for area in hardcopy.areas}
    assert [e.listing_id for e in areas["leadership-and-management"].entries] == [both.id]
    assert areas["leadership-and-management"].see_also == []
    assert areas["inclusion-sen-and-vulnerable-groups"].entries == []
    assert [e.listing_id for e in areas["inclusion-sen-and-vulnerable-groups"].see_also] == [
        both.id
    ]


def test_second_edition_lists_what_is_new_and_what_was_withdrawn(
    any_app: Flask, world: World, tmp_path: Path
) -> None:
    _produce(any_app, tmp_path / "first.pdf")
    with _session(any_app) as session:
        suspended = session.get(Listing, world.by_region.id)
        assert suspended is not None
        suspended.status = "suspended"
        session.add(suspended)
        provider = session.get(Provider, world.provider.id)
        added = f.listing(
            session, provider, code="NEW001", title="Maths mastery for key stage 2",
            categories=["curriculum-and-subject-support"],
        )  # fmt: skip
        session.commit()

    out = tmp_path / "second.pdf"
    output = _produce(any_app, out)
    text = pdf_text(out)

    assert "edition 2" in output and "1 new, 1 withdrawn" in output
    first_date = printing.local_date(utcnow())
    new_at = text.index(f"New since the last edition ({first_date})")
    withdrawn_at = text.index("Withdrawn since the last edition")
    areas_at = text.index(taxonomy.CATEGORIES.terms[0].label, withdrawn_at)
    new_section = text[new_at:withdrawn_at]
    withdrawn_section = text[withdrawn_at:areas_at]
    assert added.code in new_section and added.title in new_section
    assert world.by_la.code not in new_section
    assert world.by_region.code in withdrawn_section
    assert world.by_region.title in withdrawn_section
    assert world.by_la.code not in withdrawn_section
    # The withdrawn listing is gone from the areas.
    assert world.by_region.code not in text[areas_at:]

    with _session(any_app) as session:
        editions = session.exec(select(HardcopyEdition).order_by(col(HardcopyEdition.number))).all()
        assert [(e.la_code, e.number, e.listing_count) for e in editions] == [
            (LA, 1, 5),
            (LA, 2, 5),
        ]
        second = session.exec(
            select(HardcopyEditionListing.code).where(
                HardcopyEditionListing.edition_id == editions[1].id
            )
        ).all()
        assert sorted(second) == sorted(
            [world.national.code, world.by_la.code, world.online.code, world.two_areas.code]
            + [added.code]
        )


def test_first_edition_says_there_is_no_earlier_edition(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    f.local_authority(session, code=LA, name="Cambridgeshire", region="east-of-england")
    f.assured_provider(session, listings=2)
    session.commit()
    out = tmp_path / "first.pdf"
    _produce(app, out)

    text = " ".join(pdf_text(out).split())
    assert "There is no earlier edition for Cambridgeshire" in text
    assert "Withdrawn since the last edition" not in text


def test_la_with_nothing_serving_it_still_gets_a_hardcopy(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    f.local_authority(session, code=LA, name="Cambridgeshire", region="east-of-england")
    session.commit()
    out = tmp_path / "empty.pdf"
    output = _produce(app, out)

    assert "0 listings" in output
    assert "No assured listing serving Cambridgeshire" in " ".join(pdf_text(out).split())


def test_preview_records_no_edition(app: Flask, session: Session, tmp_path: Path) -> None:
    f.local_authority(session, code=LA, region="east-of-england")
    f.assured_provider(session, listings=1)
    session.commit()

    output = _produce(app, tmp_path / "preview.pdf", "--preview")
    response = app.test_client().get(f"/hardcopy/{LA}.pdf")
    app.test_client().get(f"/hardcopy/{LA}")

    assert "a preview" in output
    assert response.status_code == 200
    assert session.exec(select(HardcopyEdition)).all() == []


def test_publishing_over_a_newer_edition_is_refused(app: Flask, session: Session) -> None:
    f.local_authority(session, code=LA, region="east-of-england")
    f.assured_provider(session, listings=1)
    session.commit()
    first = services.prepare(session, LA, as_edition=True)
    second = services.prepare(session, LA, as_edition=True)
    services.publish(session, first)

    with pytest.raises(Conflict):
        services.publish(session, second)
    assert len(session.exec(select(HardcopyEdition)).all()) == 1


def test_unknown_la_is_a_clear_cli_error(app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "nothing.pdf"
    result = app.test_cli_runner().invoke(args=["hardcopy", "--la", "999", str(out)])

    assert result.exit_code != 0
    assert "There is no local authority with the code “999”" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("path", ["/hardcopy/999", "/hardcopy/999.pdf", "/hardcopy/" + "9" * 500])
def test_unknown_la_is_not_found_on_the_web(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)

    assert response.status_code == 404


def test_web_download_is_a_pdf_attachment(any_app: Flask, world: World, tmp_path: Path) -> None:
    response = any_app.test_client().get(f"/hardcopy/{LA}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    out = tmp_path / "download.pdf"
    out.write_bytes(response.data)
    text = pdf_text(out)
    assert world.by_la.title in text
    assert world.suspended.title not in text
    assert "preview, not a published edition" in text


def test_web_page_shows_the_directory_and_links_the_pdf(any_app: Flask, world: World) -> None:
    response = any_app.test_client().get(f"/hardcopy/{LA}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'href="/hardcopy/{LA}.pdf"' in html
    for listing in world.included:
        assert listing.title in html
    for listing in world.excluded:
        assert listing.title not in html
    assert "http://localhost/l/LAC001" not in html  # the scheme is not printed
    assert "localhost/l/LAC001" in html


def test_index_links_each_la(app: Flask, session: Session) -> None:
    f.local_authority(session, code=LA, name="Cambridgeshire")
    session.commit()

    html = app.test_client().get("/hardcopy/").get_data(as_text=True)

    assert "Cambridgeshire" in html and f"/hardcopy/{LA}.pdf" in html


def test_user_text_is_escaped_in_the_page_and_the_print_html(app: Flask, session: Session) -> None:
    la = f.local_authority(session, code=LA, name="Cambridgeshire <i>Council</i>")
    provider = _provider(session, name="Acme <b>Ltd</b>", phone="<img src=x onerror=alert(1)>")
    f.listing(
        session, provider, title="<script>alert('x')</script> Reading", price_note="<u>£5</u>"
    )
    session.commit()

    page = app.test_client().get(f"/hardcopy/{la.code}").get_data(as_text=True)
    with app.app_context():
        printed = printing.render_html(app, services.prepare(session, la.code))

    for html in (page, printed):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Reading" in html
        assert "Acme &lt;b&gt;Ltd&lt;/b&gt;" in html
        assert "<img src=x" not in html
        assert "<u>" not in html and "<i>Council" not in html


def test_lookup_of_la_does_not_find_listings_of_a_similar_code(
    app: Flask, session: Session
) -> None:
    # Codes are matched exactly, including in the SQL prefilter (LIKE wildcards are escaped).
    la = f.local_authority(session, code="8_3", region="east-of-england")
    f.local_authority(session, code="873", region="north-east")
    provider = _provider(session)
    f.listing(session, provider, title="For 873 only", national=False, local_authorities=["873"])
    session.commit()

    assert services.prepare(session, la.code).entries == []


def test_la_code_is_looked_up_exactly(app: Flask, session: Session) -> None:
    f.local_authority(session, code=LA)
    session.commit()

    assert local_authorities.find(session, f" {LA} ").code == LA


def test_pdf_downloads_are_rate_limited_per_client(tmp_path: Path, sqlite_url: str) -> None:
    from tests.conftest import make_app

    app = make_app(tmp_path, sqlite_url, HARDCOPY_RATE_LIMIT="2 per minute")
    try:
        with _session(app) as session:
            f.local_authority(session, code=LA)
            session.commit()
        client = app.test_client()
        statuses = [client.get(f"/hardcopy/{LA}.pdf").status_code for _ in range(3)]
    finally:
        db.dispose(app)

    assert statuses == [200, 200, 429]
