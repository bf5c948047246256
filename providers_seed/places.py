"""Hand-written building blocks for places: English local authorities and the seed schools.

LA codes are the DfE three-digit codes; regions are slugs of broker.taxonomy.REGIONS. The
seed directory uses a handful of LAs; the synthetic generator uses the whole current list, read
from the reference file the application ships (broker/reference/local_authorities.json).
"""

from __future__ import annotations

import json
from importlib import resources

#: The LAs of the demo directory: two per region for most regions, one for the smallest.
SEED_LA_CODES: tuple[str, ...] = (
    "886",  # Kent
    "850",  # Hampshire
    "330",  # Birmingham
    "885",  # Worcestershire
    "383",  # Leeds
    "373",  # Sheffield
    "841",  # Darlington
    "391",  # Newcastle upon Tyne
    "352",  # Manchester
    "888",  # Lancashire
    "892",  # Nottingham
    "881",  # Essex
    "873",  # Cambridgeshire
    "209",  # Lewisham
    "211",  # Tower Hamlets
    "878",  # Devon
)


def all_local_authorities() -> list[dict[str, str]]:
    """Return every current English LA as {"code", "name", "region"}: the list `broker init-db` loads."""
    text = resources.files("broker.reference").joinpath("local_authorities.json").read_text("utf-8")
    return [
        {"code": str(la["code"]), "name": str(la["name"]), "region": str(la["region"])}
        for la in json.loads(text)["local_authorities"]
    ]


def seed_local_authorities() -> list[dict[str, str]]:
    """Return the LAs of the demo directory, in SEED_LA_CODES order."""
    by_code = {la["code"]: la for la in all_local_authorities()}
    return [by_code[code] for code in SEED_LA_CODES]


#: Neighbouring seed LAs, so local providers can serve the authority next door.
SEED_NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "886": ("850", "881", "209"),
    "850": ("886", "878"),
    "330": ("885", "892"),
    "885": ("330", "878"),
    "383": ("373", "888"),
    "373": ("383", "892"),
    "841": ("391", "383"),
    "391": ("841",),
    "352": ("888", "373"),
    "888": ("352", "383"),
    "892": ("373", "330"),
    "881": ("873", "211", "886"),
    "873": ("881",),
    "209": ("211", "886"),
    "211": ("209", "881"),
    "878": ("850", "885"),
}

# The seed schools: (name, phase slug, type slug, LA code, SEN slugs, support category).
# Fictional names; URNs are assigned by seed_schools() so they stay stable and unique.
SCHOOLS: tuple[tuple[str, str, str, str, tuple[str, ...], str], ...] = (
    # Kent
    ("St Aidan's CE Primary School", "primary", "voluntary-aided-school", "886", (), "universal"),
    ("Marshfield Academy", "secondary", "academy", "886", (), "targeted"),
    ("Hollybank Nursery School", "early-years", "nursery-school", "886", (), "universal"),
    (
        "Oakwood Park School",
        "special",
        "community-special-school",
        "886",
        ("asd", "slcn", "mld"),
        "universal",
    ),
    ("North Downs Pupil Referral Unit", "pru", "pru", "886", ("besd",), "targeted"),
    ("Swale Marshes Primary School", "primary", "community-school", "886", (), "intensive"),
    # Hampshire
    ("Brambleside Junior School", "primary", "community-school", "850", (), "universal"),
    ("Testwood Vale School", "secondary", "foundation-school", "850", (), "universal"),
    (
        "Kingsmead CE Primary School",
        "primary",
        "voluntary-controlled-school",
        "850",
        (),
        "targeted",
    ),
    (
        "Forestside School",
        "special",
        "foundation-special-school",
        "850",
        ("sld", "pmld", "msi"),
        "universal",
    ),
    ("Avonvale Sixth Form College", "post-16", "academy", "850", (), "universal"),
    # Birmingham
    ("Washwood Lane Primary School", "primary", "community-school", "330", (), "intensive"),
    ("Kingsbury Heath Academy", "secondary", "academy", "330", (), "targeted"),
    (
        "St Chad's Catholic Primary School",
        "primary",
        "voluntary-aided-school",
        "330",
        (),
        "universal",
    ),
    (
        "Lindenfield School",
        "special",
        "community-special-school",
        "330",
        ("hi", "slcn", "pd"),
        "universal",
    ),
    ("Birmingham East Tuition Centre", "pru", "pru", "330", ("besd",), "intensive"),
    ("Highgate Lane Nursery School", "early-years", "nursery-school", "330", (), "universal"),
    # Worcestershire
    (
        "Malvern Chase CE Primary School",
        "primary",
        "voluntary-controlled-school",
        "885",
        (),
        "universal",
    ),
    ("Teme Valley High School", "secondary", "foundation-school", "885", (), "targeted"),
    ("Pershore Road Primary School", "primary", "community-school", "885", (), "universal"),
    (
        "Ridgeway Hill School",
        "special",
        "community-special-school",
        "885",
        ("mld", "spld", "slcn"),
        "universal",
    ),
    ("Severnside Academy", "secondary", "academy", "885", (), "universal"),
    # Leeds
    ("Harehills Park Primary School", "primary", "community-school", "383", (), "intensive"),
    ("Kirkstall Valley Academy", "secondary", "academy", "383", (), "targeted"),
    ("Meanwood Grange School", "all-through", "academy", "383", (), "universal"),
    ("Oakhill Nursery School", "early-years", "nursery-school", "383", (), "universal"),
    (
        "Westfield Specialist Inclusive Learning Centre",
        "special",
        "community-special-school",
        "383",
        ("sld", "pmld", "asd"),
        "universal",
    ),
    # Sheffield
    ("Abbeydale Rise Primary School", "primary", "community-school", "373", (), "universal"),
    ("Loxley Edge Academy", "secondary", "academy", "373", (), "targeted"),
    (
        "St Wilfrid's Catholic Primary School",
        "primary",
        "voluntary-aided-school",
        "373",
        (),
        "universal",
    ),
    (
        "Shirecliffe Lodge School",
        "special",
        "community-special-school",
        "373",
        ("vi", "msi", "pd"),
        "universal",
    ),
    ("Sheaf Valley Sixth Form College", "post-16", "academy", "373", (), "universal"),
    # Darlington
    ("Skerne Valley Primary School", "primary", "community-school", "841", (), "targeted"),
    ("Haughton Mill Academy", "secondary", "academy", "841", (), "universal"),
    ("Firthmoor Education Centre", "pru", "pru", "841", ("besd",), "targeted"),
    (
        "Brinkburn School",
        "special",
        "community-special-school",
        "841",
        ("mld", "besd"),
        "universal",
    ),
    (
        "Cockerton Green CE Primary School",
        "primary",
        "voluntary-controlled-school",
        "841",
        (),
        "universal",
    ),
    # Newcastle upon Tyne
    ("Heaton Vale Primary School", "primary", "community-school", "391", (), "universal"),
    ("Tyneview Academy", "all-through", "academy", "391", (), "targeted"),
    ("Jesmond Dene Nursery School", "early-years", "nursery-school", "391", (), "universal"),
    (
        "Elswick Park School",
        "special",
        "foundation-special-school",
        "391",
        ("asd", "slcn"),
        "universal",
    ),
    ("Walker Riverside Primary School", "primary", "community-school", "391", (), "intensive"),
    # Manchester
    ("Moss Side Park Primary School", "primary", "community-school", "352", (), "targeted"),
    ("Cheetham Bank Primary School", "primary", "community-school", "352", (), "intensive"),
    ("Wythenshawe Forum Academy", "secondary", "academy", "352", (), "targeted"),
    ("Ardwick Green Sixth Form College", "post-16", "academy", "352", (), "universal"),
    ("Gorton Brook Pupil Referral Unit", "pru", "pru", "352", ("besd", "slcn"), "targeted"),
    # Lancashire
    (
        "Pendle View CE Primary School",
        "primary",
        "voluntary-controlled-school",
        "888",
        (),
        "universal",
    ),
    ("Ribble Valley High School", "secondary", "foundation-school", "888", (), "universal"),
    (
        "Fylde Coast School",
        "special",
        "community-special-school",
        "888",
        ("pmld", "sld", "pd"),
        "universal",
    ),
    ("Longridge Fell Primary School", "primary", "community-school", "888", (), "targeted"),
    ("Morecambe Bay Nursery School", "early-years", "nursery-school", "888", (), "universal"),
    # Nottingham
    ("Sneinton Vale Primary School", "primary", "community-school", "892", (), "intensive"),
    ("Bulwell Forest Academy", "secondary", "academy", "892", (), "targeted"),
    ("Clifton Brook Primary School", "primary", "community-school", "892", (), "universal"),
    ("Radford Lane Pupil Referral Unit", "pru", "pru", "892", ("besd",), "targeted"),
    ("Trentside School", "special", "community-special-school", "892", ("hi", "slcn"), "universal"),
    # Essex
    ("Colne Valley Primary School", "primary", "community-school", "881", (), "universal"),
    ("Blackwater Academy", "secondary", "academy", "881", (), "universal"),
    ("St Cedd's CE Primary School", "primary", "voluntary-aided-school", "881", (), "targeted"),
    ("Chelmer Sixth Form College", "post-16", "academy", "881", (), "universal"),
    (
        "Harlow Fields School",
        "special",
        "foundation-special-school",
        "881",
        ("mld", "asd", "spld"),
        "universal",
    ),
    # Cambridgeshire
    ("Ely Meadows Primary School", "primary", "community-school", "873", (), "universal"),
    ("Fenside School", "all-through", "foundation-school", "873", (), "targeted"),
    ("Cherry Hinton Nursery School", "early-years", "nursery-school", "873", (), "universal"),
    (
        "Granta Vale School",
        "special",
        "community-special-school",
        "873",
        ("asd", "besd"),
        "universal",
    ),
    # Lewisham
    ("Brockley Rise Primary School", "primary", "community-school", "209", (), "universal"),
    ("Catford Vale Primary School", "primary", "community-school", "209", (), "targeted"),
    ("Hilly Fields Academy", "secondary", "academy", "209", (), "targeted"),
    ("Ladywell Pupil Referral Unit", "pru", "pru", "209", ("besd",), "intensive"),
    ("Sydenham Wells Sixth Form", "post-16", "foundation-school", "209", (), "universal"),
    # Tower Hamlets
    ("Bow Common Primary School", "primary", "community-school", "211", (), "universal"),
    ("Limehouse Basin Academy", "secondary", "academy", "211", (), "universal"),
    ("St Dunstan's CE Primary School", "primary", "voluntary-aided-school", "211", (), "universal"),
    ("Mile End Nursery School", "early-years", "nursery-school", "211", (), "universal"),
    ("Poplar Pupil Referral Unit", "pru", "pru", "211", ("besd", "slcn"), "targeted"),
    # Devon
    ("Dartmoor Edge Primary School", "primary", "community-school", "878", (), "universal"),
    ("Exe Estuary Academy", "secondary", "academy", "878", (), "universal"),
    (
        "Haldon View School",
        "special",
        "community-special-school",
        "878",
        ("besd", "asd"),
        "universal",
    ),
    ("Tamar Valley School", "all-through", "foundation-school", "878", (), "targeted"),
    ("Torridge CE Primary School", "primary", "voluntary-aided-school", "878", (), "targeted"),
)

# URN ranges by school type, in the style of the DfE register (academies in the 13xxxx range).
_URN_BASE = {
    "academy": 136200,
    "foundation-school": 116400,
    "foundation-special-school": 116900,
    "community-special-school": 102800,
    "community-school": 107300,
    "voluntary-aided-school": 119600,
    "voluntary-controlled-school": 121100,
    "nursery-school": 100900,
    "pru": 131500,
}


def seed_schools() -> list[dict[str, object]]:
    """Return the demo schools with stable, plausible six-digit URNs."""
    schools: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for name, phase, school_type, la_code, sen, category in SCHOOLS:
        n = seen.get(school_type, 0)
        seen[school_type] = n + 1
        urn = _URN_BASE[school_type] + 37 * n + int(la_code) % 29
        schools.append(
            {
                "urn": f"{urn:06d}",
                "name": name,
                "phase": phase,
                "type": school_type,
                "la_code": la_code,
                "sen_specialisms": list(sen),
                "support_category": category,
            }
        )
    return schools


# Drama-reserved UK numbers (Ofcom) so no real line is ever printed in the demo.
_PHONE_PREFIX = {
    "london": "020 7946 0",
    "west-midlands": "0121 496 0",
    "yorkshire-and-the-humber": "0113 496 0",
    "north-west": "0161 496 0",
    "north-east": "0191 498 0",
    "east-midlands": "0115 496 0",
    "south-west": "0117 496 0",
}


def demo_phone(region: str, n: int) -> str:
    """Return a fictional phone number from the Ofcom drama ranges, styled for the region."""
    prefix = _PHONE_PREFIX.get(region)
    if prefix:
        return f"{prefix}{n % 1000:03d}"
    return f"01632 960{n % 1000:03d}"
