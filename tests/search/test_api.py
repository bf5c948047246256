"""The public JSON API: response shape, its OpenAPI 3.1 document checked against real responses,
strict parameters, multi-select filters, the "serves" relation, CORS and spelling corrections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlmodel import Session

from broker.taxonomy import CATEGORIES, COSTS, PHASES, PROVIDER_KINDS, REGIONS
from tests import factories as f

SPEC_URI = "urn:broker:openapi"
# ONS-style codes: the factories number their own LAs with three digits, which could clash.
KENT, BIRMINGHAM, COVENTRY = "E10000016", "E08000025", "E08000026"


@dataclass(frozen=True)
class Directory:
    """Ids of the small directory every test here searches."""

    phonics: int  # primary, teaching-and-learning, free, Kent only
    maths: int  # secondary, curriculum, paid, national
    autism: int  # special, inclusion, funded, region west-midlands
    governors: int  # primary+secondary, governance, paid, online and open to all (national)
    attendance: int  # secondary, behaviour, traded, Birmingham only
    suspended: int
    lapsed: int
    unproven: int  # assured, but its provider has only one recommending school


@pytest.fixture
def directory(session: Session) -> Directory:
    kent = f.local_authority(session, code=KENT, name="Kent", region="south-east")
    f.local_authority(session, code="E06000035", name="Medway", region="south-east")
    f.local_authority(session, code=BIRMINGHAM, name="Birmingham", region="west-midlands")
    f.local_authority(session, code=COVENTRY, name="Coventry", region="west-midlands")
    f.local_authority(session, code="E09000001", name="City of London", region="london")
    company = f.assured_provider(session, listings=0, name="Bright Futures Ltd", kind="company")
    school = f.assured_provider(
        session, listings=0, name="Oakfield Special School", kind="school-to-school"
    )
    la_team = f.assured_provider(session, listings=0, name="Kent Learning", kind="la-service")
    phonics = f.listing(
        session,
        la_team,
        title="Phonics for Key Stage 1",
        summary="Synthetic phonics training for reception and Year 1 teachers.",
        categories=["teaching-and-learning"],
        phases=["primary"],
        cost="free",
        national=False,
        local_authorities=[kent.code],
    )
    maths = f.listing(
        session,
        company,
        title="Mathematics mastery in secondary",
        summary="Raising attainment in mathematics at key stage 3 and 4.",
        categories=["curriculum-and-subject-support"],
        phases=["secondary"],
        cost="paid",
        national=True,
    )
    autism = f.listing(
        session,
        school,
        title="Autism outreach from a special school",
        summary="Our outreach team supports mainstream schools with pupils with autism.",
        categories=["inclusion-sen-and-vulnerable-groups"],
        phases=["special", "primary"],
        sen_specialisms=["asd"],
        cost="funded",
        national=False,
        regions=["west-midlands"],
    )
    governors = f.listing(
        session,
        company,
        title="Governor training online",
        summary="Short online courses for school governors on holding leaders to account.",
        categories=["governance"],
        phases=["primary", "secondary"],
        delivery=["online-remote"],
        cost="paid",
        national=True,  # online and open to every school: it says national
    )
    attendance = f.listing(
        session,
        la_team,
        title="Persistent absence casework",
        summary="Education welfare officers work with families of pupils with poor attendance.",
        categories=["behaviour-attendance-and-safeguarding"],
        phases=["secondary"],
        cost="traded-buy-back",
        national=False,
        local_authorities=[BIRMINGHAM],
    )
    suspended = f.listing(session, company, title="Suspended phonics service", status="suspended")
    lapsed = f.listing(session, company, title="Lapsed phonics service")
    lapsed.assurance_expires_at = lapsed.assured_at  # expired the moment it was assured
    lone = f.provider(session, name="Lone Consultant", kind="independent-consultant")
    f.recommendation(session, lone)
    unproven = f.listing(session, lone, title="Unproven phonics service")
    session.commit()
    return Directory(
        phonics=phonics.id,
        maths=maths.id,
        autism=autism.id,
        governors=governors.id,
        attendance=attendance.id,
        suspended=suspended.id,
        lapsed=lapsed.id,
        unproven=unproven.id,
    )


def _get(client: FlaskClient, path: str, **params: Any) -> Any:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _ids(client: FlaskClient, **params: Any) -> set[int]:
    body = _get(client, "/api/v1/listings", per_page=100, **params)
    assert body["total"] == len(body["results"])
    return {r["id"] for r in body["results"]}


def _error(client: FlaskClient, path: str, status: int, **params: Any) -> dict[str, Any]:
    response = client.get(path, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()["error"]


# --- shape --------------------------------------------------------------------------------


def test_search_response_has_the_documented_shape(
    client: FlaskClient, directory: Directory
) -> None:
    body = _get(client, "/api/v1/listings", q="mathematics")
    assert set(body) >= {"total", "page", "per_page", "results", "facets", "suggestion"}
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 20)
    (result,) = body["results"]
    assert result["id"] == directory.maths
    assert result["title"] == "Mathematics mastery in secondary"
    assert result["provider"]["name"] == "Bright Futures Ltd"
    assert result["provider"]["kind"] == PROVIDER_KINDS["company"].label
    assert result["categories"] == [CATEGORIES["curriculum-and-subject-support"].label]
    assert result["phases"] == [PHASES["secondary"].label]
    assert result["cost"] == COSTS["paid"].label
    assert result["recommendations"] == 2
    assert result["url"].endswith(f"/directory/listings/{directory.maths}")
    assert result["url"].startswith("http")
    assert isinstance(result["score"], float | int) and result["score"] > 0
    assert body["suggestion"] is None
    phase_counts = {c["value"]: (c["label"], c["count"]) for c in body["facets"]["phase"]}
    assert phase_counts == {"secondary": ("Secondary", 1)}


def test_empty_search_lists_only_public_listings_with_two_schools(
    client: FlaskClient, directory: Directory
) -> None:
    assert _ids(client) == {
        directory.phonics,
        directory.maths,
        directory.autism,
        directory.governors,
        directory.attendance,
    }


def test_facets_cover_every_facet_of_the_domain(client: FlaskClient, directory: Directory) -> None:
    facets = _get(client, "/api/v1/listings")["facets"]
    assert set(facets) == {
        "category",
        "ecm",
        "phase",
        "sen",
        "pupil_group",
        "kind",
        "delivery",
        "cost",
        "region",
        "la",
    }
    cost = {c["value"]: c["count"] for c in facets["cost"]}
    assert cost == {"free": 1, "paid": 2, "funded": 1, "traded-buy-back": 1}


def test_one_listing_has_its_description(client: FlaskClient, directory: Directory) -> None:
    body = _get(client, f"/api/v1/listings/{directory.autism}")
    assert body["id"] == directory.autism
    assert body["title"] == "Autism outreach from a special school"
    assert body["description"] == "A longer description of the support offered."
    assert body["recommendations"] == 2


@pytest.mark.parametrize("which", ["suspended", "lapsed", "unproven"])
def test_one_listing_is_404_unless_public(
    client: FlaskClient, directory: Directory, which: str
) -> None:
    error = _error(client, f"/api/v1/listings/{getattr(directory, which)}", 404)
    assert error["status"] == 404
    assert error["message"]


@pytest.mark.parametrize("listing_id", ["0", "999999", str(2**31), str(2**63), "9" * 40])
def test_one_listing_is_404_for_unknown_ids(
    client: FlaskClient, directory: Directory, listing_id: str
) -> None:
    _error(client, f"/api/v1/listings/{listing_id}", 404)


# --- the OpenAPI document against real responses -----------------------------------------


def test_openapi_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    document = _get(client, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.1")
    validate_openapi(document)


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    registry: Registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    if "$ref" in schema and schema["$ref"].startswith("#"):
        schema = {"$ref": SPEC_URI + schema["$ref"]}
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def test_every_documented_response_validates_against_its_schema(
    client: FlaskClient, directory: Directory
) -> None:
    document = _get(client, "/api/v1/openapi.json")
    # One or more real requests for every (path, status) the document promises.
    requests: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {
        ("/api/v1/listings", "200"): [
            ("/api/v1/listings", {}),
            ("/api/v1/listings", {"q": "phonics", "phase": "Primary", "la": KENT}),
            ("/api/v1/listings", {"q": "xyzzy"}),
            ("/api/v1/listings", {"q": "phonnics"}),
            ("/api/v1/listings", {"sort": "recommended", "per_page": 2, "page": 2}),
        ],
        ("/api/v1/listings", "400"): [
            ("/api/v1/listings", {"colour": "red"}),
            ("/api/v1/listings", {"phase": "Nursery"}),
            ("/api/v1/listings", {"per_page": 101}),
            ("/api/v1/listings", {"sort": "price"}),
        ],
        ("/api/v1/listings/{id}", "200"): [(f"/api/v1/listings/{directory.maths}", {})],
        ("/api/v1/listings/{id}", "400"): [("/api/v1/listings/%01", {})],
        ("/api/v1/listings/{id}", "404"): [
            (f"/api/v1/listings/{directory.suspended}", {}),
            ("/api/v1/listings/424242", {}),
        ],
    }
    # The read-only search operations (GET); POST /api/v1/match is tested with the matcher.
    # The API's own reads; the Open Referral UK feed's answers are checked against the standard's
    # schemas in tests/openreferral.
    reads = {
        path: ops["get"]
        for path, ops in document["paths"].items()
        if "get" in ops and path.startswith("/api/")
    }
    assert {"/api/v1/listings", "/api/v1/listings/{id}"} <= set(reads)
    documented = {(path, status) for path, op in reads.items() for status in op["responses"]}
    assert documented == set(requests), "a documented response has no real request here"
    for path, operation in reads.items():
        for status, response in operation["responses"].items():
            schema = response["content"]["application/json"]["schema"]
            validator = _validator(document, schema)
            for url, params in requests[(path, status)]:
                real = client.get(url, query_string=params)
                assert real.status_code == int(status), (url, params, real.status_code)
                assert real.mimetype == "application/json"
                errors = [e.message for e in validator.iter_errors(real.get_json())]
                assert not errors, (url, params, errors)


def test_schema_validation_catches_a_wrong_response(client: FlaskClient) -> None:
    """Guard the check above: a response missing a required field does not validate."""
    document = _get(client, "/api/v1/openapi.json")
    validator = _validator(document, {"$ref": "#/components/schemas/SearchResults"})
    assert not validator.is_valid({"total": 0, "page": 1, "per_page": 20, "results": []})
    assert not validator.is_valid(
        {"total": 0, "page": 1, "per_page": 20, "results": [{"id": "x"}], "facets": {}}
        | {"suggestion": None}
    )


def test_every_filter_parameter_is_documented(client: FlaskClient) -> None:
    document = _get(client, "/api/v1/openapi.json")
    names = {p["name"] for p in document["paths"]["/api/v1/listings"]["get"]["parameters"]}
    facets = set(_get(client, "/api/v1/listings")["facets"])
    assert facets <= names
    assert {"q", "sort", "page", "per_page"} <= names


# --- strict parameters --------------------------------------------------------------------


def test_unknown_parameter_is_a_400_naming_it(client: FlaskClient, directory: Directory) -> None:
    error = _error(client, "/api/v1/listings", 400, colour="red")
    assert error["field"] == "colour"
    assert "colour" in error["message"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("phase", "Nursery"),
        ("category", "Cookery"),
        ("ecm", "be-wealthy"),
        ("sen", "XYZ"),
        ("pupil_group", "left-handers"),
        ("kind", "robot"),
        ("delivery", "by-post"),
        ("cost", "cheap"),
        ("region", "Wales"),
        ("la", "999"),
        ("sort", "price"),
        ("page", "two"),
        ("page", "0"),
        ("per_page", "-5"),
    ],
)
def test_unknown_value_is_a_400_naming_the_parameter(
    client: FlaskClient, directory: Directory, name: str, value: str
) -> None:
    error = _error(client, "/api/v1/listings", 400, **{name: value})
    assert error["field"] == name


def test_per_page_is_at_most_100(client: FlaskClient, directory: Directory) -> None:
    assert _get(client, "/api/v1/listings", per_page=100)["per_page"] == 100
    error = _error(client, "/api/v1/listings", 400, per_page=101)
    assert error["field"] == "per_page"


@pytest.mark.parametrize(
    "value",
    [
        "Secondary",
        "secondary",
        "SECONDARY",
        " Secondary ",
    ],
)
def test_phase_accepts_label_or_slug_in_any_case(
    client: FlaskClient, directory: Directory, value: str
) -> None:
    assert _ids(client, phase=value) == {directory.maths, directory.governors, directory.attendance}


@pytest.mark.parametrize(
    "value",
    [
        "Behaviour, Attendance and Safeguarding",
        "behaviour-attendance-and-safeguarding",
        "BEHAVIOUR, ATTENDANCE AND SAFEGUARDING",
    ],
)
def test_category_accepts_label_or_slug_in_any_case(
    client: FlaskClient, directory: Directory, value: str
) -> None:
    assert _ids(client, category=value) == {directory.attendance}


@pytest.mark.parametrize("value", ["Traded/buy-back", "traded-buy-back", "TRADED/BUY-BACK"])
def test_cost_accepts_label_with_a_slash(
    client: FlaskClient, directory: Directory, value: str
) -> None:
    assert _ids(client, cost=value) == {directory.attendance}


@pytest.mark.parametrize("value", ["West Midlands", "west-midlands", "WEST midlands"])
def test_region_accepts_label_or_slug(
    client: FlaskClient, directory: Directory, value: str
) -> None:
    assert _ids(client, region=value) == {
        directory.maths,  # national
        directory.autism,  # the region itself
        directory.governors,  # online
        directory.attendance,  # Birmingham is in the region
    }


def test_la_accepts_code_or_name(client: FlaskClient, directory: Directory) -> None:
    assert _ids(client, la=KENT) == _ids(client, la="Kent") == _ids(client, la="kent")


# --- multi-select semantics ---------------------------------------------------------------


def test_repeated_values_of_one_facet_are_or(client: FlaskClient, directory: Directory) -> None:
    assert _ids(client, cost=["free", "funded"]) == {directory.phonics, directory.autism}


def test_different_facets_are_and(client: FlaskClient, directory: Directory) -> None:
    assert _ids(client, cost=["free", "funded"], phase="special") == {directory.autism}
    assert _ids(client, cost=["paid", "free"], phase=["primary"]) == {
        directory.phonics,
        directory.governors,
    }


def test_facet_counts_ignore_their_own_selection(client: FlaskClient, directory: Directory) -> None:
    body = _get(client, "/api/v1/listings", cost="free")
    assert body["total"] == 1
    cost = {c["value"]: c["count"] for c in body["facets"]["cost"]}
    assert cost == {"free": 1, "paid": 2, "funded": 1, "traded-buy-back": 1}
    phase = {c["value"]: c["count"] for c in body["facets"]["phase"]}
    assert phase == {"primary": 1}


def test_repeating_the_same_value_changes_nothing(
    client: FlaskClient, directory: Directory
) -> None:
    assert _ids(client, cost=["free", "Free", "FREE"]) == {directory.phonics}


# --- where a listing works: the "serves" relation -----------------------------------------


def test_la_filter_finds_listings_that_serve_the_la(
    client: FlaskClient, directory: Directory
) -> None:
    # Kent: named by the phonics listing; national maths; online governors.
    assert _ids(client, la=KENT) == {directory.phonics, directory.maths, directory.governors}
    # Birmingham: named by attendance; its region is served by autism; national; online.
    assert _ids(client, la=BIRMINGHAM) == {
        directory.attendance,
        directory.autism,
        directory.maths,
        directory.governors,
    }
    # Coventry: not named, but in the West Midlands served by the autism listing.
    assert _ids(client, la=COVENTRY) == {directory.autism, directory.maths, directory.governors}


def test_several_las_are_or(client: FlaskClient, directory: Directory) -> None:
    assert _ids(client, la=[KENT, COVENTRY]) == {
        directory.phonics,
        directory.autism,
        directory.maths,
        directory.governors,
    }


def test_region_facet_counts_listings_available_in_each_region(
    client: FlaskClient, directory: Directory
) -> None:
    counts = {c["value"]: c["count"] for c in _get(client, "/api/v1/listings")["facets"]["region"]}
    # Two listings work everywhere (national, online); then the local ones.
    expected = dict.fromkeys(REGIONS.slugs, 2)
    expected["south-east"] += 1  # phonics in Kent
    expected["west-midlands"] += 2  # autism (the region), attendance (Birmingham)
    assert counts == expected


# --- CORS and headers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/listings", 200),
        ("/api/v1/openapi.json", 200),
        ("/api/v1/listings?colour=red", 400),
        ("/api/v1/listings/424242", 404),
    ],
)
def test_get_responses_allow_cors(
    client: FlaskClient, directory: Directory, path: str, status: int
) -> None:
    response = client.get(path, headers={"Origin": "https://example.org"})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_is_answered(client: FlaskClient) -> None:
    response = client.options(
        "/api/v1/listings",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_write_methods_are_not_allowed(client: FlaskClient) -> None:
    response = client.post("/api/v1/listings", json={})
    assert response.status_code == 405
    assert response.is_json


# --- spelling -----------------------------------------------------------------------------


def test_misspelt_query_returns_corrected_results(
    client: FlaskClient, directory: Directory
) -> None:
    body = _get(client, "/api/v1/listings", q="phonnics")
    assert body["suggestion"] == "phonics"
    assert body["corrected"] is True
    assert {r["id"] for r in body["results"]} == {directory.phonics}


def test_correct_query_is_not_corrected(client: FlaskClient, directory: Directory) -> None:
    body = _get(client, "/api/v1/listings", q="phonics")
    assert body["suggestion"] is None
    assert body.get("corrected", False) is False


def test_text_search_uses_the_domain_synonyms(client: FlaskClient, directory: Directory) -> None:
    assert directory.autism in _ids(client, q="ASD")
    assert directory.maths in _ids(client, q="maths")
    assert directory.maths in _ids(client, q="numeracy")


def test_pages_do_not_overlap(client: FlaskClient, directory: Directory) -> None:
    seen: list[int] = []
    for page in (1, 2, 3):
        body = _get(client, "/api/v1/listings", per_page=2, page=page, sort="title")
        assert body["total"] == 5
        seen += [r["id"] for r in body["results"]]
    assert len(seen) == len(set(seen)) == 5
    titles = [_get(client, f"/api/v1/listings/{i}")["title"] for i in seen]
    assert titles == sorted(titles, key=str.lower)


def test_a_search_longer_than_the_document_allows_is_refused_naming_q(client: FlaskClient) -> None:
    response = client.get("/api/v1/listings", query_string={"q": "phonics " * 300})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "q"
    assert "2,000" in response.get_json()["error"]["message"]
    # The page cuts it instead, and says so.
    page = client.get("/directory", query_string={"q": "phonics " * 300})
    assert page.status_code == 200 and "too long" in page.get_data(as_text=True)


def test_an_empty_need_category_is_no_category(client: FlaskClient) -> None:
    body = {"needs": [{"text": "phonics", "category": ""}]}
    assert client.post("/api/v1/match", json=body).status_code == 200


@pytest.mark.parametrize("flag", ["original", "understand"])
def test_a_flag_other_than_0_or_1_is_refused_naming_it(client: FlaskClient, flag: str) -> None:
    response = client.get("/api/v1/listings", query_string={flag: "yes"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == flag


def test_a_search_for_coaching_finds_no_coach_hired_for_trips(
    client: FlaskClient, session: Session
) -> None:
    # Snowball made "coaching" and "coach" one term; a coach is as often a bus.
    leaders = f.assured_provider(session, listings=0, name="Fellside Leadership Coaching")
    buses = f.assured_provider(session, listings=0, name="Leadership Coaches Ltd")
    heads = f.listing(
        session,
        leaders,
        title="Leadership coaching for new headteachers",
        summary="One-to-one coaching in the first two years of headship.",
    )
    hire = f.listing(
        session,
        buses,
        title="Leadership Coaches: 16- to 57-seat coach hire for schools",
        summary="Coaches with drivers for trips, swimming and sports fixtures.",
    )
    session.commit()
    assert _ids(client, q="coaching") == {heads.id}
    assert _ids(client, q="coached through headship") == {heads.id}
    assert _ids(client, q="coach hire for a trip") == {hire.id}
