"""The interchange record: parse one JSON Lines record into typed values, or say exactly what is wrong.

The record's shape is a set of pydantic models; their errors are worded here (`_word`) the way
the import report shows them: a field path, and what to fix. Pure: no database. Everything that needs the database (LA codes exist, schools are known) is
checked by the import service. Facet values arrive as DOMAIN.md labels or slugs, in any case,
and leave here as slugs.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    StrictBool,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from broker.availability import MAX_AHEAD, MAX_DAYS, long_date
from broker.taxonomy import (
    CATEGORIES,
    COSTS,
    DELIVERY,
    ECM_OUTCOMES,
    LISTING_STATUSES,
    PHASES,
    PROVIDER_KINDS,
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

#: The statuses a whole provider record may carry (the `status` key).
PROVIDER_STATUSES = ("submitted", "assured", "suspended", "lapsed")
#: The statuses a recommendation may carry (the optional `status` key on a recommendation).
RECOMMENDATION_STATUSES = ("requested", "confirmed", "declined", "withdrawn")

#: The listing facets of the format: key -> (vocabulary, what one value is called in messages).
LISTING_FACETS: dict[str, tuple[Vocabulary, str]] = {
    "categories": (CATEGORIES, "an area of support"),
    "ecm_outcomes": (ECM_OUTCOMES, "an Every Child Matters outcome"),
    "phases": (PHASES, "a phase"),
    "sen_specialisms": (SEN_SPECIALISMS, "an SEN specialism"),
    "pupil_groups": (PUPIL_GROUPS, "a pupil group"),
    "delivery": (DELIVERY, "a delivery mode"),
}

#: What one value of each other vocabulary is called in messages.
_NOUNS = {
    **{vocab.name: noun for vocab, noun in LISTING_FACETS.values()},
    PROVIDER_KINDS.name: "a provider kind",
    COSTS.name: "a cost",
    REGIONS.name: "an English region",
    LISTING_STATUSES.name: "a listing status",
    SCHOOL_TYPES.name: "a school type",
}
_VOCABULARIES = {
    vocab.name: vocab
    for vocab in (
        *(v for v, _ in LISTING_FACETS.values()),
        PROVIDER_KINDS,
        COSTS,
        REGIONS,
        LISTING_STATUSES,
        SCHOOL_TYPES,
    )
}


class InvalidRecord(Exception):
    """A record that cannot be imported; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- values ----------------------------------------------------------------------------------


def _fail(kind: str, message: str) -> PydanticCustomError:
    """Return an error whose message is already worded for the import report."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def _text(*, required: bool = False, max_length: int | None = None) -> PlainValidator:
    """Text, stripped; numbers are taken as text (URNs and LA codes written as numbers)."""

    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise _fail("required", "is required")
            return None
        if not isinstance(value, str):
            raise _fail(NOT_TEXT, f"expected text, got {describe(value)}")
        text: str = value.strip()
        if max_length is not None and len(text) > max_length:
            raise _fail("too_long", f"is {len(text)} characters long (at most {max_length})")
        return text

    return PlainValidator(check)


def _slug(vocabulary: Vocabulary, *, required: bool = True) -> PlainValidator:
    def check(value: Any) -> str | None:
        if value is None and not required:
            return None
        if value is None or value == "":
            raise _fail("required", "is required")
        return lookup(vocabulary, value).slug

    return PlainValidator(check)


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value  # one value written without brackets


def _once(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


_AsList = BeforeValidator(_as_list)
_Once = AfterValidator(_once)
# Lists of taxonomy values (labels or slugs, any case) -> their slugs, each once.
Categories: TypeAlias = Annotated[list[Annotated[str, _slug(CATEGORIES)]], _AsList, _Once]
EcmOutcomes: TypeAlias = Annotated[list[Annotated[str, _slug(ECM_OUTCOMES)]], _AsList, _Once]
Phases: TypeAlias = Annotated[list[Annotated[str, _slug(PHASES)]], _AsList, _Once]
SenSpecialisms: TypeAlias = Annotated[list[Annotated[str, _slug(SEN_SPECIALISMS)]], _AsList, _Once]
PupilGroups: TypeAlias = Annotated[list[Annotated[str, _slug(PUPIL_GROUPS)]], _AsList, _Once]
Delivery: TypeAlias = Annotated[list[Annotated[str, _slug(DELIVERY)]], _AsList, _Once]
Regions: TypeAlias = Annotated[list[Annotated[str, _slug(REGIONS)]], _AsList, _Once]


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return to_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            pass
    raise _fail(
        "not_datetime",
        f"{value!r} is not a date and time (use 2024-09-01 or 2024-09-01T09:30:00)",
    )


When = Annotated[datetime | None, PlainValidator(_when)]


def _made_on(value: Any, info: ValidationInfo) -> date:
    if value is None or value == "":
        raise _fail("required", "is required")
    parsed = None
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip()[:10])
        except ValueError:
            parsed = None
    if parsed is None:
        raise _fail("not_date", f"{value!r} is not a date (use YYYY-MM-DD, e.g. 2024-09-01)")
    today = (info.context or {}).get("today") or date.today()
    if parsed > today:
        raise _fail("future", f"{parsed.isoformat()} is in the future")
    return parsed


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise _fail("not_date", f"{value!r} is not a date (use YYYY-MM-DD, e.g. 2027-03-01)")


Day = Annotated[date | None, PlainValidator(_day)]


def _days_available(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail("not_whole_number", f"expected a whole number of days, got {describe(value)}")
    if not 1 <= value <= MAX_DAYS:
        raise _fail("out_of_range", f"{value} is not between 1 and {MAX_DAYS}")
    return value


def _status(choices: tuple[str, ...], noun: str, default: str) -> PlainValidator:
    def check(value: Any) -> str:
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        shown = repr(value) if isinstance(value, str) else describe(value)
        raise _fail("status", f"{shown} is not {noun} (choose from: {', '.join(choices)})")

    return PlainValidator(check)


def _email(value: str | None) -> str | None:
    if value is not None and not _looks_like_email(value):
        raise _fail("not_email", f"{value!r} is not an email address")
    return value


def _la_codes(value: Any) -> list[str]:
    if not value:
        return []
    if not isinstance(value, list):
        raise _fail("list_type", f"expected a list of LA codes, got {describe(value)}")
    codes: list[str] = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise _fail("not_la_code", f"expected LA codes, got {describe(item)}")
        if item.strip() not in codes:
            codes.append(item.strip())
    return codes


def _upper(value: str | None) -> str | None:
    return None if value is None else value.upper()


Email = Annotated[str | None, _text(max_length=254), AfterValidator(_email)]


def _text_type(*, required: bool = False, max_length: int | None = None) -> Any:
    return Annotated[str | None, _text(required=required, max_length=max_length)]


# --- the record ------------------------------------------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CapacityDetails(_Part):
    """The provider's `capacity`, as it last said (broker.capacity): taking new work, with the
    days it has available this term, or not taking new work until a date."""

    days_available: Annotated[int | None, PlainValidator(_days_available)] = None
    not_taking_until: Day = None
    updated_at: When = None

    @model_validator(mode="after")
    def _one_or_the_other(self, info: ValidationInfo) -> CapacityDetails:
        if self.days_available is not None and self.not_taking_until is not None:
            raise problem_at(
                "",
                "give days_available (taking new work) or not_taking_until (not taking new "
                "work until that date), not both",
            )
        # As the capacity page: a date never hides a provider's listings for good.
        latest = ((info.context or {}).get("today") or date.today()) + MAX_AHEAD
        if self.not_taking_until is not None and self.not_taking_until > latest:
            raise problem_at(
                "not_taking_until",
                f"{self.not_taking_until.isoformat()} is after {long_date(latest)}, more than "
                "a year ahead: a provider not taking new work for longer withdraws its listings",
            )
        return self


class ProviderDetails(_Part):
    """The `provider` object: who offers the listings."""

    name: Annotated[str, _text(required=True, max_length=200)]
    kind: Annotated[str, _slug(PROVIDER_KINDS)]
    website: Annotated[str | None, _text(max_length=300)] = None
    email: Email = None
    phone: Annotated[str | None, _text(max_length=40)] = None
    la_code: Annotated[str | None, _text(max_length=10)] = None
    school_urn: Annotated[str | None, _text(max_length=12)] = None
    #: Absent: the provider said nothing here (a re-import keeps what it said in the directory).
    capacity: CapacityDetails | None = None

    @model_validator(mode="after")
    def _reachable(self) -> ProviderDetails:
        if not (self.email or self.website):
            raise problem_at(
                "",
                "give an email or a website: a provider is matched on name and email or website",
            )
        return self


class AreasServed(_Part):
    """Where a listing works: nationally, in whole regions, or in the LAs it names."""

    national: StrictBool = False
    regions: Regions = Field(default_factory=list)
    local_authorities: Annotated[list[str], PlainValidator(_la_codes)] = Field(default_factory=list)


class ListingRecord(_Part):
    title: Annotated[str, _text(required=True, max_length=200)]
    summary: Annotated[str, _text(required=True, max_length=600)]
    description: Annotated[str, _text(), AfterValidator(lambda v: v or "")] = ""
    categories: Categories = Field(default_factory=list)
    ecm_outcomes: EcmOutcomes = Field(default_factory=list)
    phases: Phases = Field(default_factory=list)
    sen_specialisms: SenSpecialisms = Field(default_factory=list)
    pupil_groups: PupilGroups = Field(default_factory=list)
    delivery: Delivery = Field(default_factory=list)
    cost: Annotated[str, _slug(COSTS)]
    price_note: Annotated[str | None, _text(max_length=300)] = None
    areas_served: Annotated[AreasServed, BeforeValidator(lambda v: {} if v is None else v)] = Field(
        default_factory=AreasServed
    )
    # Optional extensions that make export lossless (see the README's interchange section).
    code: Annotated[str | None, _text(max_length=12), AfterValidator(_upper)] = None
    contact_name: Annotated[str | None, _text(max_length=200)] = None
    contact_email: Email = None
    contact_phone: Annotated[str | None, _text(max_length=40)] = None
    status: Annotated[str | None, _slug(LISTING_STATUSES, required=False)] = None
    submitted_at: When = None
    assured_at: When = None
    assurance_expires_at: When = None

    @property
    def national(self) -> bool:
        return self.areas_served.national

    @property
    def regions(self) -> list[str]:
        return self.areas_served.regions

    @property
    def local_authorities(self) -> list[str]:
        return self.areas_served.local_authorities


class RecommendationRecord(_Part):
    school_urn: Annotated[str, _text(required=True, max_length=12)]
    school_name: Annotated[str | None, _text(max_length=200)] = None
    recommender_name: Annotated[str, _text(required=True, max_length=200)]
    service_title: Annotated[str, _text(required=True, max_length=200)]
    impact: Annotated[str, _text(required=True)]
    made_on: Annotated[date, PlainValidator(_made_on)] = Field(alias="date")
    # Optional extensions.
    status: Annotated[
        str, _status(RECOMMENDATION_STATUSES, "a recommendation status", "confirmed")
    ] = "confirmed"
    withdrawn_at: When = None
    listing_title: Annotated[str | None, _text()] = None
    school_phase: Annotated[str | None, _slug(PHASES, required=False)] = None
    school_type: Annotated[str | None, _slug(SCHOOL_TYPES, required=False)] = None
    #: Where to add the school when the register does not know it.
    school_la_code: Annotated[str | None, _text(max_length=10)] = None


def _none_is_empty(value: Any) -> Any:
    return [] if value is None else value


class ProviderRecord(_Part):
    """One line of the file: a provider, its listings, the schools' recommendations of it."""

    provider: ProviderDetails
    listings: Annotated[list[ListingRecord], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list
    )
    recommendations: Annotated[list[RecommendationRecord], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list
    )
    status: Annotated[str, _status(PROVIDER_STATUSES, "a provider status", "submitted")] = (
        "submitted"
    )
    #: Things worth saying that do not stop the import (e.g. a repeated school).
    _notes: list[str] = PrivateAttr(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return self._notes

    # The provider's own fields, read by the importer as the record's.
    name = property(lambda self: self.provider.name)
    kind = property(lambda self: self.provider.kind)
    website = property(lambda self: self.provider.website)
    email = property(lambda self: self.provider.email)
    phone = property(lambda self: self.provider.phone)
    la_code = property(lambda self: self.provider.la_code)
    school_urn = property(lambda self: self.provider.school_urn)
    capacity = property(lambda self: self.provider.capacity)

    @model_validator(mode="after")
    def _consistent(self) -> ProviderRecord:
        seen: dict[str, int] = {}
        for i, listing in enumerate(self.listings):
            key = listing.title.casefold()
            if key in seen:
                raise problem_at(
                    f"listings[{i}].title", f"repeats the title of listings[{seen[key]}]"
                )
            seen[key] = i
        titles = {listing.title.casefold(): listing.title for listing in self.listings}
        for i, rec in enumerate(self.recommendations):
            if rec.listing_title is None:
                continue
            if rec.listing_title.casefold() not in titles:
                raise problem_at(
                    f"recommendations[{i}].listing_title",
                    f"{rec.listing_title!r} is not the title of a listing in this record",
                )
            rec.listing_title = titles[rec.listing_title.casefold()]
        self._one_per_school()
        return self

    def _one_per_school(self) -> None:
        """Keep one recommendation per school: a later one replaces an earlier (DOMAIN.md)."""
        by_school: dict[str, RecommendationRecord] = {}
        for rec in self.recommendations:
            if rec.school_urn in by_school:
                self._notes.append(
                    f"a second recommendation from school {rec.school_urn} replaces the first "
                    "(one recommendation per school)"
                )
            by_school[rec.school_urn] = rec
        self.recommendations = list(by_school.values())


def parse_json(text: str) -> Any:
    """Decode one line of JSON, raising InvalidRecord with the column of the mistake."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            [Problem("", f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None


def parse_record(data: Any, today: date | None = None) -> ProviderRecord:
    """Check one decoded record and return it typed, with facet values as slugs."""
    try:
        return ProviderRecord.model_validate(data, context={"today": today or date.today()})
    except ValidationError as exc:
        raise InvalidRecord(problems(exc, _word)) from None


def to_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime (how the models store time); naive means UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _looks_like_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(local and at and "." in domain and " " not in value)


def _choices(vocabulary: Vocabulary) -> str:
    return ", ".join(t.label for t in vocabulary)


def _word(error: ErrorDetails, loc: Loc) -> Problem:
    """Say what is wrong with one part of a record, as the import report shows it."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error["input"]
    if kind in (UNKNOWN_TERM, NOT_TEXT) and loc and isinstance(loc[-1], int):
        # A value of a list: the list is named, and the value shown.
        vocabulary = _VOCABULARIES[ctx["vocabulary"]]
        shown = repr(value) if isinstance(value, str) else describe(value)
        return Problem(
            path_of(loc[:-1]),
            f"{shown} is not {_NOUNS[vocabulary.name]} (choose from: {_choices(vocabulary)})",
        )
    path = path_of(loc)
    if kind == UNKNOWN_TERM:
        vocabulary = _VOCABULARIES[ctx["vocabulary"]]
        noun = _NOUNS[vocabulary.name]
        return Problem(path, f"{value!r} is not {noun} (choose from: {_choices(vocabulary)})")
    if kind == NOT_TEXT:
        return Problem(path, f"expected text, got {describe(value)}")
    if kind == PROBLEM_AT:
        return Problem(path, str(ctx["message"]))
    if kind == "missing":
        return Problem(path, "is required")
    if kind == "extra_forbidden":
        keys = ", ".join(keys_at(ProviderRecord, loc[:-1]))
        return Problem(path, f"is not a field of this format (expected: {keys})")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem(path, f"expected an object, got {describe(value)}")
    if kind == "list_type":
        return Problem(path, f"expected a list, got {describe(value)}")
    if kind in ("bool_type", "bool_parsing"):
        return Problem(path, f"expected true or false, got {describe(value)}")
    return Problem(path, str(ctx.get("message", error["msg"])))
