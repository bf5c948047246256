"""What an edit of a live listing changes, as a QA officer reads it: old against new, in labels.

A provider's edit of a published listing waits as a ListingRevision (broker.lifecycle). The
officer reviewing it needs only the fields it changes, each with what is published now and what
is proposed, in the words of the directory ("Teaching and Learning", "Kent", "Enjoy and
achieve"), never the slugs or LA codes stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from broker import taxonomy
from broker.lifecycle.services import changed_fields
from broker.models import Listing, LocalAuthority

#: Each editable field's name as the listing page and the submission form call it.
FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "summary": "Summary",
    "description": "Description",
    "categories": "Areas of support",
    "ecm_outcomes": "Every Child Matters outcomes",
    "phases": "Phases",
    "sen_specialisms": "SEN specialisms",
    "pupil_groups": "Pupil groups",
    "delivery": "Delivery",
    "national": "Works nationally",
    "regions": "Regions served",
    "local_authorities": "Local authorities served",
    "cost": "Cost",
    "price_note": "Price note",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
}

#: The vocabulary whose labels a field's slugs stand for.
_VOCABULARIES: dict[str, taxonomy.Vocabulary] = {
    "categories": taxonomy.CATEGORIES,
    "ecm_outcomes": taxonomy.ECM_OUTCOMES,
    "phases": taxonomy.PHASES,
    "sen_specialisms": taxonomy.SEN_SPECIALISMS,
    "pupil_groups": taxonomy.PUPIL_GROUPS,
    "delivery": taxonomy.DELIVERY,
    "regions": taxonomy.REGIONS,
    "cost": taxonomy.COSTS,
}

NOTHING = "None given"


def field_label(name: str) -> str:
    """Return the label of a listing field (its name, readable, if it is not an edited field)."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def field_labels(names: Iterable[str] | None) -> str:
    """Return the labels of fields, joined for a sentence: "Title, Areas of support"."""
    return ", ".join(field_label(n) for n in names or [])


@dataclass(frozen=True)
class FieldChange:
    """One changed field: what is published now and what the edit proposes, as labels."""

    name: str
    label: str
    before: str
    after: str
    #: For a list (areas, phases, LAs...): the labels the edit adds and removes.
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_list(self) -> bool:
        return bool(self.added or self.removed)


def _la_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted({str(c) for c in codes})
    if not wanted:
        return {}
    rows = session.exec(
        select(LocalAuthority.code, LocalAuthority.name).where(col(LocalAuthority.code).in_(wanted))
    ).all()
    return {code: name for code, name in rows}


def _labels(name: str, value: Any, las: dict[str, str]) -> list[str]:
    """Return a list field's values as labels, in the stored order."""
    if name == "local_authorities":
        return [las.get(str(code), str(code)) for code in value or []]
    vocabulary = _VOCABULARIES.get(name)
    if vocabulary is None:
        return [str(v) for v in value or []]
    return [vocabulary.label_of(str(v)) for v in value or []]


def _text(name: str, value: Any, las: dict[str, str]) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_labels(name, value, las)) or NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOTHING
    vocabulary = _VOCABULARIES.get(name)
    return vocabulary.label_of(str(value)) if vocabulary is not None else str(value)


def describe(session: Session, listing: Listing, proposed: dict[str, Any]) -> list[FieldChange]:
    """Return the fields `proposed` changes on `listing`, each old against new, in labels."""
    names = changed_fields(listing, proposed)
    codes = [*listing.local_authorities, *(proposed.get("local_authorities") or [])]
    las = _la_names(session, codes) if "local_authorities" in names else {}
    out = []
    for name in names:
        before, after = getattr(listing, name), proposed[name]
        added: tuple[str, ...] = ()
        removed: tuple[str, ...] = ()
        if isinstance(before, list | tuple) or isinstance(after, list | tuple):
            old, new = _labels(name, before, las), _labels(name, after, las)
            added = tuple(label for label in new if label not in old)
            removed = tuple(label for label in old if label not in new)
        out.append(
            FieldChange(
                name=name,
                label=field_label(name),
                before=_text(name, before, las),
                after=_text(name, after, las),
                added=added,
                removed=removed,
            )
        )
    return out


def areas_served(session: Session, listing: Listing) -> str:
    """Return where a listing works, in words: "National", or its regions and LAs by name."""
    if listing.national:
        return "National"
    las = _la_names(session, listing.local_authorities)
    names = _labels("regions", listing.regions, las) + _labels(
        "local_authorities", listing.local_authorities, las
    )
    return ", ".join(names) or NOTHING
