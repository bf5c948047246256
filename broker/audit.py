"""Writing the audit trail: every change of state, who made it, when, to what and why.

One way to write a row (`record`, or `values` for a bulk insert) and one format for who acted
(`actor_label`), whichever feature acts. Reading the trail is each feature's own business (the
QA officers' audit page, a brokerage's history).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, Protocol, TypedDict, Unpack

from sqlmodel import Session

from broker import taxonomy
from broker.models import AuditEvent, User, utcnow

#: Who acted when no person did (a scheduled job); processes may name themselves ("import").
SYSTEM = "system"
#: The column's width: a longer label is cut (the actor's id keeps who it was).
LABEL_MAX = 200


def actor_label(
    actor: User | None, *, system: str = SYSTEM, on_behalf_of: str | None = None
) -> str:
    """Describe who acted as the trail keeps it, even if the account later changes.

    A person is "Name (Role, email)", followed by "on behalf of <school>" when an authorised
    leader acts for their school; no person is the acting process's name.
    """
    if actor is None:
        return system
    label = f"{actor.name} ({taxonomy.ROLES.label_of(actor.role)}, {actor.email})"
    if on_behalf_of:
        label = f"{label} {on_behalf_of}"
    return label[:LABEL_MAX]


class Change(TypedDict):
    """What happened to a record of a kind: the action, the change of state and why."""

    entity_type: str
    action: str
    provider_id: NotRequired[int | None]
    from_state: NotRequired[str | None]
    to_state: NotRequired[str | None]
    reason: NotRequired[str | None]
    #: The fields an edit changed (a listing's, by field name).
    changed_fields: NotRequired[list[str] | None]
    #: "on behalf of <school>" when an authorised leader acts for their school.
    on_behalf_of: NotRequired[str | None]
    #: When (now unless given: an import dates its rows with its own clock).
    at: NotRequired[datetime | None]


class Details(Change):
    """What happened, and to which record."""

    entity_id: int


class Saveable(Protocol):
    """A table row: its id is set once it is flushed."""

    id: int | None


def values(
    actor: User | None, *, system: str = SYSTEM, **details: Unpack[Details]
) -> dict[str, Any]:
    """Return one audit row's column values (for `AuditEvent(**values)` or a bulk insert)."""
    return {
        "at": details.get("at") or utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor_label": actor_label(actor, system=system, on_behalf_of=details.get("on_behalf_of")),
        "entity_type": details["entity_type"],
        "entity_id": details["entity_id"],
        "provider_id": details.get("provider_id"),
        "action": details["action"],
        "from_state": details.get("from_state"),
        "to_state": details.get("to_state"),
        "reason": details.get("reason") or None,
        "changed_fields": list(details.get("changed_fields") or []) or None,
    }


def record(session: Session, actor: User | None, **details: Unpack[Details]) -> AuditEvent:
    """Add one audit row in the caller's transaction and return it."""
    event = AuditEvent(**values(actor, **details))
    session.add(event)
    return event


class Stateful(Saveable, Protocol):
    """A row of a provider's with a status: a listing, a recommendation."""

    provider_id: int
    status: str


def record_state(
    session: Session,
    actor: User | None,
    entity_type: str,
    row: Stateful,
    action: str,
    from_state: str | None,
    reason: str | None = None,
    changed_fields: list[str] | None = None,
    on_behalf_of: str | None = None,
) -> AuditEvent:
    """Add the audit row of `row`'s move from `from_state` to the status it has now."""
    return record(
        session,
        actor,
        entity_type=entity_type,
        entity_id=int(row.id or 0),
        provider_id=row.provider_id,
        action=action,
        from_state=from_state,
        to_state=row.status,
        reason=reason,
        changed_fields=changed_fields,
        on_behalf_of=on_behalf_of,
    )


def record_saved(
    session: Session, actor: User | None, row: Saveable, **change: Unpack[Change]
) -> AuditEvent:
    """Add `row` (new or changed), flush it so it has its id, and add the audit row of the change."""
    session.add(row)
    session.flush()
    return record(session, actor, entity_id=int(row.id or 0), **change)
