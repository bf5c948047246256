"""Time the printed directory of one LA with 1,000 serving listings (`python -m benchmarks.hardcopy`).

Builds a temporary SQLite database at the real schema, adds providers with two recommending
schools each and 1,000 public listings that serve the LA (plus some that must be left out),
then times what `broker hardcopy` does: select, group, render HTML, lay out the PDF.
Prints seconds and the page count.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from broker import create_app, db, migrate, taxonomy
from broker.hardcopy import printing, services
from broker.models import Listing, LocalAuthority, Provider, Recommendation, School, utcnow

WORDS = [
    "reading",
    "phonics",
    "mathematics",
    "numeracy",
    "science",
    "leadership",
    "governance",
    "coaching",
    "attendance",
    "behaviour",
    "safeguarding",
    "inclusion",
    "autism",
    "assessment",
    "tracking",
    "moderation",
    "early",
    "years",
    "writing",
    "curriculum",
    "partnership",
    "outreach",
    "wellbeing",
    "family",
    "support",
    "transition",
    "middle",
    "leaders",
]


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(3, 7))
    return " ".join(words).capitalize()


def populate(session: Session, listings: int, seed: int = 1) -> LocalAuthority:
    """Add an LA, its neighbours, providers and `listings` public listings serving the LA."""
    rng = random.Random(seed)
    la = LocalAuthority(code="873", name="Cambridgeshire", region="east-of-england")
    other = LocalAuthority(code="330", name="Birmingham", region="west-midlands")
    session.add_all([la, other])
    session.flush()
    schools = [
        School(
            urn=str(200000 + i), name=f"School {i}", phase="primary", type="academy", la_id=la.id
        )
        for i in range(40)
    ]
    session.add_all(schools)
    session.flush()
    providers = []
    for i in range(250):
        provider = Provider(
            name=f"{rng.choice(WORDS).capitalize()} {rng.choice(['Associates', 'Trust', 'Ltd', 'Partnership'])} {i}",
            kind=rng.choice(taxonomy.PROVIDER_KINDS.slugs),
            email=f"office{i}@provider{i}.example.org",
            phone=f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
        )
        providers.append(provider)
    session.add_all(providers)
    session.flush()
    today = date.today()
    for provider in providers:
        for school in rng.sample(schools, 2):
            session.add(
                Recommendation(
                    provider_id=provider.id,
                    school_id=school.id,
                    recommender_name="A. Head",
                    service_title="Support",
                    impact="Attainment rose.",
                    made_on=today - timedelta(days=rng.randint(1, 700)),
                )
            )
    # Written before the listings: the database refuses an assured listing whose provider has
    # no two schools behind it (revision 0008's trigger), and one flush may order them either way.
    session.flush()
    now = utcnow()
    categories = taxonomy.CATEGORIES.slugs
    total = listings + listings // 10
    for i in range(total):
        serving = i < listings
        # Serving listings reach the LA in each of the ways the rule allows.
        how = i % 4
        status = "assured" if serving else rng.choice(["suspended", "lapsed", "submitted"])
        listing = Listing(
            provider_id=providers[i % len(providers)].id,
            code=f"B{i:05d}",
            title=_title(rng),
            summary="Practical support for schools.",
            description="",
            categories=rng.sample(categories, rng.choice([1, 1, 1, 2, 3])),
            phases=["primary"],
            delivery=["online-remote"] if how == 1 else ["on-site-consultancy"],
            cost=rng.choice(taxonomy.COSTS.slugs),
            price_note=rng.choice([None, "£450 a day", "£1,200 for a term of coaching visits"]),
            contact_phone=rng.choice(
                [None, f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"]
            ),
            contact_email=rng.choice([None, f"contact{i}@example.org"]),
            national=how == 0,
            regions=["east-of-england"] if how == 2 else [],
            local_authorities=["873"] if how == 3 else ["330"],
            status=status,
            assured_at=now if status == "assured" else None,
            assurance_expires_at=now + timedelta(days=200) if status == "assured" else None,
        )
        session.add(listing)
    session.commit()
    return la


def page_count(pdf: bytes, path: Path) -> int:
    """Return the PDF's page count (pdfinfo when installed)."""
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        match = re.search(r"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
        if match:
            return int(match.group(1))
    except (OSError, subprocess.CalledProcessError):
        pass
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2, help="timed runs (the first is cold)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["BROKER_INSTANCE_PATH"] = str(folder / "instance")
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "benchmark",
                "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
                "INDEX_DIR": str(folder / "index"),
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        try:
            migrate.upgrade(db.get_engine(app))
            with Session(db.get_engine(app), expire_on_commit=False) as session:
                populate(session, args.listings)
            out = folder / "hardcopy.pdf"
            for run in range(1, args.runs + 1):
                with app.app_context(), Session(db.get_engine(app)) as session:
                    started = time.perf_counter()
                    cpu_started = time.process_time()
                    hardcopy = services.prepare(session, "873", as_edition=True)
                    selected = time.perf_counter()
                    html = printing.render_html(app, hardcopy, "https://directory.example.org")
                    rendered = time.perf_counter()
                    pdf = printing.to_pdf(html)
                    laid_out = time.perf_counter()
                    services.publish(session, hardcopy)
                    finished = time.perf_counter()
                    cpu = time.process_time() - cpu_started
                out.write_bytes(pdf)
                print(
                    f"hardcopy run {run}: {hardcopy.listing_count} listings, "
                    f"{page_count(pdf, out)} pages, {len(pdf) / 1024:.0f} KiB, "
                    f"{finished - started:.2f} s wall, {cpu:.2f} s CPU (select {selected - started:.2f} s, "
                    f"HTML {rendered - selected:.2f} s, PDF {laid_out - rendered:.2f} s, "
                    f"record edition {finished - laid_out:.2f} s)"
                )
        finally:
            db.dispose(app)


if __name__ == "__main__":
    main()
