"""Feedback and replies never leave their readers: not on the public pages, the JSON API, the
Open Referral UK feed, the CSV downloads, the printed directory (page and PDF), the exports or
the search index; nor on the school's own pages for anyone but the author. A unique marker in
each text is searched for in every response, which must also show the listing (so the check
proves something)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask import Flask
from sqlmodel import Session, func, select

from broker.feedback import services as feedback
from broker.models import IndexChange
from broker.openreferral import mapping as openreferral
from tests.feedback.world import build
from tests.schools import world as w

MARKERS = ("Qzx-head-feedback-81", "Qzx-sip-feedback-82", "Qzx-provider-reply-83")


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "directory.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_feedback_never_reaches_public_pages_api_exports_downloads_or_the_index(
    any_app: Flask, any_session: Session, tmp_path: Path
) -> None:
    session = any_session
    fw = build(session)
    world, listing = fw.world, fw.world.listing
    title, code = listing.title, listing.code
    changes_before = session.exec(select(func.count()).select_from(IndexChange)).one()
    head_fb = feedback.give(
        session, world.head, fw.done, text=f"{MARKERS[0]} useful", would_use_again="yes"
    )
    feedback.give(session, world.sip, fw.done, text=f"{MARKERS[1]} late", would_use_again="no")
    session.commit()
    feedback.reply(session, world.provider, int(head_fb.id or 0), f"{MARKERS[2]} thanks")
    session.commit()
    # Nothing about feedback is sent to the search index.
    assert session.exec(select(func.count()).select_from(IndexChange)).one() == changes_before

    anonymous, head = w.client_for(any_app, None), w.client_for(any_app, world.head)
    words = "phonics leadership"
    public = {
        "/": None,
        f"/directory?q={words}": title,
        f"/directory/listings/{listing.id}": title,
        f"/l/{code}": None,
        f"/directory/compare?id={listing.id}&id={world.other_listing.id}": title,
        f"/directory/results.csv?q={words}": title,
        f"/api/v1/listings?q={words}": title,
        f"/api/v1/listings/{listing.id}": title,
        "/openreferral/v3/services": title,
        f"/openreferral/v3/services/{openreferral.service_id(code)}": title,
        "/hardcopy/886": title,
    }
    checked = 0
    for client in (anonymous, head):
        for path, shows in public.items():
            response = client.get(path, follow_redirects=True)
            assert response.status_code == 200, (path, response.status_code)
            text = response.get_data(as_text=True)
            if shows:
                assert shows in text, path
            for marker in MARKERS:
                assert marker not in text, (path, marker)
            checked += 1
        # The search answers nothing for the words of the feedback.
        found = client.get(f"/api/v1/listings?q={MARKERS[0]}").get_json()
        assert found["total"] == 0, found
    assert checked == 2 * len(public)

    pdf = anonymous.get("/hardcopy/886.pdf")
    assert pdf.status_code == 200
    printed = _pdf_text(pdf.get_data(), tmp_path)
    assert "Phonics leadership" in printed
    assert not any(marker in printed for marker in MARKERS)

    # The school's own pages and downloads: the head sees only their own feedback, and only
    # on the brokerage page; the SIP's and the reply to the head are on none of the others.
    priority = fw.done.priority_id
    school = world.school.id
    for path in (
        f"/schools/{school}",
        f"/schools/{school}/priorities/{priority}",
        f"/schools/{school}/priorities/{priority}/shortlist.csv",
        f"/schools/{school}/priorities/{priority}/shortlist/print",
        f"/schools/{school}/visit-pack",
    ):
        response = head.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert title in text, path
        assert not any(marker in text for marker in MARKERS), path
    page = head.get(f"/brokerage/{fw.done.id}").get_data(as_text=True)
    assert MARKERS[0] in page and MARKERS[2] in page and MARKERS[1] not in page

    # Both export formats.
    runner = any_app.test_cli_runner()
    for format_name in ("jsonl", "openreferral"):
        out = tmp_path / f"export.{format_name}"
        result = runner.invoke(args=["export", "--format", format_name, str(out)])
        assert result.exit_code == 0, result.output
        exported = out.read_text(encoding="utf-8")
        assert title in exported, format_name
        assert not any(marker in exported for marker in MARKERS), format_name
