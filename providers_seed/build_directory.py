"""Build the demo directory data files from the hand-written building blocks.

Run `python -m providers_seed.build_directory` from the project root; it rewrites the files in
providers_seed/data/. The output is deterministic: the same code writes byte-identical files.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from broker.taxonomy import (
    CATEGORIES,
    COSTS,
    DELIVERY,
    ECM_OUTCOMES,
    PHASES,
    PROVIDER_KINDS,
    PUPIL_GROUPS,
    REGIONS,
    SEN_SPECIALISMS,
)
from providers_seed import names, places
from providers_seed.impact import CLOSINGS, impact_choices, render_impact
from providers_seed.programmes import FREE_RESOURCES, NATIONAL_PROGRAMMES
from providers_seed.templates import (
    COACH,
    COURSE,
    DOWNLOAD,
    NETWORK,
    ONLINE,
    ONSITE,
    S2S,
    TEMPLATES,
    TEMPLATES_BY_KEY,
    ListingTemplate,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 20261122
#: Recommendations are dated within RECOMMENDATION_VALID_YEARS of this day.
REFERENCE_DATE = date(2026, 11, 22)
#: The one password of every demo user: published in the README, exists only with the demo data.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

#: How often one impact statement (with different figures) may appear across the directory.
MAX_STATEMENT_USES = 5

#: Delivery modes each kind of provider plausibly uses.
KIND_DELIVERY: dict[str, tuple[str, ...]] = {
    "independent-consultant": (ONSITE, COURSE, COACH, ONLINE, NETWORK),
    "company": (ONSITE, COURSE, COACH, ONLINE, NETWORK, DOWNLOAD),
    "charity-or-voluntary-body": (ONSITE, COURSE, NETWORK, ONLINE, DOWNLOAD, COACH),
    "la-service": (ONSITE, COURSE, NETWORK, COACH, ONLINE),
    "childrens-services-team": (ONSITE, COURSE, NETWORK),
    "school-to-school": (S2S, ONSITE, COACH, COURSE, NETWORK),
    "national-programme": (COURSE, COACH, NETWORK, ONLINE, ONSITE, S2S, DOWNLOAD),
    "free-resource": (DOWNLOAD, ONLINE),
}

#: Sentences about the provider itself, by kind; {first}, {la}, {region}, {n} are filled in.
KIND_SENTENCES: dict[str, tuple[str, ...]] = {
    "independent-consultant": (
        "{first} is a former headteacher and accredited SIP with more than {n} years' experience.",
        "All work is delivered personally by {first}, a former LA adviser and Ofsted inspector.",
        "{first} has worked with over {n}0 schools across {region}, many of them in challenging circumstances.",
        "{first} led two schools out of an Ofsted category before becoming a consultant.",
    ),
    "company": (
        "Our associates are serving and former headteachers, LA advisers and Ofsted inspectors.",
        "Every associate holds a current enhanced CRB check and works to our published code of practice.",
        "Support can be tailored to a single school or shared across a cluster to reduce costs.",
        "We agree the outcomes with the head before the work begins and report on impact at the end.",
    ),
    "charity-or-voluntary-body": (
        "As a registered charity we keep our charges low and reinvest any surplus in work with schools.",
        "Our work is part-funded by charitable trusts, so schools in disadvantaged areas may qualify for subsidised places.",
        "We have worked alongside schools and families for more than {n} years.",
    ),
    "la-service": (
        "The service is part of {la}'s children's services and works closely with the school's SIP.",
        "Schools that buy back the service receive an annual entitlement of visits, agreed at the SIP's autumn meeting.",
        "Priority is given to schools in the targeted and intensive support categories.",
    ),
    "childrens-services-team": (
        "The team works across education, health and social care in {la}.",
        "Referrals can be made by the school's head, SENCO or designated teacher.",
        "Our staff work in locality teams, so each school has a named link worker.",
    ),
    "school-to-school": (
        "Support is led by our headteacher and senior staff, who combine it with leading our own school.",
        "Our staff teach every day, so the advice is practical and tested in real classrooms.",
        "We were judged outstanding at our last inspection and see sharing what works as part of our job.",
    ),
    "national-programme": (
        "The programme is funded nationally and delivered through local authorities and partner schools.",
        "Schools apply through their LA, which agrees places with the SIP.",
    ),
    "free-resource": (
        "The materials are free to download and may be copied for use in any school.",
        "Schools are welcome to adapt the materials; we ask only that they credit the source.",
    ),
}

#: A second summary sentence saying who delivers it or who can have it; {school} is the provider.
KIND_SUMMARY_ENDINGS: dict[str, tuple[str, ...]] = {
    "independent-consultant": (
        "Delivered in person by {first}.",
        "Available to schools across {region}.",
        "Days can be split into half days to fit around the timetable.",
    ),
    "company": (
        "Available as a single day or as a package shared by a cluster of schools.",
        "Dates to suit the school, including twilight sessions.",
        "Delivered by an associate matched to your phase and context.",
    ),
    "charity-or-voluntary-body": (
        "Places are subsidised for schools in disadvantaged areas.",
        "Run by a registered charity with long experience of working in schools.",
    ),
    "la-service": (
        "Available to all {la} schools and academies.",
        "Part of the {la} service level agreement for schools.",
        "Requested through the school's SIP or directly from the service.",
    ),
    "childrens-services-team": (
        "For schools in {la}.",
        "Schools request support through their named link worker.",
    ),
    "school-to-school": (
        "Led by staff from {school}.",
        "Led by practitioners who teach at {school} every day.",
    ),
    "national-programme": (),
    "free-resource": (),
}

FUNDERS = (
    "Funded by the National Strategies for schools in the targeted or intensive category.",
    "Funded through the LA's Standards Fund allocation; no charge to schools.",
    "Funded by the National College; the school covers supply costs only.",
    "Funded for maintained schools in {la}; academies please ask.",
    "Grant-funded for schools with above-average free school meals eligibility.",
)


@dataclass
class Context:
    """The shared state while building: places, usage counts and a seeded generator."""

    rng: random.Random
    las: dict[str, dict[str, str]]
    schools: list[dict[str, Any]]
    school_by_name: dict[str, dict[str, Any]]
    heads: dict[str, str]
    usage: dict[str, int] = field(default_factory=dict)
    impacts: set[str] = field(default_factory=set)
    statement_uses: dict[str, int] = field(default_factory=dict)
    descriptions: set[str] = field(default_factory=set)
    phone_counter: int = 100


def slug(text: str) -> str:
    """Return a lower-case, hyphenated form of a name for web addresses."""
    text = text.lower().replace("&", "and").replace("'", "")
    text = re.sub(r"\b(ltd|the|service|services)\b", " ", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")


def region_phrase(region: str) -> str:
    """Return a region as it reads in a sentence: "the South East", but "London"."""
    label = REGIONS[region].label
    return label if region in ("london", "yorkshire-and-the-humber") else f"the {label}"


def labels(vocab: Any, slugs: tuple[str, ...] | list[str]) -> list[str]:
    """Turn slugs into taxonomy labels, failing loudly on an unknown slug."""
    return [vocab[s].label for s in slugs]


def facet_labels(template: ListingTemplate) -> dict[str, list[str]]:
    """Return a template's topic and audience facets as taxonomy labels, keyed by record field."""
    return {
        "categories": labels(CATEGORIES, template.areas),
        "ecm_outcomes": labels(ECM_OUTCOMES, template.ecm),
        "phases": labels(PHASES, template.phases),
        "sen_specialisms": labels(SEN_SPECIALISMS, template.sen),
        "pupil_groups": labels(PUPIL_GROUPS, template.groups),
    }


def head_names(schools: list[dict[str, Any]]) -> dict[str, str]:
    """Give every school a distinct (fictional) headteacher, stable for its URN."""
    heads: dict[str, str] = {}
    taken: set[str] = set()
    firsts, lasts = names.FIRST_NAMES, names.SURNAMES
    for school in schools:
        n = int(str(school["urn"]))
        step = 0
        while True:
            name = f"{firsts[(n * 7 + step) % len(firsts)]} {lasts[(n * 13 + n // 7 + step * 3) % len(lasts)]}"
            if name not in taken:
                break
            step += 1
        taken.add(name)
        heads[str(school["urn"])] = name
    return heads


# --- services ------------------------------------------------------------------------------


def choose_templates(ctx: Context, kind: str, focus: tuple[str, ...]) -> list[ListingTemplate]:
    """Turn a provider's focus (area slugs or template keys) into distinct templates."""
    chosen: list[ListingTemplate] = []
    for item in focus:
        if item in TEMPLATES_BY_KEY:
            template = TEMPLATES_BY_KEY[item]
        else:
            candidates = [
                t
                for t in TEMPLATES
                if item in t.areas and t not in chosen and (not t.kinds or kind in t.kinds)
            ]
            # Spread services: the least used template of the area, ties broken at random.
            candidates.sort(key=lambda t: (ctx.usage.get(t.key, 0), ctx.rng.random()))
            template = candidates[0]
        if template not in chosen:
            chosen.append(template)
    return chosen


def pick_delivery(ctx: Context, template: ListingTemplate, kind: str) -> list[str]:
    allowed = KIND_DELIVERY[kind]
    modes = [d for d in template.delivery if d in allowed] or [allowed[0]]
    online_too = kind in ("independent-consultant", "company") and ONLINE not in modes
    if online_too and ctx.rng.random() < 0.2:
        modes.append(ONLINE)
    return modes


def pick_cost(
    rng: random.Random, template: ListingTemplate, kind: str, la_name: str
) -> tuple[str, str | None]:
    """Return (cost slug, price note) in the way each kind of provider charges."""
    if kind == "free-resource":
        return "free", rng.choice(("Free to download.", "Free; registration not required.", None))
    if kind == "national-programme":
        return "funded", rng.choice(
            (
                "Funded by the programme; schools release a teacher for the training days.",
                "Funded for schools selected with their LA; no charge for materials.",
                "Fully funded for eligible schools.",
            )
        )
    roll = rng.random()
    if kind == "la-service":
        if roll < 0.7:
            rate = rng.choice((340, 360, 380, 395, 420))
            return "traded-buy-back", rng.choice(
                (
                    f"Included in the {la_name} school improvement buy-back; £{rate} per day for schools outside it.",
                    f"Traded service: £{rate} per day, or part of the annual service level agreement.",
                    f"Buy-back subscribers receive this within their entitlement; otherwise £{rate} per day.",
                )
            )
        return "free", f"Free to {la_name} maintained schools."
    if kind == "childrens-services-team":
        if roll < 0.55:
            return "free", None
        return "funded", rng.choice(FUNDERS).format(la=la_name)
    if kind == "school-to-school":
        if roll < 0.5:
            return "funded", rng.choice(FUNDERS[1:4]).format(la=la_name)
        return "paid", price_note(rng, template)
    if kind == "charity-or-voluntary-body":
        if roll < 0.25:
            return "free", None
        if roll < 0.5:
            return "funded", rng.choice(FUNDERS).format(la=la_name)
        return "paid", price_note(rng, template, charity=True)
    return "paid", price_note(rng, template)


def price_note(rng: random.Random, template: ListingTemplate, charity: bool = False) -> str:
    """Return a realistic price for a paid service, by the way it is sold."""
    scale = 0.8 if charity else 1.0
    day = int(rng.choice((375, 395, 425, 450, 475, 495, 525, 550, 600)) * scale)
    if template.unit == "place":
        fee = int(rng.choice((85, 110, 125, 150, 175)) * scale)
        return rng.choice(
            (f"£{fee} per place, including lunch and materials.", f"£{fee} per delegate.")
        )
    if template.unit == "delegate":
        fee = int(rng.choice((95, 120, 145, 165, 195, 240)) * scale)
        return rng.choice(
            (
                f"£{fee} per delegate per session.",
                f"£{fee * 3:,} per delegate for the whole course.",
            )
        )
    if template.unit == "course":
        fee = int(rng.choice((350, 420, 480, 550, 650)) * scale)
        return rng.choice(
            (
                f"£{fee} for a twilight session for all staff in your school.",
                f"£{fee} per school for up to 30 staff.",
                f"£{fee // 4} per delegate at our central venue; £{fee} for a session in school.",
            )
        )
    if template.unit == "programme":
        days = rng.choice((3, 4, 5, 6))
        return f"£{day * days:,} for a {days}-day programme."
    if template.unit == "term":
        fee = int(rng.choice((180, 240, 300, 360, 450)) * scale)
        return rng.choice((f"£{fee} per term.", f"£{fee * 3:,} per year (three terms)."))
    return rng.choice(
        (
            f"£{day} per day.",
            f"£{day} per day plus travel.",
            f"£{day} per day; half days £{day // 2 + 25}.",
            f"£{day * 3:,} for a 3-day package including a written report.",
        )
    )


def describe(ctx: Context, template: ListingTemplate, provider: dict[str, Any]) -> str:
    """Compose a description: 2-4 sentences of the service and sometimes one about the provider."""
    rng = ctx.rng
    k = rng.randint(2, min(4, len(template.body)))
    body = [template.body[i] for i in sorted(rng.sample(range(len(template.body)), k))]
    about = [s for s in KIND_SENTENCES[provider["kind"]] if s not in provider["_said"]]
    if about and rng.random() < 0.7:
        template_sentence = rng.choice(about)
        provider["_said"].append(template_sentence)
        sentence = template_sentence.format(
            first=provider.get("_first", "Our lead consultant"),
            la=provider["_la_name"],
            region=provider["_region_label"],
            n=rng.randint(12, 25),
        )
        body.insert(len(body) if rng.random() < 0.6 else 1, sentence)
    return " ".join(body)


def areas_served(ctx: Context, kind: str, home: str, national: bool) -> dict[str, Any]:
    """Return where a provider works: its own LA and neighbours, whole regions, or national."""
    rng = ctx.rng
    region = ctx.las[home]["region"]
    neighbours = list(places.SEED_NEIGHBOURS[home])
    if national or kind in ("national-programme", "free-resource"):
        return {"national": True, "regions": [], "local_authorities": []}
    if kind in ("la-service", "childrens-services-team"):
        las = [home] + (neighbours[:1] if rng.random() < 0.3 else [])
        return {"national": False, "regions": [], "local_authorities": las}
    if kind == "company":
        others = [r for r in REGIONS.slugs if r != region]
        regions = [region, *rng.sample(others, rng.randint(1, 2))]
        return {
            "national": False,
            "regions": labels(REGIONS, regions),
            "local_authorities": [home, *neighbours[:1]],
        }
    if kind == "charity-or-voluntary-body":
        codes = [home, *rng.sample(places.SEED_LA_CODES, 3)]
        codes = list(dict.fromkeys(codes))
        return {"national": False, "regions": [], "local_authorities": codes}
    # Consultants and schools: home LA and the authorities next door, sometimes the region.
    las = [home, *neighbours[: rng.randint(1, len(neighbours))]]
    regions = (
        labels(REGIONS, [region])
        if kind == "independent-consultant" and rng.random() < 0.35
        else []
    )
    return {"national": False, "regions": regions, "local_authorities": las}


def build_listing(
    ctx: Context, template: ListingTemplate, provider: dict[str, Any], served: dict[str, Any]
) -> dict[str, Any]:
    n = ctx.usage.get(template.key, 0)
    ctx.usage[template.key] = n + 1
    kind = provider["kind"]
    cost, note = pick_cost(ctx.rng, template, kind, provider["_la_name"])
    summary = template.summaries[(n + ctx.rng.randint(0, 1)) % len(template.summaries)]
    endings = KIND_SUMMARY_ENDINGS[kind]
    if endings and ctx.rng.random() < 0.5:
        summary += " " + ctx.rng.choice(endings).format(
            first=provider["_first"],
            la=provider["_la_name"],
            region=provider["_region_label"],
            school=provider["_school_name"],
        )
    description = describe(ctx, template, provider)
    for _ in range(20):
        if description not in ctx.descriptions:
            break
        description = describe(ctx, template, provider)
    ctx.descriptions.add(description)
    return {
        "title": template.titles[n % len(template.titles)],
        "summary": summary,
        "description": description,
        **facet_labels(template),
        "delivery": labels(DELIVERY, pick_delivery(ctx, template, kind)),
        "cost": COSTS[cost].label,
        "price_note": note,
        "areas_served": served,
    }


# --- recommendations ---------------------------------------------------------------------


def served_codes(served: dict[str, Any], las: dict[str, dict[str, str]]) -> set[str]:
    if served["national"]:
        return set(las)
    codes = set(served["local_authorities"])
    region_slugs = {REGIONS[r].slug for r in served["regions"]}
    codes |= {code for code, la in las.items() if la["region"] in region_slugs}
    return codes


def pick_school(
    ctx: Context, listing: dict[str, Any], template: ListingTemplate, exclude: set[str]
) -> dict[str, Any]:
    """Pick a plausible recommending school: right phase, in an LA the provider serves."""
    phases = set(template.phases)
    if "primary" in phases:
        phases.add("all-through")
    codes = served_codes(listing["areas_served"], ctx.las)
    pools = (
        [s for s in ctx.schools if s["phase"] in phases and s["la_code"] in codes],
        [s for s in ctx.schools if s["phase"] in phases],
        list(ctx.schools),
    )
    for pool in pools:
        pool = [s for s in pool if s["urn"] not in exclude]
        if pool:
            return ctx.rng.choice(pool)
    raise RuntimeError("no school left to recommend")


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def write_impact(
    ctx: Context, template: ListingTemplate, kind: str, phase: str, used_here: set[str]
) -> str:
    """Write an impact statement no other recommendation in the directory repeats."""
    rng = ctx.rng
    specific, general = impact_choices(template.areas[0], template.key, template.areas[1:])

    def usable(texts: list[str]) -> list[str]:
        # A statement without figures reads identically every time: use it once only; one with
        # figures at most MAX_STATEMENT_USES times across the directory.
        limit = {True: MAX_STATEMENT_USES, False: 1}
        return [
            t
            for t in texts
            if t not in used_here and ctx.statement_uses.get(t, 0) < limit["{" in t]
        ]

    others = [t for a in template.areas[1:] for t in impact_choices(a, template.key)[1]]
    pool = usable(specific) or usable(general) or usable(others)
    if not pool:
        # Everything has been used often: take the least used statements that have figures.
        everything = specific + general + others
        spare = [t for t in everything if "{" in t and t not in used_here] or everything
        fewest = min(ctx.statement_uses.get(t, 0) for t in spare)
        pool = [t for t in spare if ctx.statement_uses.get(t, 0) == fewest]
    text = rng.choice(pool)
    used_here.add(text)
    ctx.statement_uses[text] = ctx.statement_uses.get(text, 0) + 1
    for attempt in range(100):
        impact = render_impact(text, rng, kind, phase)
        if attempt > 2 or rng.random() < 0.3:
            impact += " " + rng.choice(CLOSINGS)
        if impact not in ctx.impacts:
            break
    ctx.impacts.add(impact)
    return impact


def recommend(
    ctx: Context,
    provider: dict[str, Any],
    services: list[tuple[ListingTemplate, dict[str, Any]]],
    count: int,
    start: date,
    end: date,
) -> list[dict[str, Any]]:
    """Write `count` recommendations from different schools, never the provider's own."""
    exclude = {provider["school_urn"]} if provider["school_urn"] else set()
    used_texts: set[str] = set()
    recs = []
    for i in range(count):
        template, listing = services[i % len(services)]
        school = pick_school(ctx, listing, template, exclude)
        exclude.add(school["urn"])
        impact = write_impact(ctx, template, provider["kind"], str(school["phase"]), used_texts)
        recs.append(
            {
                "school_urn": school["urn"],
                "school_name": school["name"],
                "recommender_name": ctx.heads[str(school["urn"])],
                "service_title": listing["title"],
                "impact": impact,
                "date": random_date(ctx.rng, start, end).isoformat(),
            }
        )
    recs.sort(key=lambda r: r["date"])
    return recs


# --- providers ------------------------------------------------------------------------------


def provider_contact(ctx: Context, name: str, kind: str, home: str, school: bool) -> dict[str, str]:
    domain = f"{slug(name)}.example.sch.uk" if school else f"{slug(name)}.example.org"
    local = {
        "independent-consultant": name.split()[0].lower(),
        "company": "enquiries",
        "charity-or-voluntary-body": "schools",
        "la-service": "advisory",
        "childrens-services-team": "team",
        "school-to-school": "outreach",
        "national-programme": "info",
        "free-resource": "resources",
    }[kind]
    ctx.phone_counter += 7
    region = ctx.las[home]["region"]
    return {
        "website": f"https://www.{domain}",
        "email": f"{local}@{domain}",
        "phone": places.demo_phone(region, ctx.phone_counter),
    }


def all_specs(ctx: Context) -> list[dict[str, Any]]:
    """Return every provider as a dict with its templates, before statuses are assigned."""
    specs: list[dict[str, Any]] = []
    general = (
        names.CONSULTANTS
        + names.COMPANIES
        + names.CHARITIES
        + names.LA_SERVICES
        + names.CHILDRENS_SERVICES
    )
    for name, kind, home, focus in general:
        specs.append({"name": name, "kind": kind, "home": home, "focus": focus, "school": None})
    for name, school_name, focus in names.SCHOOL_PROVIDERS:
        school = ctx.school_by_name[school_name]
        specs.append(
            {
                "name": name,
                "kind": "school-to-school",
                "home": school["la_code"],
                "focus": focus,
                "school": school,
            }
        )
    homes = places.SEED_LA_CODES
    for i, (name, templates) in enumerate(NATIONAL_PROGRAMMES):
        specs.append(
            {
                "name": name,
                "kind": "national-programme",
                "home": homes[i % len(homes)],
                "templates": list(templates),
                "school": None,
            }
        )
    for i, (name, templates) in enumerate(FREE_RESOURCES):
        specs.append(
            {
                "name": name,
                "kind": "free-resource",
                "home": homes[(i * 5) % len(homes)],
                "templates": list(templates),
                "school": None,
            }
        )
    return specs


def build_provider(
    ctx: Context, spec: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[ListingTemplate, dict[str, Any]]]]:
    kind, home = spec["kind"], spec["home"]
    school = spec["school"]
    provider = {
        "name": spec["name"],
        "kind": PROVIDER_KINDS[kind].label,
        **provider_contact(ctx, spec["name"], kind, home, school is not None),
        "la_code": home,
        "school_urn": school["urn"] if school else None,
    }
    # Private helpers for wording; stripped before writing.
    helper = {
        "kind": kind,
        "school_urn": provider["school_urn"],
        "_first": spec["name"].split()[0] if kind == "independent-consultant" else None,
        "_la_name": ctx.las[home]["name"],
        "_region_label": region_phrase(ctx.las[home]["region"]),
        "_school_name": school["name"] if school else None,
        "_said": [],
    }
    templates = spec.get("templates") or choose_templates(ctx, kind, spec["focus"])
    national = (kind == "company" and ctx.rng.random() < 0.35) or (
        kind == "charity-or-voluntary-body" and ctx.rng.random() < 0.4
    )
    served = areas_served(ctx, kind, home, national)
    services = [(t, build_listing(ctx, t, helper, served)) for t in templates]
    return {"provider": provider, "_helper": helper}, services


def assign_statuses(rng: random.Random, n: int, keep_assured: set[int]) -> list[str]:
    """About 85% assured; the rest submitted, suspended or lapsed, so every state is visible."""
    statuses = ["assured"] * n
    pool = [i for i in range(n) if i not in keep_assured]
    others = rng.sample(pool, round(n * 0.15))
    for j, i in enumerate(others):
        statuses[i] = ("submitted", "suspended", "lapsed")[j % 3]
    return statuses


#: Providers the demo users sign in as: these must be assured.
DEMO_PROVIDERS = ("Helen Marsh Education Consultancy", "Oakwood Park School Outreach Service")


def build_directory(ctx: Context) -> list[dict[str, Any]]:
    specs = all_specs(ctx)
    ctx.rng.shuffle(specs)
    keep = {i for i, s in enumerate(specs) if s["name"] in DEMO_PROVIDERS}
    statuses = assign_statuses(ctx.rng, len(specs), keep)
    records = []
    for spec, status in zip(specs, statuses, strict=True):
        record, services = build_provider(ctx, spec)
        helper = record.pop("_helper")
        rng = ctx.rng
        if status == "assured":
            count = rng.choices((2, 3, 4), weights=(35, 40, 25))[0]
            recs = recommend(ctx, helper, services, count, date(2024, 2, 1), date(2026, 11, 13))
        elif status == "submitted":
            recs = recommend(
                ctx, helper, services, rng.randint(0, 1), date(2026, 6, 1), date(2026, 11, 13)
            )
        elif status == "lapsed":
            recs = recommend(
                ctx, helper, services, rng.randint(2, 3), date(2024, 1, 10), date(2025, 9, 30)
            )
        else:
            recs = recommend(
                ctx, helper, services, rng.randint(2, 3), date(2024, 6, 1), date(2026, 8, 31)
            )
        record["listings"] = [listing for _, listing in services]
        record["recommendations"] = recs
        record["status"] = status
        records.append(record)
    return records


# --- users ----------------------------------------------------------------------------------

HEAD_SCHOOLS = (
    "St Aidan's CE Primary School",
    "Swale Marshes Primary School",
    "Oakwood Park School",
    "Washwood Lane Primary School",
)
SIP_ASSIGNMENTS = (
    ("Margaret Holloway", "margaret.holloway", ("886",)),
    ("Desmond Achterberg", "desmond.achterberg", ("330",)),
)


def build_users(ctx: Context) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    for name in DEMO_PROVIDERS:
        person = "Helen Marsh" if name.startswith("Helen") else "Gwen Atherton"
        users.append(
            {
                "email": f"{person.lower().replace(' ', '.')}@example.org",
                "name": person,
                "role": "provider",
                "provider_name": name,
            }
        )
    for school_name in HEAD_SCHOOLS:
        school = ctx.school_by_name[school_name]
        users.append(
            {
                "email": f"head@{slug(school_name)}.example.sch.uk",
                "name": ctx.heads[str(school["urn"])],
                "role": "headteacher",
                "school_urn": school["urn"],
            }
        )
    # The deputy head the first school's head authorised to act for the school.
    first = ctx.school_by_name[HEAD_SCHOOLS[0]]
    users.append(
        {
            "email": f"deputy@{slug(HEAD_SCHOOLS[0])}.example.sch.uk",
            "name": "Priya Nandakumar",
            "role": "school_leader",
            "title": "Deputy headteacher",
            "school_urn": first["urn"],
        }
    )
    for person, local, codes in SIP_ASSIGNMENTS:
        urns = [s["urn"] for s in ctx.schools if s["la_code"] in codes]
        users.append(
            {
                "email": f"{local}@example.org",
                "name": person,
                "role": "sip",
                "school_urns": urns,
            }
        )
    for person, local, code in (
        ("Patricia Okonedo", "qa.kent", "886"),
        ("Raymond Sheldon", "qa.birmingham", "330"),
    ):
        users.append(
            {"email": f"{local}@example.org", "name": person, "role": "qa_officer", "la_code": code}
        )
    users.append({"email": "admin@example.org", "name": "Directory Administrator", "role": "admin"})
    return users


# --- writing --------------------------------------------------------------------------------


def make_context() -> Context:
    schools = places.seed_schools()
    las = {la["code"]: la for la in places.seed_local_authorities()}
    return Context(
        rng=random.Random(SEED),
        las=las,
        schools=schools,
        school_by_name={str(s["name"]): s for s in schools},
        heads=head_names(schools),
    )


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Write every data file into `data_dir` and return the counts."""
    ctx = make_context()
    records = build_directory(ctx)
    users = build_users(ctx)
    data_dir.mkdir(parents=True, exist_ok=True)
    _write_json(data_dir / "local_authorities.json", list(ctx.las.values()))
    _write_json(data_dir / "schools.json", ctx.schools)
    _write_json(data_dir / "users.json", {"password": DEMO_PASSWORD, "users": users})
    with (data_dir / "directory.jsonl").open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {
        "local_authorities": len(ctx.las),
        "schools": len(ctx.schools),
        "providers": len(records),
        "listings": sum(len(r["listings"]) for r in records),
        "recommendations": sum(len(r["recommendations"]) for r in records),
        "users": len(users),
    }


if __name__ == "__main__":
    for key, value in build().items():
        print(f"{key}: {value}")
