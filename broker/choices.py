"""Taxonomy terms as WTForms choices: each term's slug, shown by its label."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice

from broker.taxonomy import Term


def choices(terms: Iterable[Term]) -> list[SelectChoice]:
    """Return terms (a whole vocabulary, or some of its terms) as choices, in their order."""
    return [SelectChoice(t.slug, t.label) for t in terms]
