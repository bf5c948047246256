"""Shared pieces of the assurance feature: limits, reasons and the provider permission check.

The listing's states and transitions live in broker.lifecycle.services.
"""

from __future__ import annotations

from broker.errors import Forbidden, InvalidInput
from broker.lifecycle.services import valid_schools  # noqa: F401 (the one count, re-exported)
from broker.models import User

SERVICE_TITLE_MAX = 200
IMPACT_MIN = 20
IMPACT_MAX = 2000
REASON_MAX = 2000
REMINDER_DAYS = 30


def clean(text: str | None) -> str:
    return (text or "").strip()


def required_reason(text: str | None, field_name: str, what: str) -> str:
    value = clean(text)
    if not value:
        raise InvalidInput(field_name, f"Enter {what}")
    if len(value) > REASON_MAX:
        raise InvalidInput(
            field_name, f"{what.capitalize()} must be {REASON_MAX} characters or fewer"
        )
    return value


def optional_reason(text: str | None, field_name: str) -> str | None:
    value = clean(text)
    if len(value) > REASON_MAX:
        raise InvalidInput(field_name, f"The reason must be {REASON_MAX} characters or fewer")
    return value or None


def acts_for_provider(actor: User, provider_id: int) -> None:
    if actor.role == "admin":
        return
    if actor.role != "provider" or actor.provider_id != provider_id:
        raise Forbidden("Only the provider's own users can do that.")
