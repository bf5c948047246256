"""Look for general misreadings over the judged sets that may be read (issue 9).

Usage: python -m benchmarks.misreadings implied|needs|corrections|close [--word WORD]

A correction of how words are read is found across many sets, not fitted to one: these listings
are what the rounds of 7 December found theirs by (`benchmarks/search_meaning.md`). They read
only the sets that may be read: never those that measure or check (relevance.MEASURING and
relevance.CHECKING), whose items stay unread.

- implied: what each search's words imply (the API's `understood`), against the facets of the
  listings judged relevant to it (grade 2-3): a trigger that implies a value no relevant listing
  has more often than one that does ("targets": assessment, 8 to 0).
- needs: the same for the needs' texts, read as the matcher reads them (no engine needed).
- corrections: every spelling correction the search makes ("upskilled" -> "unskilled").
- close: every word looked for as close in meaning to a word no listing uses, and whether a
  relevant listing holds it ("looming" -> "anxiety", in none).

With --word, the texts behind each line whose trigger holds WORD are printed too.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import relevance

#: The facets an implied value is compared on, and the field of a listing that holds them.
FIELDS = {
    "category": "categories",
    "ecm": "ecm_outcomes",
    "sen": "sen_specialisms",
    "pupil_group": "pupil_groups",
}
#: A listing judged at least this is relevant.
RELEVANT = 2


def readable() -> list[str]:
    """The sets over a directory of their own whose items may be read."""
    hidden = set(relevance.MEASURING) | set(relevance.CHECKING)
    return [
        name
        for name, judged in relevance.SETS.items()
        if name not in hidden and judged.directory is not None
    ]


def listings(directory: Path) -> Iterator[tuple[relevance.Key, dict[str, Any]]]:
    """Each listing of a directory file, by (title, provider)."""
    for line in directory.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for listing in record["listings"]:
            yield (listing["title"], record["provider"]["name"]), listing


def listing_facets(directory: Path) -> dict[relevance.Key, dict[str, set[str]]]:
    """Each listing's facet values (slugs), by (title, provider), from a directory file."""
    from broker.taxonomy import LISTING_FACETS

    slugs = {facet: {term.label: term.slug for term in LISTING_FACETS[facet]} for facet in FIELDS}
    return {
        key: {
            facet: {slugs[facet].get(v, v) for v in listing.get(field_) or ()}
            for facet, field_ in FIELDS.items()
        }
        for key, listing in listings(directory)
    }


@dataclass
class Tally:
    """How often a trigger's implied value is on a relevant listing, with the texts where not."""

    hit: int = 0
    miss: int = 0
    texts: list[str] = field(default_factory=list)


def tally(
    items: Iterable[tuple[str, str, Iterable[tuple[str, str, str]], list[dict[str, set[str]]]]],
) -> dict[tuple[str, str, str], Tally]:
    """Count, for each (trigger, facet, value), the items whose relevant listings have the value
    (hit) or none of them (miss). Each item is (set, text, implied (trigger, facet, value),
    the relevant listings' facets); items with no relevant listing say nothing."""
    out: dict[tuple[str, str, str], Tally] = {}
    for name, text, implied, relevant in items:
        if not relevant:
            continue
        for trigger, facet, value in implied:
            if facet not in FIELDS:
                continue
            counted = out.setdefault((trigger.lower(), facet, value), Tally())
            if any(value in listing[facet] for listing in relevant):
                counted.hit += 1
            else:
                counted.miss += 1
                counted.texts.append(f"{name}: {text}")
    return out


def report(tallies: dict[tuple[str, str, str], Tally], word: str | None) -> None:
    """Print the triggers that miss more often than they hit (twice or more), worst first."""
    for key, counted in sorted(tallies.items(), key=lambda kv: kv[1].hit - kv[1].miss):
        if counted.miss <= counted.hit or counted.miss < 2:
            continue
        if word and word.lower() not in key[0]:
            continue
        print(f"{counted.miss:4} miss {counted.hit:4} hit  {key[0]!r} -> {key[1]}:{key[2]}")
        if word:
            for text in counted.texts:
                print(f"        {text}")


def _relevant(
    judgements: Iterable[dict[str, Any]], facets: dict[relevance.Key, dict[str, set[str]]]
) -> list[dict[str, set[str]]]:
    keys = [(j["title"], j["provider"]) for j in judgements if int(j["grade"]) >= RELEVANT]
    return [facets[k] for k in keys if k in facets]


def searches() -> Iterator[tuple[str, Any, Any, dict[relevance.Key, dict[str, set[str]]]]]:
    """Yield (set, judged query, the API's answer, listing facets) over every readable set."""
    for name in readable():
        judged = relevance.SETS[name]
        assert judged.directory is not None
        facets = listing_facets(judged.directory)
        with relevance.directory_app(judged.directory) as app:
            client = app.test_client()
            for path in judged.queries:
                for query in relevance.load_judgements(path):
                    body = relevance.api_results(
                        client, q=query.query, per_page=relevance.K, **query.filters
                    )
                    yield name, query, body, facets


def implied_by_searches() -> dict[tuple[str, str, str], Tally]:
    def items() -> Iterator[tuple[str, str, list[tuple[str, str, str]], list[Any]]]:
        for name, query, body, facets in searches():
            judgements = [
                {"title": t, "provider": p, "grade": g} for (t, p), g in query.grades.items()
            ]
            implied = [(u["because"], u["facet"], u["value"]) for u in body["understood"]]
            yield name, query.query, implied, _relevant(judgements, facets)

    return tally(items())


def implied_by_needs() -> dict[tuple[str, str, str], Tally]:
    from index import querying, understanding

    def items() -> Iterator[tuple[str, str, list[tuple[str, str, str]], list[Any]]]:
        for name in readable():
            judged = relevance.SETS[name]
            assert judged.directory is not None
            facets = listing_facets(judged.directory)
            for path in judged.needs:
                for need in relevance.load_needs(path):
                    text = need["need"]["text"]
                    found = understanding.understand(querying.parse_text(text).clauses)
                    implied = [(" ".join(i.words), i.facet, i.value) for i in found.implied]
                    yield name, text, implied, _relevant(need["judgements"], facets)

    return tally(items())


def corrections() -> None:
    for name, query, body, _facets in searches():
        if body.get("suggestion"):
            print(f"{name:14} {query.query!r} -> {body['suggestion']!r}")


def close_words() -> None:
    from index import analysis

    texts: dict[str, dict[relevance.Key, set[str]]] = {}
    for name, query, body, _facets in searches():
        if name not in texts:
            judged = relevance.SETS[name]
            assert judged.directory is not None
            texts[name] = _listing_terms(judged.directory)
        relevant = [k for k, g in query.grades.items() if g >= RELEVANT and k in texts[name]]
        for item in body.get("close_words") or ():
            marks = []
            for other in item["close"]:
                term = analysis.term_of(other)
                held = sum(1 for k in relevant if term in texts[name][k])
                marks.append(f"{other} ({held}/{len(relevant)})")
            print(f"{name:14} {item['word']:14} -> {', '.join(marks)}  | {query.query}")


def _listing_terms(directory: Path) -> dict[relevance.Key, set[str]]:
    from index import analysis

    fields = ("title", "summary", "description")
    return {
        key: set(analysis.analyse(" ".join(str(listing.get(f) or "") for f in fields)))
        for key, listing in listings(directory)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("implied", "needs", "corrections", "close"))
    parser.add_argument("--word", help="print the texts behind triggers holding this word")
    args = parser.parse_args()
    if args.what == "implied":
        report(implied_by_searches(), args.word)
    elif args.what == "needs":
        report(implied_by_needs(), args.word)
    elif args.what == "corrections":
        corrections()
    else:
        close_words()


if __name__ == "__main__":
    main()
