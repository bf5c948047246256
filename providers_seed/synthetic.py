"""A deterministic generator of a large directory for scale work (benchmarks, `seed --synthetic`).

It reuses the hand-written building blocks of the demo directory and combines them (titles with
qualifiers, sampled description sentences, provider names from parts), so 100,000 listings are
not a few hundred texts repeated. Records stream one provider at a time in the interchange format
of the directory (facet values as labels). Same arguments, same output.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from typing import Any

from broker.taxonomy import COSTS, DELIVERY, PROVIDER_KINDS, REGIONS
from providers_seed import names, places
from providers_seed.build_directory import (
    KIND_DELIVERY,
    KIND_SENTENCES,
    KIND_SUMMARY_ENDINGS,
    facet_labels,
    pick_cost,
    region_phrase,
)
from providers_seed.impact import CLOSINGS, impact_choices, render_impact
from providers_seed.programmes import FREE_RESOURCES, NATIONAL_PROGRAMMES
from providers_seed.templates import (
    AD,
    BAS,
    CS,
    ECM,
    EY,
    EYR,
    GENERAL_KINDS,
    GOV,
    INC,
    LM,
    P16,
    PRI,
    PSS,
    SEC,
    SPE,
    TEMPLATES,
    TL,
    ListingTemplate,
)

#: Synthetic school URNs start here, clear of the demo schools' 1xxxxx range.
URN_BASE = 200000

_KIND_WEIGHTS = (
    ("independent-consultant", 24),
    ("company", 18),
    ("charity-or-voluntary-body", 12),
    ("la-service", 14),
    ("childrens-services-team", 8),
    ("school-to-school", 14),
    ("national-programme", 4),
    ("free-resource", 6),
)
_KINDS = tuple(k for k, _ in _KIND_WEIGHTS)
_WEIGHTS = tuple(w for _, w in _KIND_WEIGHTS)
_STATUSES = (("assured", 88), ("submitted", 5), ("suspended", 4), ("lapsed", 3))

_PLACE_START = (
    "Ash", "Beech", "Birch", "Bram", "Brook", "Castle", "Cedar", "Church", "Clay", "Cliff",
    "Cold", "Corn", "Cross", "Elm", "Fair", "Fern", "Green", "Hazel", "Heath", "High",
    "Holly", "King", "Lark", "Long", "Mill", "Moor", "North", "Oak", "Old", "Park",
    "Queen", "Red", "Rose", "Rush", "Sand", "South", "Stan", "Thorn", "Wood", "Wyn",
)  # fmt: skip
_PLACE_END = (
    "bank", "bourne", "bridge", "brook", "burn", "bury", "by", "croft", "dale", "den",
    "field", "ford", "gate", "ham", "hill", "hurst", "ley", "mead", "mere", "moor",
    "stead", "stone", "thorpe", "ton", "vale", "well", "wick", "wood", "worth",
)  # fmt: skip
_SAINTS = (
    "St Aidan's", "St Alban's", "St Anne's", "St Bede's", "St Chad's", "St Columba's",
    "St Cuthbert's", "St Hilda's", "St John's", "St Joseph's", "St Mary's", "St Michael's",
    "St Oswald's", "St Paul's", "St Peter's", "St Teresa's", "Holy Trinity", "Christ Church",
)  # fmt: skip

#: (phase, type, name ending, SEN specialisms) in rough proportion to schools in England.
_SCHOOL_PATTERNS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (PRI, "community-school", "Primary School", ()),
    (PRI, "community-school", "Primary School", ()),
    (PRI, "voluntary-aided-school", "CE Primary School", ()),
    (PRI, "voluntary-controlled-school", "CE Primary School", ()),
    (PRI, "academy", "Primary Academy", ()),
    (PRI, "community-school", "Infant School", ()),
    (PRI, "community-school", "Junior School", ()),
    (PRI, "voluntary-aided-school", "Catholic Primary School", ()),
    (PRI, "foundation-school", "Primary School", ()),
    (PRI, "community-school", "Primary School", ()),
    (SEC, "academy", "Academy", ()),
    (SEC, "foundation-school", "High School", ()),
    (SEC, "community-school", "School", ()),
    (SEC, "voluntary-aided-school", "Catholic High School", ()),
    (EYR, "nursery-school", "Nursery School", ()),
    (SPE, "community-special-school", "School", ("sld", "pmld")),
    (SPE, "foundation-special-school", "School", ("asd", "slcn")),
    ("pru", "pru", "Pupil Referral Unit", ("besd",)),
    (P16, "academy", "Sixth Form College", ()),
    ("all-through", "academy", "Academy", ()),
)

_COMPANY_FIRST = (
    "Kestrel", "Northgate", "Brightwater", "Lantern", "Meridian", "Waymark", "Clearview",
    "Ashgrove", "Summit", "Compass", "Beacon", "Harbourside", "Fernhill", "Thornbury",
    "Keystone", "Evenwood", "Signpost", "Oakleaf", "Pathway", "Greenacre", "Quayside",
    "Bluebell", "Millbrook", "Riverstone", "Heronsgate", "Skylark", "Landmark", "Foxglove",
    "Cornerstone", "Kingfisher", "Stepping Stones", "Ridgeway", "Broadwater", "Lighthouse",
    "Silverbirch", "Westbury", "Oakridge", "Harewood", "Larkspur", "Marlowe",
)  # fmt: skip
_COMPANY_MIDDLE = (
    "Education", "Learning", "School Improvement", "Training", "Leadership", "Data",
    "Curriculum", "Inclusion", "Consulting", "Teaching",
)  # fmt: skip
_COMPANY_LAST = ("Ltd", "Partnership", "Services", "Associates", "Group", "Solutions", "Trust")
_CONSULTANT_LAST = (
    "Education Consultancy", "Associates", "School Improvement", "Learning Partnership",
    "Consulting", "Leadership Coaching", "Education Services", "Consultancy",
)  # fmt: skip
_CHARITY_PATTERNS = (
    "The {place} Trust",
    "{place} Learning Trust",
    "{place} Family Support",
    "Friends of {place} Children",
    "{place} Community Education Project",
    "{place} Young People's Project",
)
_LA_TEAMS = (
    "School Improvement Service",
    "Advisory and Inspection Service",
    "Educational Psychology Service",
    "Ethnic Minority Achievement Service",
    "Governor Services",
    "Early Years Advisory Team",
    "Behaviour Support Service",
    "Education Welfare Service",
    "Sensory Support Service",
    "Primary Strategy Team",
    "Secondary Strategy Team",
    "14-19 Team",
    "Learning Technologies Team",
    "Specialist Teaching Service",
)
_CHILDRENS_TEAMS = (
    "Healthy Schools Team",
    "Virtual School",
    "Family Support Team",
    "Safeguarding in Education Team",
    "Targeted Mental Health in Schools Team",
    "Extended Services Team",
    "Youth Support Service",
    "Speech and Language Therapy Service",
    "Children's Centres Partnership",
)
_PROGRAMME_NAMES = (
    "{word} Programme",
    "National {word} Programme",
    "{word} Partnership Programme",
    "{word} Initiative",
)
_PROGRAMME_WORDS = (
    "Every Child", "Better", "Stronger", "Next Steps:", "Raising", "Closing the Gap:",
    "Forward with", "Excellence in", "Every School",
    "Bright Start", "Moving Up", "Achieving Together",
)  # fmt: skip
#: Words that name a programme or resource after the area of support it serves.
_AREA_TOPICS: dict[str, tuple[str, ...]] = {
    LM: ("SEF", "Leadership", "School Planning"),
    TL: ("Teaching", "Lesson Study", "Feedback"),
    CS: ("Phonics", "Numeracy", "Reading", "Writing", "Science"),
    AD: ("APP", "Assessment", "Tracking"),
    INC: ("EAL", "Inclusion", "SEN", "Sensory Learning"),
    BAS: ("Attendance", "Safeguarding", "Behaviour"),
    GOV: ("Governor", "Governance"),
    EY: ("Early Years", "EYFS", "Early Talk"),
    PSS: ("Transition", "Partnership"),
    ECM: ("Well-being", "Healthy Schools", "Enterprise"),
}
_RESOURCE_NAMES = (
    "{topic} Toolkit",
    "{topic} Resource Bank",
    "{topic} Handbook",
    "{topic} Online Library",
    "{topic} Starter Pack",
)

#: Qualifiers that turn one service into many distinct listings; {phase} is a phase phrase.
_TITLE_QUALIFIERS = (
    "",
    "",
    "",
    " for {phase} schools",
    " ({phase})",
    ": a {weeks}-week programme",
    " for small schools",
    " for schools in challenging circumstances",
    " for new leaders",
    ": half-termly support",
    " across a cluster",
    ": an intensive term",
)
_PHASE_PHRASES = {
    PRI: ("primary", "KS1 and KS2", "KS2"),
    SEC: ("secondary", "KS3 and KS4", "KS3"),
    EYR: ("EYFS", "early years"),
    SPE: ("special", "specialist"),
    "pru": ("PRU", "short-stay"),
    P16: ("post-16", "sixth form"),
    "all-through": ("all-through",),
}
#: Extra sentences that may close any description.
_CONTEXT_SENTENCES = (
    "Impact is reviewed with the head at the end of each term.",
    "The work can be spread across the year to suit the school calendar.",
    "A short written report follows every visit.",
    "We start from the school's SEF and the priorities agreed with the SIP.",
    "Schools in a cluster can share the cost.",
    "Support can be adapted for small rural schools.",
    "Materials are provided and can be kept by the school.",
    "Follow-up by phone or email is included for a term.",
    "We ask schools to name a link member of staff for the work.",
    "Sessions can run as twilights or as part of a training day.",
    "Evaluation forms are sent to the head after each session.",
    "We work to an agreed code of practice and share our safeguarding policy on request.",
    "Our consultants are matched to the school's phase and context.",
    "Governors are welcome to attend the final feedback.",
    "The approach has been used successfully in schools in every kind of context.",
    "A pre-visit questionnaire helps us tailor the work.",
)


def synthetic_local_authorities() -> list[dict[str, str]]:
    """Return about 150 English LAs across the nine regions (a superset of the demo ones)."""
    return places.all_local_authorities()


_LAS = synthetic_local_authorities()
_LA_BY_CODE = {la["code"]: la for la in _LAS}
_CODES_BY_REGION = {
    region: [la["code"] for la in _LAS if la["region"] == region] for region in REGIONS.slugs
}


def _head_of(j: int) -> str:
    """Return the headteacher of synthetic school `j`, the same in every recommendation."""
    return f"{names.FIRST_NAMES[(j * 7) % len(names.FIRST_NAMES)]} {names.SURNAMES[(j * 13 + j // 7) % len(names.SURNAMES)]}"


def synthetic_school(i: int) -> dict[str, Any]:
    """Return synthetic school number `i`: the same school for the same number, always."""
    la = _LAS[i % len(_LAS)]
    phase, school_type, ending, sen = _SCHOOL_PATTERNS[
        (i * 7 + i // len(_LAS)) % len(_SCHOOL_PATTERNS)
    ]
    start = _PLACE_START[i % len(_PLACE_START)]
    end = _PLACE_END[(i // len(_PLACE_START)) % len(_PLACE_END)]
    place = start + end
    if ending.startswith(("CE", "Catholic")):
        name = f"{_SAINTS[i % len(_SAINTS)]} {ending}, {place}"
    else:
        name = f"{place} {ending}"
    cycle = i // (len(_PLACE_START) * len(_PLACE_END))
    if cycle:
        name = f"{name} ({la['name']}{'' if cycle == 1 else f' {cycle}'})"
    return {
        "urn": f"{URN_BASE + i:06d}",
        "name": name,
        "phase": phase,
        "type": school_type,
        "la_code": la["code"],
        "sen_specialisms": list(sen),
        "support_category": ("universal", "universal", "targeted", "intensive")[i % 4],
    }


def synthetic_schools(n: int) -> list[dict[str, Any]]:
    """Return the first `n` synthetic schools (those the synthetic recommendations name)."""
    return [synthetic_school(i) for i in range(n)]


def school_pool_size(n_listings: int) -> int:
    """Return how many synthetic schools a directory of `n_listings` draws recommendations from."""
    return max(60, min(25_000, n_listings // 4))


def generate(n_listings: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield provider records holding exactly `n_listings` listings in all, one at a time."""
    rng = random.Random(seed)
    pool = school_pool_size(n_listings)
    general = list(TEMPLATES)
    by_kind = {
        kind: [t for t in general if not t.kinds or kind in t.kinds] for kind in GENERAL_KINDS
    }
    programme_templates = [t for _, ts in NATIONAL_PROGRAMMES for t in ts]
    resource_templates = [t for _, ts in FREE_RESOURCES for t in ts]
    names_taken: set[str] = set()
    made = 0
    i = 0
    while made < n_listings:
        kind = rng.choices(_KINDS, weights=_WEIGHTS)[0]
        count = min(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)), n_listings - made)
        if kind in ("national-programme", "free-resource"):
            count = 1
        if kind == "national-programme":
            candidates = programme_templates
        elif kind == "free-resource":
            candidates = resource_templates
        else:
            candidates = by_kind[kind]
        templates = rng.sample(candidates, min(count, len(candidates)))
        record = _provider(rng, i, kind, templates, pool, names_taken)
        made += len(record["listings"])
        i += 1
        yield record


def _provider(
    rng: random.Random,
    i: int,
    kind: str,
    templates: list[ListingTemplate],
    pool: int,
    names_taken: set[str],
) -> dict[str, Any]:
    la = _LAS[rng.randrange(len(_LAS))]
    school = synthetic_school(rng.randrange(pool)) if kind == "school-to-school" else None
    if school is not None:
        la = _LA_BY_CODE[school["la_code"]]
    name, first = _provider_name(rng, kind, la, school, templates[0])
    if name in names_taken:
        name = f"{name} ({la['name']})"
    while name in names_taken:
        name = f"{name} {i}"
    names_taken.add(name)
    domain = _domain(name, i, school is not None)
    helper = {
        "first": first,
        "la": la["name"],
        "region": region_phrase(la["region"]),
        "school": school["name"] if school else "",
    }
    served = _areas_served(rng, kind, la)
    said: set[str] = set()
    listings = [_listing(rng, t, kind, helper, served, la["name"], said) for t in templates]
    status = rng.choices([s for s, _ in _STATUSES], weights=[w for _, w in _STATUSES])[0]
    n_recs = rng.randint(0, 1) if status == "submitted" else rng.choice((2, 2, 3))
    recs = _recommendations(
        rng, kind, list(zip(templates, listings, strict=True)), n_recs, pool, school
    )
    return {
        "provider": {
            "name": name,
            "kind": PROVIDER_KINDS[kind].label,
            "website": f"https://www.{domain}",
            "email": f"enquiries@{domain}",
            "phone": places.demo_phone(la["region"], i),
            "la_code": la["code"],
            "school_urn": school["urn"] if school else None,
        },
        "listings": listings,
        "recommendations": recs,
        "status": status,
    }


def _provider_name(
    rng: random.Random,
    kind: str,
    la: dict[str, str],
    school: dict[str, Any] | None,
    template: ListingTemplate,
) -> tuple[str, str]:
    place = rng.choice(_PLACE_START) + rng.choice(_PLACE_END)
    if kind == "independent-consultant":
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.SURNAMES)
        return f"{first} {last} {rng.choice(_CONSULTANT_LAST)}", first
    if kind == "company":
        parts = (rng.choice(_COMPANY_FIRST), rng.choice(_COMPANY_MIDDLE), rng.choice(_COMPANY_LAST))
        return " ".join(parts), ""
    if kind == "charity-or-voluntary-body":
        return rng.choice(_CHARITY_PATTERNS).format(place=place), ""
    if kind == "la-service":
        return f"{la['name']} {rng.choice(_LA_TEAMS)}", ""
    if kind == "childrens-services-team":
        return f"{la['name']} {rng.choice(_CHILDRENS_TEAMS)}", ""
    if kind == "school-to-school" and school is not None:
        suffix = rng.choice(("", " Outreach", " Teaching School", " (National Support School)"))
        return f"{school['name']}{suffix}", ""
    if kind == "national-programme":
        word = rng.choice(_AREA_TOPICS[template.areas[0]])
        return rng.choice(_PROGRAMME_NAMES).format(
            word=f"{rng.choice(_PROGRAMME_WORDS)} {word}"
        ), ""
    topic = rng.choice(_AREA_TOPICS[template.areas[0]])
    return f"{place} {rng.choice(_RESOURCE_NAMES).format(topic=topic)}", ""


def _domain(name: str, i: int, school: bool) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in name.lower().replace("'", ""))
    stem = "-".join(part for part in stem.split("-") if part)[:32].strip("-")
    return f"{stem}-{i}.example.{'sch.uk' if school else 'org'}"


def _areas_served(rng: random.Random, kind: str, la: dict[str, str]) -> dict[str, Any]:
    if kind in ("national-programme", "free-resource") or rng.random() < 0.08:
        return {"national": True, "regions": [], "local_authorities": []}
    same_region = [c for c in _CODES_BY_REGION[la["region"]] if c != la["code"]]
    if kind in ("la-service", "childrens-services-team"):
        return {"national": False, "regions": [], "local_authorities": [la["code"]]}
    codes = [la["code"], *rng.sample(same_region, min(len(same_region), rng.randint(0, 3)))]
    regions = []
    if kind in ("company", "charity-or-voluntary-body") and rng.random() < 0.5:
        regions = rng.sample(REGIONS.slugs, rng.randint(1, 3))
    elif kind == "independent-consultant" and rng.random() < 0.25:
        regions = [la["region"]]
    return {
        "national": False,
        "regions": [REGIONS[r].label for r in regions],
        "local_authorities": codes,
    }


_DELIVERY_LABELS = {t.slug: t.label for t in DELIVERY}
_COST_LABELS = {t.slug: t.label for t in COSTS}


#: A template's facets as labels, looked up once per template, not per listing.
_facet_labels = cache(facet_labels)


@cache
def _statements(template: ListingTemplate) -> tuple[list[str], list[str]]:
    return impact_choices(template.areas[0], template.key, template.areas[1:])


def _listing(
    rng: random.Random,
    template: ListingTemplate,
    kind: str,
    helper: dict[str, str],
    served: dict[str, Any],
    la_name: str,
    said: set[str],
) -> dict[str, Any]:
    phase = rng.choice(template.phases)
    qualifier = ""
    if kind in GENERAL_KINDS:
        qualifier = rng.choice(_TITLE_QUALIFIERS).format(
            phase=rng.choice(_PHASE_PHRASES[phase]), weeks=rng.choice((6, 10, 12))
        )
    summary = rng.choice(template.summaries)
    endings = KIND_SUMMARY_ENDINGS[kind]
    if endings and rng.random() < 0.5:
        summary += " " + rng.choice(endings).format(**helper)
    k = rng.randint(2, min(4, len(template.body)))
    body = [template.body[j] for j in sorted(rng.sample(range(len(template.body)), k))]
    about = [x for x in KIND_SENTENCES[kind] if x not in said]
    if about and rng.random() < 0.6:
        sentence = rng.choice(about)
        said.add(sentence)
        body.append(sentence.format(n=rng.randint(12, 25), **helper))
    if kind in GENERAL_KINDS and rng.random() < 0.5:
        body.append(rng.choice(_CONTEXT_SENTENCES))
    allowed = KIND_DELIVERY[kind]
    delivery = [d for d in template.delivery if d in allowed] or [allowed[0]]
    cost, note = pick_cost(rng, template, kind, la_name)
    title = template.titles[rng.randrange(len(template.titles))]
    if kind == "national-programme" and ": " in title:
        # The hand-written titles start with their own programme's name: drop it here.
        rest = title.split(": ", 1)[1]
        title = rest[0].upper() + rest[1:]
    return {
        "title": title + qualifier,
        "summary": summary,
        "description": " ".join(body),
        **{facet: list(values) for facet, values in _facet_labels(template).items()},
        "delivery": [_DELIVERY_LABELS[s] for s in delivery],
        "cost": _COST_LABELS[cost],
        "price_note": note,
        "areas_served": served,
    }


_FIRST_DAY = date(2024, 1, 8)
_LAST_DAY = date(2026, 11, 13)


def _recommendations(
    rng: random.Random,
    kind: str,
    services: list[tuple[ListingTemplate, dict[str, Any]]],
    count: int,
    pool: int,
    own: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    chosen: set[int] = set()
    if own is not None:
        chosen.add(int(own["urn"]) - URN_BASE)
    recs = []
    for n in range(count):
        template, listing = services[n % len(services)]
        # Prefer a school of a phase the service is for; a few tries keep it cheap.
        for _ in range(6):
            j = rng.randrange(pool)
            if j in chosen:
                continue
            school = synthetic_school(j)
            if school["phase"] in template.phases:
                break
        while j in chosen:
            j = rng.randrange(pool)
        chosen.add(j)
        school = synthetic_school(j)
        specific, general = _statements(template)
        text = rng.choice(specific or general) if rng.random() < 0.7 else rng.choice(general)
        impact = render_impact(text, rng, kind, school["phase"])
        if rng.random() < 0.3:
            impact += " " + rng.choice(CLOSINGS)
        day = _FIRST_DAY + timedelta(days=rng.randint(0, (_LAST_DAY - _FIRST_DAY).days))
        recs.append(
            {
                "school_urn": school["urn"],
                "school_name": school["name"],
                "recommender_name": _head_of(j),
                "service_title": listing["title"],
                "impact": impact,
                "date": day.isoformat(),
            }
        )
    return recs
