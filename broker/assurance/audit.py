"""The audit trail as QA officers read it: every change of state and every recommendation event
(who, when, what, why). Rows are written by broker.audit, the one writer."""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.assurance.changes import field_labels
from broker.models import AuditEvent, Provider

PAGE_SIZE = 50

#: What each action means, for the audit page.
ACTIONS = {
    "submit": "Submitted for assurance",
    "review-requested": "Sent for review while published",
    "renew": "Renewal requested",
    "approve": "Approved",
    "request-changes": "Changes requested",
    "reject": "Rejected",
    "suspend": "Suspended",
    "reinstate": "Reinstated",
    "lapse": "Assurance lapsed",
    "withdraw": "Withdrawn by the provider",
    "below-two-schools": "Left the directory: fewer than two schools",
    "renewal-reminder": "Renewal reminder sent",
    "edit-applied": "Edit published",
    "interest-registered": "Interest registered",
    "interest-removed": "Interest removed from a register",
    "recommendation-requested": "Recommendation requested",
    "recommendation-confirmed": "Recommendation confirmed",
    "recommendation-made": "Recommended unprompted",
    "recommendation-replaced": "Recommendation replaced",
    "recommendation-declined": "Recommendation declined",
    "recommendation-withdrawn": "Recommendation withdrawn",
    "plan-changed": "Support plan details changed",
    "capacity": "Capacity changed by the provider",
    "feedback-given": "Feedback on brokered work given",
    "feedback-replied": "Provider replied to feedback",
}


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    provider_name: str | None

    @property
    def action_text(self) -> str:
        return ACTIONS.get(self.event.action, self.event.action)

    @property
    def changed_text(self) -> str:
        """The fields the event's edit changed, as labels ("" when it changed none)."""
        return field_labels(self.event.changed_fields)


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    number: int
    size: int
    provider: Provider | None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


def audit_page(
    session: Session,
    provider_filter: sa.ColumnElement[bool] | None,
    *,
    provider_id: int | None = None,
    name: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> AuditPage:
    """Return one page of events, newest first, limited to providers matching `provider_filter`."""
    conditions: list[sa.ColumnElement[bool]] = []
    if provider_filter is not None:
        visible = select(Provider.id).where(provider_filter)
        conditions.append(col(AuditEvent.provider_id).in_(visible))
    if name:
        pattern = (
            "%" + name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        named = select(Provider.id).where(sa.func.lower(Provider.name).like(pattern, escape="\\"))
        conditions.append(col(AuditEvent.provider_id).in_(named))
    provider = None
    if provider_id is not None:
        conditions.append(col(AuditEvent.provider_id) == provider_id)
        provider = session.get(Provider, provider_id)
    total = session.exec(select(sa.func.count(col(AuditEvent.id))).where(*conditions)).one()
    number = max(1, page)
    rows = session.exec(
        select(AuditEvent, Provider.name)
        .outerjoin(Provider, col(Provider.id) == col(AuditEvent.provider_id))
        .where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return AuditPage(
        rows=[AuditRow(event, name) for event, name in rows],
        total=int(total),
        number=number,
        size=size,
        provider=provider,
    )
