"""The misreadings listing reads only the sets that may be read, and counts triggers honestly."""

from __future__ import annotations

from benchmarks import misreadings, relevance

ASSESSMENT = ("category", "assessment-data-and-target-setting")


def test_it_never_reads_a_set_that_measures_or_checks():
    names = misreadings.readable()
    assert names
    assert not set(names) & (set(relevance.MEASURING) | set(relevance.CHECKING))
    assert "seed" not in names  # the seed's judged sets have no directory of their own


def listing(*categories: str) -> dict[str, set[str]]:
    return {"category": set(categories), "ecm": set(), "sen": set(), "pupil_group": set()}


def test_a_trigger_counts_a_hit_where_a_relevant_listing_has_its_value_else_a_miss():
    found = misreadings.tally(
        [
            ("a", "PEP targets", [("targets", *ASSESSMENT)], [listing("governance")]),
            ("a", "FFT targets", [("Targets", *ASSESSMENT)], [listing(ASSESSMENT[1])]),
            ("b", "floor targets", [("targets", *ASSESSMENT)], [listing("leadership")]),
            # No relevant listing: the item says nothing; a phase is not compared.
            ("b", "targets", [("targets", *ASSESSMENT)], []),
            ("b", "y6 targets", [("y6", "phase", "primary")], [listing("governance")]),
        ]
    )
    counted = found[("targets", *ASSESSMENT)]
    assert (counted.hit, counted.miss) == (1, 2)
    assert counted.texts == ["a: PEP targets", "b: floor targets"]
    assert ("y6", "phase", "primary") not in found


def test_a_listings_facets_are_read_as_slugs():
    judged = relevance.SETS[misreadings.readable()[0]]
    assert judged.directory is not None
    facets = misreadings.listing_facets(judged.directory)
    values = {v for listing in facets.values() for v in listing["category"]}
    assert values and all(v == v.lower() and " " not in v for v in values)
