"""The shape of a POST /api/v1/match body: pydantic models that check it and document it.

Labels or slugs in any case are taken for taxonomy values, and leave as slugs; an empty value
("" or null) is no value. Whether the school's LA exists is a rule for the service (`locate`).
The OpenAPI document is generated from these models (broker.api.openapi).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import ErrorDetails, PydanticCustomError, core_schema

from broker.errors import InvalidInput
from broker.input_guard import NO_CONTROL_IN_TEXT
from broker.matching.services import MAX_LIMIT, Need, SchoolContext
from broker.taxonomy import (
    CATEGORIES,
    ECM_OUTCOMES,
    PHASES,
    PUPIL_GROUPS,
    REGIONS,
    SCHOOL_TYPES,
    SEN_SPECIALISMS,
    Vocabulary,
)
from broker.validation import (
    NOT_TEXT,
    PROBLEM_AT,
    UNKNOWN_TERM,
    Loc,
    Problem,
    describe,
    keys_at,
    lookup,
    path_of,
    problem_at,
    problems,
)

#: Most needs in one request, characters of one need's text, values in one list.
MAX_NEEDS = 10
MAX_TEXT = 2_000
MAX_LIST = 20

_VOCABULARIES = {
    v.name: v
    for v in (
        CATEGORIES,
        ECM_OUTCOMES,
        PHASES,
        PUPIL_GROUPS,
        REGIONS,
        SCHOOL_TYPES,
        SEN_SPECIALISMS,
    )
}


def values_note(vocabulary: Vocabulary) -> str:
    """Say which values a vocabulary takes, for descriptions."""
    return f"One of: {', '.join(t.label for t in vocabulary)} (labels or slugs, any case)."


def accepted(vocabulary: Vocabulary) -> list[str]:
    """Return a vocabulary's values as the API takes them: slugs and labels."""
    return sorted({t.slug for t in vocabulary} | {t.label for t in vocabulary})


@dataclass(frozen=True)
class Slug:
    """Annotated marker: a taxonomy value (label or slug, any case), kept as its slug.

    With a description it is an optional field ("" or null: none); without, an item of a list.
    """

    vocabulary: Vocabulary
    description: str | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(self._slug)

    def _slug(self, value: Any) -> str | None:
        if self.description is not None and (value is None or value == ""):
            return None
        return lookup(self.vocabulary, value).slug

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if self.description is None:
            return {"type": "string", "enum": accepted(self.vocabulary)}
        return {
            "type": "string",
            "enum": ["", *accepted(self.vocabulary)],  # empty: not given
            "description": f"{self.description}. {values_note(self.vocabulary)}",
        }


@dataclass(frozen=True)
class Slugs:
    """Annotated marker: a list of taxonomy values, kept as their slugs, each once, in order."""

    vocabulary: Vocabulary
    description: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        item = Slug(self.vocabulary)
        return core_schema.no_info_after_validator_function(
            lambda slugs: list(dict.fromkeys(slugs)),
            core_schema.list_schema(
                core_schema.no_info_plain_validator_function(item._slug), max_length=MAX_LIST
            ),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "array",
            "maxItems": MAX_LIST,
            "items": {"type": "string", "enum": accepted(self.vocabulary)},
            "description": f"{self.description}. {values_note(self.vocabulary)}",
        }


def _la_code(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError(NOT_TEXT, "expected text", {"kind": describe(value)})
    return str(value).strip() or None


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("text_required", "describe the need in words")
    if len(value) > MAX_TEXT:
        raise PydanticCustomError("text_too_long", "the text is too long")
    return value


def _whole_number(value: Any) -> Any:
    # JSON has one kind of number: 15.0 is the whole number 15.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        # An empty value is no value: "category": "" is the same as no category.
        if isinstance(data, dict):
            return {
                k: v
                for k, v in data.items()
                if not (k in cls.model_fields and (v is None or v == ""))
            }
        return data


class MatchSchool(_Body):
    """The school the needs belong to. Every field is optional; give la_code or region, not both."""

    model_config = ConfigDict(json_schema_extra={"not": {"required": ["la_code", "region"]}})

    phase: Annotated[
        str | None,
        Slug(
            PHASES,
            "The school's phase: only listings serving it are proposed (a special school by type "
            "matches as Special; an all-through school is served by All-through, Primary or "
            "Secondary listings)",
        ),
    ] = None
    la_code: Annotated[
        str | None,
        PlainValidator(_la_code),
        WithJsonSchema(
            {
                "type": "string",
                "description": "The school's local authority code (e.g. 886): only listings "
                "serving that LA (naming it or its region, or national) are proposed.",
            }
        ),
    ] = None
    region: Annotated[
        str | None,
        Slug(
            REGIONS,
            "The school's region, when no LA code is given (an LA code decides the region): only "
            "listings serving the whole region, or national, are proposed",
        ),
    ] = None
    type: Annotated[str | None, Slug(SCHOOL_TYPES, "The school's type")] = None
    sen_specialisms: Annotated[
        list[str], Slugs(SEN_SPECIALISMS, "The SEN the school serves (raises matching listings)")
    ] = Field(default_factory=list)

    @model_validator(mode="after")
    def _la_or_region(self) -> MatchSchool:
        if self.la_code is not None and self.region is not None:
            raise problem_at(
                "region",
                "Give the school's la_code or its region, not both: an LA code decides the region.",
            )
        return self

    def context(self) -> SchoolContext:
        """Return the school as the matcher takes it (its LA not yet looked up)."""
        return SchoolContext(
            phase=self.phase,
            la_code=self.la_code,
            region=self.region,
            type=self.type,
            sen_specialisms=tuple(self.sen_specialisms),
        )


class MatchNeed(_Body):
    """One need: the SIP's words, and optional area, ECM outcomes and pupil groups."""

    text: Annotated[
        str,
        PlainValidator(_text),
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_TEXT,
                "allOf": [{"pattern": "\\S"}, {"pattern": NO_CONTROL_IN_TEXT}],
                "description": "The need in the SIP's own words; spelling is corrected against "
                "the directory and abbreviations (SEND, KS2, EAL...) are understood.",
            }
        ),
    ]
    category: Annotated[
        str | None, Slug(CATEGORIES, "Area of support (raises matching listings)")
    ] = None
    ecm_outcomes: Annotated[
        list[str], Slugs(ECM_OUTCOMES, "Every Child Matters outcomes (raise)")
    ] = Field(default_factory=list)
    pupil_groups: Annotated[list[str], Slugs(PUPIL_GROUPS, "Pupil groups concerned (raise)")] = (
        Field(default_factory=list)
    )

    def need(self) -> Need:
        """Return the need as the matcher takes it."""
        return Need(
            text=self.text,
            category=self.category,
            ecm_outcomes=tuple(self.ecm_outcomes),
            pupil_groups=tuple(self.pupil_groups),
        )


class MatchRequest(_Body):
    """A school (optional) and its needs: each need gets its own suggestions."""

    school: MatchSchool = Field(default_factory=MatchSchool)
    needs: list[MatchNeed] = Field(min_length=1, max_length=MAX_NEEDS)
    limit: Annotated[int, BeforeValidator(_whole_number)] = Field(
        default=10, ge=1, le=MAX_LIMIT, strict=True
    )


def parse_match_request(body: Any) -> MatchRequest:
    """Check a POST /api/v1/match body; raise InvalidInput naming the field (e.g. needs[1].category)."""
    try:
        return MatchRequest.model_validate(body)
    except ValidationError as exc:
        first = problems(exc, _word)[0]
        raise InvalidInput(first.path, first.message) from None


def _word(error: ErrorDetails, loc: Loc) -> Problem:
    """Say what is wrong with one part of a match request, naming it as a path."""
    path = path_of(loc)
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    last = loc[-1] if loc else None
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem(path or "body", f"{path or 'body'} must be a JSON object.")
    if kind == "extra_forbidden":
        allowed = ", ".join(keys_at(MatchRequest, loc[:-1]))
        return Problem(path[:80], f"Unknown field '{str(last)[:40]}'; allowed: {allowed}.")
    if kind == PROBLEM_AT:
        return Problem(path, str(ctx["message"]))
    if loc == ("needs",):
        if kind == "too_long":
            return Problem(path, f"Send at most {MAX_NEEDS} needs at once.")
        return Problem(path, "needs must be a list of at least one need.")
    if loc == ("limit",):
        return Problem(path, f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    if last == "text":
        if kind == "text_too_long":
            return Problem(path, f"{path} must be {MAX_TEXT:,} characters or fewer.")
        return Problem(path, f"{path} is required: describe the need in words.")
    if kind == UNKNOWN_TERM:
        vocabulary = _VOCABULARIES[ctx["vocabulary"]]
        value = str(ctx["value"])[:60]
        return Problem(path, f"‘{value}’ is not a known value of {path} ({vocabulary.label}).")
    if kind == NOT_TEXT:
        return Problem(path, f"{path} must be a string.")
    if kind == "list_type":
        return Problem(path, f"{path} must be a list of strings.")
    if kind == "too_long":
        return Problem(path, f"{path} may hold at most {MAX_LIST} values.")
    return Problem(path or "body", f"{path or 'body'}: {error['msg']}.")
