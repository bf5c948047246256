"""What the API answers, as pydantic models: the views serialise through them, and the OpenAPI
document (broker.api.openapi) is generated from them, so the two cannot drift apart."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from index import schema

#: A web address, as the views build it (the models check it is text; the document says a URI).
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderSummary(_Answer):
    id: int
    name: str
    kind: str = Field(description="The provider kind's label, e.g. Company")


class Capacity(_Answer):
    """What the provider last said of how much it can take on, as of today."""

    taking_new_work: bool = Field(
        description="False while the provider says it is not taking new work (a provider that "
        "said nothing is taken to be taking it)"
    )
    not_taking_until: date | None = Field(
        description="While it is not taking new work: the date from which it takes it again"
    )
    days_available: int | None = Field(
        description="While it is taking new work: the days it says it has available this term"
    )
    text: str = Field(
        description='In words, e.g. "Not taking new work until 3 March 2027" or "12 days '
        'available this term"; empty when the provider said nothing'
    )


class ListingSummary(_Answer):
    """What every answer says about a listing (facet values as their labels)."""

    id: int
    title: str
    summary: str
    provider: ProviderSummary
    categories: list[str]
    phases: list[str]
    cost: str
    recommendations: int = Field(
        description="Number of different schools with a valid recommendation"
    )
    capacity: Capacity
    url: Url


class SearchResult(ListingSummary):
    """A listing found by a search."""

    score: float
    missing: list[str] = Field(
        description="The searched words (as typed) this listing does not contain: a listing "
        "may miss one word in three of a longer search"
    )


class Listing(ListingSummary):
    """One listing, with its description."""

    description: str


class FacetCount(_Answer):
    value: str = Field(description="The value's slug, as a filter takes it")
    label: str
    count: int = Field(ge=0)


class Understood(_Answer):
    """A facet value the words imply (a year group implies a phase)."""

    facet: str
    value: str
    label: str
    because: str


class CloseWords(_Answer):
    """A word of the search that no listing uses, and the directory's words close to it in
    meaning that were searched for with it."""

    word: str
    close: list[str] = Field(min_length=1)


class SearchResults(_Answer):
    """A page of results with facet counts."""

    total: int = Field(ge=0)
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    results: list[SearchResult]
    facets: dict[str, list[FacetCount]] = Field(
        description="Counts per facet: "
        + "; ".join(f"{name}: {schema.facet_label(name)}" for name in schema.FACETS),
        json_schema_extra={"propertyNames": {"enum": list(schema.FACETS)}},
    )
    suggestion: str | None
    corrected: bool
    partial: bool = Field(
        description="True when no listing had every word, so the results have some of them, "
        "best first"
    )
    by_topic: bool = Field(
        description="True when no listing had any of the words, so the results are the listings "
        "of the topics the words name (see `understood`)"
    )
    understood: list[Understood] = Field(
        description="Facet values the words imply (a year group implies a phase): listings with "
        "them come first; `understand=0` turns this off"
    )
    close_words: list[CloseWords] = Field(
        description="Each word of the search that no listing uses, with the directory's words "
        'closest to it in meaning, searched for with it and counting for less ("nervous": '
        '"anxious", "anxiety"); only when results are sorted by relevance'
    )


class MatchProvider(_Answer):
    name: str


class MatchResult(_Answer):
    """One listing proposed for a need."""

    id: int
    title: str
    provider: MatchProvider
    score: float = Field(
        ge=0, le=1, description="Relative to the best result for the same need (1)."
    )
    reasons: list[str] = Field(
        min_length=1,
        description='Why it was proposed, e.g. "area: Governance", "serves your LA", '
        '"recommended by 4 schools", "words: autism, outreach".',
    )
    url: Url


class NeedResults(_Answer):
    results: list[MatchResult]


class MatchResponse(_Answer):
    """Suggestions per need, best first."""

    needs: list[NeedResults] = Field(description="One entry per need, in request order.")
