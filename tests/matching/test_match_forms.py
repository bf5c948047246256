"""The match request's pydantic models: labels or slugs in, slugs out; what the generated JSON
schema allows, the model takes."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from broker.api import openapi
from broker.errors import InvalidInput
from broker.matching.forms import parse_match_request


def test_labels_and_slugs_leave_as_slugs_once_each() -> None:
    parsed = parse_match_request(
        {
            "school": {"phase": "PRIMARY", "sen_specialisms": ["asd", "ASD", "BESD"]},
            "needs": [{"text": "autism", "pupil_groups": ["EAL", "eal"]}],
        }
    )
    assert parsed.school.context().phase == "primary"
    assert parsed.school.context().sen_specialisms == ("asd", "besd")
    assert parsed.needs[0].need().pupil_groups == ("eal",)


def test_an_empty_or_null_value_is_no_value() -> None:
    parsed = parse_match_request(
        {
            "school": {"phase": "", "la_code": None, "sen_specialisms": None},
            "needs": [{"text": "x", "category": "", "ecm_outcomes": None}],
            "limit": None,
        }
    )
    assert parsed.school.context().phase is None
    assert parsed.needs[0].need().ecm_outcomes == ()
    assert parsed.limit == 10


def test_a_whole_number_written_with_a_point_is_a_whole_number() -> None:
    assert parse_match_request({"needs": [{"text": "x"}], "limit": 15.0}).limit == 15
    with pytest.raises(InvalidInput) as caught:
        parse_match_request({"needs": [{"text": "x"}], "limit": 15.5})
    assert caught.value.field == "limit"


def test_messages_say_what_to_fix() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_match_request({"needs": [{"text": "a", "category": "Knitting"}]})
    assert str(caught.value) == (
        "‘Knitting’ is not a known value of needs[0].category (Area of support)."
    )
    with pytest.raises(InvalidInput) as caught:
        parse_match_request({"needs": [{"text": "a"}], "colour": 1})
    assert str(caught.value) == "Unknown field 'colour'; allowed: school, needs, limit."


@pytest.mark.parametrize(
    "body",
    [
        {"needs": [{"text": "phonics"}]},
        {"school": {"la_code": "886", "type": "Community school"}, "needs": [{"text": "a"}]},
        {"needs": [{"text": "a", "ecm_outcomes": ["stay-safe", "Be healthy"]}], "limit": 50},
        {"needs": []},
        {"needs": [{"text": "a"}], "limit": 51},
        {"needs": [{"text": "a", "colour": "red"}]},
        {"needs": [{"text": "a", "category": "Knitting"}]},
        {"school": {"phase": "Nursery"}, "needs": [{"text": "a"}]},
        {"school": {"region": "London", "la_code": "886"}, "needs": [{"text": "a"}]},
    ],
)
def test_the_generated_schema_and_the_model_agree(body: dict[str, Any]) -> None:
    document = openapi.document("Test", ["886"])
    request_schema = {
        "$ref": "#/components/schemas/MatchRequest",
        "components": document["components"],
    }
    try:
        parse_match_request(body)
        accepted = True
    except InvalidInput:
        accepted = False
    assert Draft202012Validator(request_schema).is_valid(body) == accepted
